using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Puts the tensors of a weights file into the flat parameter layout (per Dense layer: kernel <c>[inputs x units]</c>
    /// row-major, then bias). Files without tensor names (raw float32, MGW1) and single-tensor safetensors files are that
    /// layout already. Multi-tensor safetensors files must hold one tensor per kernel and bias, matched by shape:
    /// Keras-style kernels (<c>dense/kernel</c>, <c>[inputs, units]</c>) are copied, PyTorch-style weights (a name ending in
    /// <c>weight</c>, <c>[units, inputs]</c>, as <c>nn.Linear</c> stores them) are transposed. The tensors are taken in data
    /// order, or, when that does not fit (PyTorch's writer stores <c>0.bias</c> before <c>0.weight</c>), in natural name
    /// order with each layer's kernel before its bias. Anything else is an error that lists both shapes, never a silent
    /// reinterpretation.
    /// </summary>
    internal static class WeightsLayout
    {
        /// <summary>The parameters of <paramref name="layers"/> from <paramref name="file"/>, or null with <paramref name="error"/>.</summary>
        public static float[]? Arrange(WeightsFile file, IReadOnlyList<LayerSpec> layers, out string? error)
        {
            error = null;
            var expected = new List<(bool Kernel, int Inputs, int Units, int Offset)>();
            int parameters = 0;
            foreach (LayerSpec layer in layers)
            {
                if (layer.Kind != LayerKind.Dense) continue;
                expected.Add((true, layer.Inputs, layer.Units, layer.KernelOffset));
                if (layer.UseBias) expected.Add((false, layer.Inputs, layer.Units, layer.BiasOffset));
                parameters += layer.ParameterCount;
            }
            WeightsTensor[] tensors = file.Tensors.AsSpan().ToArray();
            if (tensors.Length <= 1) return file.Values.AsSpan().ToArray(); // the flat layout; the caller checks the count

            if (tensors.Length == expected.Count)
            {
                foreach (WeightsTensor[] order in new[] { tensors, tensors.OrderBy(t => t, NameOrder.Instance).ToArray() })
                {
                    float[]? values = TryFill(file.Values, order, expected, parameters);
                    if (values is not null) return values;
                }
            }
            string Want((bool Kernel, int Inputs, int Units, int Offset) e) => e.Kernel ? $"[{e.Inputs}, {e.Units}]" : $"[{e.Units}]";
            error = "its tensors do not fit the model's layers: the model needs "
                + string.Join(", ", expected.Select(Want))
                + " (kernels [inputs, units], or PyTorch's [units, inputs] for names ending in 'weight'), the file has "
                + string.Join(", ", tensors.Select(t => $"{t.Name} [{string.Join(", ", t.Shape.AsSpan().ToArray())}]"));
            return null;
        }

        private static float[]? TryFill(EquatableArray<float> source, WeightsTensor[] order, List<(bool Kernel, int Inputs, int Units, int Offset)> expected, int parameters)
        {
            var values = new float[parameters];
            for (int k = 0; k < order.Length; k++)
            {
                WeightsTensor t = order[k];
                (bool kernel, int inputs, int units, int offset) = expected[k];
                int[] shape = t.Shape.AsSpan().ToArray();
                if (!kernel)
                {
                    if (shape.Length != 1 || shape[0] != units || IsKernelName(t.Name)) return null;
                    for (int j = 0; j < units; j++) values[offset + j] = source[t.Start + j];
                    continue;
                }
                if (shape.Length != 2 || IsBiasName(t.Name)) return null;
                if (TensorNames.IsTorchWeight(t.Name))
                {
                    // PyTorch nn.Linear: weight[out, in]; the kernel is its transpose.
                    if (shape[0] != units || shape[1] != inputs) return null;
                    for (int i = 0; i < inputs; i++)
                    {
                        for (int j = 0; j < units; j++) values[offset + i * units + j] = source[t.Start + j * inputs + i];
                    }
                }
                else
                {
                    if (shape[0] != inputs || shape[1] != units) return null;
                    for (int e = 0; e < inputs * units; e++) values[offset + e] = source[t.Start + e];
                }
            }
            return values;
        }

        private static bool IsBiasName(string name) => TensorNames.IsBias(name);

        private static bool IsKernelName(string name) =>
            name.EndsWith("kernel", StringComparison.OrdinalIgnoreCase) || TensorNames.IsTorchWeight(name);

        /// <summary>Orders tensors with <see cref="TensorNames.Compare"/>.</summary>
        private sealed class NameOrder : IComparer<WeightsTensor>
        {
            public static readonly NameOrder Instance = new();

            public int Compare(WeightsTensor x, WeightsTensor y) => TensorNames.Compare(x.Name, y.Name);
        }
    }
}
