// Compiled into both the runtime and the generator (linked, like everything under Formats/).
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Formats.Weights
{
    /// <summary>
    /// The check of a TensorFlow.js <c>weightsManifest</c> against a dense stack: the raw float32 stream its shards hold
    /// is each Dense layer's kernel <c>[inputs, units]</c>, then its bias, in order, all float32 and unquantized.
    /// </summary>
    internal static class TfjsWeightsManifest
    {
        /// <summary>
        /// Why the manifest's tensors (in storage order: name, shape, dtype after dequantization, stored dtype when quantized)
        /// do not describe the stream <paramref name="denseLayers"/> expect, or null when they do.
        /// </summary>
        public static string? Misfit(
            IReadOnlyList<(string Name, int[] Shape, string DType, string? QuantizationDType)> tensors,
            IEnumerable<(int Inputs, int Units, bool UseBias)> denseLayers)
        {
            foreach (var tensor in tensors)
            {
                if (tensor.QuantizationDType is not null) return $"lists {tensor.Name} quantized to {tensor.QuantizationDType}; ModelGen reads float32 weights only (export without quantization)";
                if (tensor.DType != "float32") return $"lists {tensor.Name} as {tensor.DType}; ModelGen reads float32 weights only";
            }
            var expected = new List<string>();
            foreach ((int inputs, int units, bool useBias) in denseLayers)
            {
                expected.Add("[" + inputs + ", " + units + "]");
                if (useBias) expected.Add("[" + units + "]");
            }
            var actual = tensors.Select(t => "[" + string.Join(", ", t.Shape) + "]").ToList();
            if (actual.SequenceEqual(expected)) return null;
            return $"lists the tensors {string.Join(" ", actual)}, but the layers need {string.Join(" ", expected)} in that order";
        }
    }
}
