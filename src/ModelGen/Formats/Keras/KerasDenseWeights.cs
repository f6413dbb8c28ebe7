using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Formats.Keras
{
    /// <summary>One Dense layer's weights as a Keras file holds them: kernel <c>[inputs, units]</c> and an optional bias.</summary>
    internal sealed class KerasDenseLayer
    {
        public KerasDenseLayer(string name, KerasTensor kernel, KerasTensor? bias)
        {
            Name = name;
            Kernel = kernel;
            Bias = bias;
        }

        /// <summary>The layer's name in the file.</summary>
        public string Name { get; }

        /// <summary>The kernel, <c>[inputs, units]</c>.</summary>
        public KerasTensor Kernel { get; }

        /// <summary>The bias, <c>[units]</c>, or null.</summary>
        public KerasTensor? Bias { get; }

        /// <summary>Inputs of the layer.</summary>
        public int Inputs => Kernel.Shape[0];

        /// <summary>Units of the layer.</summary>
        public int Units => Kernel.Shape[1];

        /// <summary>"[in, units] + [units]" for messages.</summary>
        public string Describe() => $"'{Name}' kernel [{Inputs}, {Units}]" + (Bias is null ? " without bias" : $", bias [{Bias.Shape[0]}]");
    }

    /// <summary>
    /// Picks the Dense layers' weights out of a <see cref="KerasModelFile"/> and lays them out in ModelGen's parameter order
    /// (Keras <c>get_weights()</c>: per Dense layer the kernel row-major, then the bias). Shared by the generator (weights
    /// compiled in) and the runtime (<c>WeightFile.LoadKeras</c>).
    /// </summary>
    internal static class KerasDenseWeights
    {
        /// <summary>
        /// The file's Dense layers in order: those named <paramref name="denseNames"/> (the architecture's Dense layers, in
        /// order) when given, otherwise every layer that holds weights. A layer with weights that is not one of them, or whose
        /// weights are not a 2-D kernel and a 1-D bias, is an error naming it.
        /// </summary>
        public static FormatResult<List<KerasDenseLayer>> Select(KerasModelFile file, IReadOnlyList<string>? denseNames)
        {
            try
            {
                return FormatResult<List<KerasDenseLayer>>.Ok(SelectOrThrow(file, denseNames));
            }
            catch (FileFormatException e)
            {
                return FormatResult<List<KerasDenseLayer>>.Fail(e.Message);
            }
        }

        private static List<KerasDenseLayer> SelectOrThrow(KerasModelFile file, IReadOnlyList<string>? denseNames)
        {
            var chosen = new List<KerasLayerWeights>();
            if (file.UnorderedClassLayout)
            {
                // Keras 3 weights without their architecture: the groups named dense, dense_1, ... are the Dense layers in order.
                foreach (KerasLayerWeights layer in file.Layers)
                {
                    if (KerasFileReader.ClassKey(layer.Name) == "dense") chosen.Add(layer);
                    else if (layer.Weights.Count > 0) throw new FileFormatException($"group '{layer.Name}' holds {layer.Weights.Count} weights of a layer that is not Dense; ModelGen reads Dense layers only");
                }
                if (denseNames is not null && denseNames.Count != chosen.Count) throw new FileFormatException($"the file holds {chosen.Count} Dense layers (groups dense, dense_1, ...), the architecture has {denseNames.Count}");
            }
            else if (denseNames is not null && denseNames.Count > 0 && denseNames.All(n => file.Find(n) is not null))
            {
                foreach (string name in denseNames) chosen.Add(file.Find(name)!);
                foreach (KerasLayerWeights layer in file.Layers)
                {
                    if (layer.Weights.Count > 0 && !denseNames.Contains(layer.Name)) throw new FileFormatException($"layer '{layer.Name}'{ClassOf(layer)} holds weights, but the architecture has no Dense layer of that name");
                }
            }
            else
            {
                foreach (KerasLayerWeights layer in file.Layers)
                {
                    if (layer.Weights.Count > 0) chosen.Add(layer);
                }
                if (denseNames is not null && denseNames.Count != chosen.Count)
                {
                    throw new FileFormatException($"the file holds weights for {chosen.Count} layers ({string.Join(", ", chosen.Select(l => l.Name))}), the architecture has {denseNames.Count} Dense layers ({string.Join(", ", denseNames)})");
                }
            }

            var dense = new List<KerasDenseLayer>(chosen.Count);
            foreach (KerasLayerWeights layer in chosen)
            {
                if (layer.ClassName is not null && layer.ClassName != "Dense") throw new FileFormatException($"layer '{layer.Name}' is a {layer.ClassName}; ModelGen reads the weights of Dense layers only");
                IReadOnlyList<KerasTensor> w = layer.Weights;
                if (w.Count is < 1 or > 2 || w[0].Shape.Length != 2 || (w.Count == 2 && (w[1].Shape.Length != 1 || w[1].Shape[0] != w[0].Shape[1])))
                {
                    throw new FileFormatException($"layer '{layer.Name}'{ClassOf(layer)} holds weights shaped {string.Join(", ", w.Select(t => "[" + string.Join(", ", t.Shape) + "]"))}, not a Dense kernel [inputs, units] and bias [units]");
                }
                dense.Add(new KerasDenseLayer(layer.Name, w[0], w.Count == 2 ? w[1] : null));
            }
            return dense;
        }

        /// <summary>
        /// The parameters of <paramref name="dense"/> in ModelGen's order, after checking each layer against the model's
        /// (<paramref name="expected"/>: inputs, units, bias per Dense layer); a difference is an error naming the layer.
        /// </summary>
        public static FormatResult<float[]> Arrange(IReadOnlyList<KerasDenseLayer> dense, IReadOnlyList<(int Inputs, int Units, bool UseBias)> expected)
        {
            if (dense.Count != expected.Count)
            {
                return FormatResult<float[]>.Fail($"the file has {dense.Count} Dense layers ({string.Join("; ", dense.Select(d => d.Describe()))}), the model has {expected.Count}");
            }
            long total = 0;
            for (int i = 0; i < dense.Count; i++)
            {
                (int inputs, int units, bool useBias) = expected[i];
                KerasDenseLayer d = dense[i];
                if (d.Inputs != inputs || d.Units != units || (d.Bias is not null) != useBias)
                {
                    return FormatResult<float[]>.Fail($"Dense layer {i + 1}: the file has {d.Describe()}, the model expects kernel [{inputs}, {units}]" + (useBias ? $", bias [{units}]" : " without bias"));
                }
                total += (long)inputs * units + (useBias ? units : 0);
            }
            var values = new float[total];
            int at = 0;
            foreach (KerasDenseLayer d in dense)
            {
                Array.Copy(d.Kernel.Values, 0, values, at, d.Kernel.Values.Length);
                at += d.Kernel.Values.Length;
                if (d.Bias is not null)
                {
                    Array.Copy(d.Bias.Values, 0, values, at, d.Bias.Values.Length);
                    at += d.Bias.Values.Length;
                }
            }
            return FormatResult<float[]>.Ok(values);
        }

        private static string ClassOf(KerasLayerWeights layer) => layer.ClassName is null ? "" : $" ({layer.ClassName})";
    }
}

namespace ModelGen.Formats.Keras
{
    /// <summary>The weights of a Keras file in a model's layout: the parameters and the non-trainable state.</summary>
    internal sealed class KerasArrangedWeights
    {
        /// <summary>Creates the pair.</summary>
        public KerasArrangedWeights(float[] parameters, float[] state)
        {
            Parameters = parameters;
            State = state;
        }

        /// <summary>Dense kernels and biases, in parameter order.</summary>
        public float[] Parameters { get; }

        /// <summary>The affine layers' stored vectors, in layer order.</summary>
        public float[] State { get; }
    }

    /// <summary>A layer of a model that takes weights from a Keras file: a Dense layer or an affine layer with stored vectors.</summary>
    internal readonly struct KerasWeightSlot
    {
        /// <summary>Creates a slot.</summary>
        public KerasWeightSlot(string className, int inputs, int units, bool useBias, int storedVectors)
        {
            ClassName = className;
            Inputs = inputs;
            Units = units;
            UseBias = useBias;
            StoredVectors = storedVectors;
        }

        /// <summary><c>Dense</c>, <c>BatchNormalization</c> or <c>Normalization</c>.</summary>
        public string ClassName { get; }

        /// <summary>Dense inputs.</summary>
        public int Inputs { get; }

        /// <summary>Dense units, or the affine layer's width.</summary>
        public int Units { get; }

        /// <summary>The Dense layer has a bias.</summary>
        public bool UseBias { get; }

        /// <summary>Vectors of <see cref="Units"/> values an affine layer stores (BatchNormalization 2 to 4, Normalization 2).</summary>
        public int StoredVectors { get; }

        /// <summary>True for a Dense layer.</summary>
        public bool IsDense => ClassName == "Dense";

        /// <summary>For messages.</summary>
        public string Describe() => IsDense ? $"Dense kernel [{Inputs}, {Units}]" + (UseBias ? $", bias [{Units}]" : " without bias") : $"{ClassName} with {StoredVectors} vectors of {Units}";
    }

    /// <summary>
    /// Picks the weight-holding layers of a Keras file (Dense, BatchNormalization, adapted Normalization) in model order and
    /// lays their tensors out as ModelGen's parameters (Dense kernels and biases) and non-trainable state (the affine
    /// layers' vectors). Shared by the generator and the runtime.
    /// </summary>
    internal static class KerasModelWeights
    {
        /// <summary>The classes whose stored vectors ModelGen keeps as non-trainable state.</summary>
        public static bool IsAffineClass(string className) => className is "BatchNormalization" or "Normalization";

        /// <summary>
        /// The file's weight-holding layers in order, each with its class: those of <paramref name="expected"/> (the
        /// architecture's weight layers, name and class, in order) when given, otherwise every layer that holds weights
        /// (its class from the file, or from its tensors: a 2-D first tensor is Dense, 1-D vectors BatchNormalization).
        /// </summary>
        public static FormatResult<List<KeyValuePair<KerasLayerWeights, string>>> Select(KerasModelFile file, IReadOnlyList<KeyValuePair<string, string>>? expected)
        {
            try
            {
                return FormatResult<List<KeyValuePair<KerasLayerWeights, string>>>.Ok(SelectOrThrow(file, expected));
            }
            catch (FileFormatException e)
            {
                return FormatResult<List<KeyValuePair<KerasLayerWeights, string>>>.Fail(e.Message);
            }
        }

        private static List<KeyValuePair<KerasLayerWeights, string>> SelectOrThrow(KerasModelFile file, IReadOnlyList<KeyValuePair<string, string>>? expected)
        {
            var chosen = new List<KeyValuePair<KerasLayerWeights, string>>();
            if (file.UnorderedClassLayout)
            {
                // Keras 3 weights without their architecture: groups of one class (dense, dense_1, ...) are in layer order.
                var used = new HashSet<KerasLayerWeights>();
                if (expected is not null)
                {
                    foreach (KeyValuePair<string, string> layer in expected)
                    {
                        string key = KerasFileReader.SnakeCase(layer.Value);
                        KerasLayerWeights? next = file.Layers.FirstOrDefault(l => !used.Contains(l) && KerasFileReader.ClassKey(l.Name) == key);
                        if (next is null) throw new FileFormatException($"the file has no group for {layer.Value} layer '{layer.Key}' (groups {key}, {key}_1, ... in order)");
                        used.Add(next);
                        chosen.Add(new KeyValuePair<KerasLayerWeights, string>(next, layer.Value));
                    }
                }
                else
                {
                    foreach (KerasLayerWeights layer in file.Layers)
                    {
                        if (layer.Weights.Count == 0) continue;
                        string key = KerasFileReader.ClassKey(layer.Name);
                        string? className = key == "dense" ? "Dense" : key == "batch_normalization" ? "BatchNormalization" : key == "normalization" ? "Normalization" : null;
                        if (className is null) throw new FileFormatException($"group '{layer.Name}' holds {layer.Weights.Count} weights of a layer that is not Dense, BatchNormalization or Normalization");
                        used.Add(layer);
                        chosen.Add(new KeyValuePair<KerasLayerWeights, string>(layer, className));
                    }
                }
                foreach (KerasLayerWeights layer in file.Layers)
                {
                    if (layer.Weights.Count > 0 && !used.Contains(layer)) throw new FileFormatException($"group '{layer.Name}' holds {layer.Weights.Count} weights, but the architecture has no layer for it");
                }
                return chosen;
            }
            if (expected is not null && expected.Count > 0 && expected.All(n => file.Find(n.Key) is not null))
            {
                foreach (KeyValuePair<string, string> layer in expected) chosen.Add(new KeyValuePair<KerasLayerWeights, string>(file.Find(layer.Key)!, layer.Value));
                foreach (KerasLayerWeights layer in file.Layers)
                {
                    if (layer.Weights.Count > 0 && !expected.Any(e => e.Key == layer.Name)) throw new FileFormatException($"layer '{layer.Name}'{ClassOf(layer)} holds weights, but the architecture has no Dense, BatchNormalization or Normalization layer of that name");
                }
                return chosen;
            }
            foreach (KerasLayerWeights layer in file.Layers)
            {
                if (layer.Weights.Count == 0) continue;
                string className = layer.ClassName ?? (layer.Weights[0].Shape.Length == 2 ? "Dense" : "BatchNormalization");
                chosen.Add(new KeyValuePair<KerasLayerWeights, string>(layer, className));
            }
            if (expected is not null && expected.Count != chosen.Count)
            {
                throw new FileFormatException($"the file holds weights for {chosen.Count} layers ({string.Join(", ", chosen.Select(l => l.Key.Name))}), the architecture has {expected.Count} weight layers ({string.Join(", ", expected.Select(e => e.Key))})");
            }
            return chosen;
        }

        /// <summary>
        /// The parameters and the non-trainable state of <paramref name="chosen"/>, after checking each layer against
        /// <paramref name="slots"/> (the model's weight layers in order); a difference is an error naming the layer.
        /// </summary>
        public static FormatResult<KerasArrangedWeights> Arrange(IReadOnlyList<KeyValuePair<KerasLayerWeights, string>> chosen, IReadOnlyList<KerasWeightSlot> slots)
        {
            if (chosen.Count != slots.Count)
            {
                return FormatResult<KerasArrangedWeights>.Fail($"the file has {chosen.Count} weight layers ({string.Join(", ", chosen.Select(c => $"'{c.Key.Name}' ({c.Value})"))}), the model has {slots.Count} ({string.Join("; ", slots.Select(s => s.Describe()))})");
            }
            var parameters = new List<float>();
            var state = new List<float>();
            int dense = 0;
            for (int i = 0; i < slots.Count; i++)
            {
                KerasLayerWeights layer = chosen[i].Key;
                string className = chosen[i].Value;
                KerasWeightSlot slot = slots[i];
                if (className != slot.ClassName)
                {
                    return FormatResult<KerasArrangedWeights>.Fail($"weight layer {i + 1}: the file's '{layer.Name}' is a {className}, the model expects {slot.Describe()}");
                }
                IReadOnlyList<KerasTensor> w = layer.Weights;
                string shapes = string.Join(", ", w.Select(t => "[" + string.Join(", ", t.Shape) + "]"));
                if (slot.IsDense)
                {
                    bool fits = w.Count == (slot.UseBias ? 2 : 1) && w[0].Shape.Length == 2 && w[0].Shape[0] == slot.Inputs && w[0].Shape[1] == slot.Units
                        && (!slot.UseBias || (w[1].Shape.Length == 1 && w[1].Shape[0] == slot.Units));
                    dense++;
                    string has = w.Count is 1 or 2 && w[0].Shape.Length == 2 && (w.Count == 1 || w[1].Shape.Length == 1)
                        ? $"'{layer.Name}' kernel [{string.Join(", ", w[0].Shape)}]" + (w.Count == 2 ? $", bias [{w[1].Shape[0]}]" : " without bias")
                        : $"'{layer.Name}' holding {shapes}";
                    if (!fits) return FormatResult<KerasArrangedWeights>.Fail($"Dense layer {dense}: the file has {has}, the model expects kernel [{slot.Inputs}, {slot.Units}]" + (slot.UseBias ? $", bias [{slot.Units}]" : " without bias"));
                    foreach (KerasTensor t in w) parameters.AddRange(t.Values);
                    continue;
                }
                // BatchNormalization: [gamma] [beta] moving_mean moving_variance; Normalization: mean, variance, then its count (a scalar).
                int vectors = w.Count;
                if (className == "Normalization" && vectors == slot.StoredVectors + 1 && w[vectors - 1].Shape.Length == 0) vectors--;
                bool ok = vectors == slot.StoredVectors;
                for (int v = 0; ok && v < vectors; v++) ok = w[v].Values.Length == slot.Units && (w[v].Shape.Length == 1 || (w[v].Shape.Length == 2 && w[v].Shape[0] == 1));
                if (!ok) return FormatResult<KerasArrangedWeights>.Fail($"weight layer {i + 1}: the file's {className} '{layer.Name}' holds {shapes}, the model expects {slot.StoredVectors} vectors of {slot.Units}");
                for (int v = 0; v < vectors; v++) state.AddRange(w[v].Values);
            }
            return FormatResult<KerasArrangedWeights>.Ok(new KerasArrangedWeights(parameters.ToArray(), state.ToArray()));
        }

        private static string ClassOf(KerasLayerWeights layer) => layer.ClassName is null ? "" : $" ({layer.ClassName})";
    }
}
