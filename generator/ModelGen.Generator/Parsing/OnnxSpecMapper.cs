using System.Collections.Generic;
using ModelGen.Formats.Onnx;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Turns an <see cref="ImportedNetwork"/> read from an <c>.onnx</c> file into the generator's declared layers and the
    /// flat weights to compile in (kernel <c>[inputs x units]</c> then bias, per dense layer: the order
    /// <see cref="NetworkBuilder"/> lays parameters out in).
    /// </summary>
    internal static class OnnxSpecMapper
    {
        /// <summary>
        /// The declared layers and weights of <paramref name="network"/>, or null with <paramref name="error"/> set (and
        /// <paramref name="batchNormalization"/> true when the reason is a BatchNormalization layer).
        /// </summary>
        public static DeclaredLayer[]? Map(ImportedNetwork network, out float[] weights, out float[] state, out string? error, out bool batchNormalization)
        {
            weights = System.Array.Empty<float>();
            state = System.Array.Empty<float>();
            batchNormalization = false;
            error = network.UnsupportedLayer();
            if (error is not null)
            {
                batchNormalization = true;
                return null;
            }
            var declared = new List<DeclaredLayer>(network.Layers.Count);
            foreach (ImportedLayer layer in network.Layers)
            {
                switch (layer)
                {
                    case ImportedDense d:
                        declared.Add(new DeclaredLayer(LayerKind.Dense, d.Units, ActivationSpec.Linear, d.Bias is not null, Initializer.GlorotUniform, Initializer.Zeros));
                        break;
                    case ImportedActivation a:
                        declared.Add(new DeclaredLayer(LayerKind.Activation, 0, Spec(a), false, Initializer.Zeros, Initializer.Zeros));
                        break;
                    case ImportedBatchNorm b:
                        declared.Add(DeclaredLayer.AffineLayer(new AffineSpec(ModelGen.Formats.AffineKind.BatchNormalization, b.Epsilon, true, true, false, default, b.Source)));
                        break;
                    case ImportedDropout x:
                        declared.Add(DeclaredLayer.Dropout(x.Rate));
                        break;
                    default:
                        error = layer.Source + " has no ModelGen layer";
                        return null;
                }
            }
            weights = network.FlatParameters();
            state = network.State();
            return declared.ToArray();
        }

        // Parameters the function takes come from the file (the reader filled ONNX's defaults); the rest are NaN.
        private static ActivationSpec Spec(ImportedActivation a)
        {
            ActivationParameterKinds takes = ActivationCatalog.Parameters(a.Kind);
            float alpha = (takes & ActivationParameterKinds.Alpha) != 0 ? a.Alpha : float.NaN;
            float slope = (takes & ActivationParameterKinds.NegativeSlope) != 0 ? a.NegativeSlope : float.NaN;
            return new ActivationSpec(a.Kind, alpha, slope, float.NaN, float.NaN, float.NaN);
        }
    }
}
