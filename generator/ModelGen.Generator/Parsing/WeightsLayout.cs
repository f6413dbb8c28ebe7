using System.Collections.Generic;
using System.Linq;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Puts the values of a weights file into the flat parameter layout of a model. Files without tensor names (raw
    /// float32, MGW1) and single-tensor safetensors files are that layout already; multi-tensor safetensors files go
    /// through <see cref="TensorLayout"/>, shared with the runtime, against the model's exact Dense layers.
    /// </summary>
    internal static class WeightsLayout
    {
        /// <summary>The parameters of <paramref name="layers"/> from <paramref name="file"/>, or null with <paramref name="error"/>.</summary>
        public static float[]? Arrange(WeightsFile file, int inputSize, IReadOnlyList<LayerSpec> layers, out string? error)
        {
            error = null;
            float[] values = file.Values.AsSpan().ToArray();
            if (file.Tensors.Count <= 1) return values; // the flat layout; the caller checks the count

            var dense = layers.Where(l => l.Kind == LayerKind.Dense).Select(l => (l.Inputs, l.Units, l.UseBias)).ToList();
            TensorEntry[] tensors = file.Tensors.AsSpan().ToArray();
            float[]? arranged = TensorLayout.Arrange(values, tensors, inputSize, layers[layers.Count - 1].Outputs, values.Length, dense);
            if (arranged is null)
            {
                error = "its tensors do not fit the model's layers: the model needs "
                    + string.Join(", ", dense.Select(d => $"[{d.Inputs}, {d.Units}]" + (d.UseBias ? $", [{d.Units}]" : "")))
                    + " (kernels [inputs, units], or PyTorch's [units, inputs] for names ending in 'weight'), the file has "
                    + string.Join(", ", tensors.Select(t => t.ToString()));
            }
            return arranged;
        }
    }
}
