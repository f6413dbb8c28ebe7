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
