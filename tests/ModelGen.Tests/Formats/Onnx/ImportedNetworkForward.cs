// Also linked into tests/ModelGen.RealModels (the outside check against /work/shared/real-models).
using System;
using ModelGen.Formats.Onnx;
using ModelGen.Reference;

namespace ModelGen.Tests.Formats.Onnx
{
    /// <summary>
    /// A plain float64 forward pass over an <see cref="ImportedNetwork"/>, written for the tests: dense layers as sums in
    /// double, activations through the float64 <see cref="ReferenceNetwork"/> formulas, batch normalization with its
    /// inference formula. It checks what the reader mapped, independently of the generated code.
    /// </summary>
    internal static class ImportedNetworkForward
    {
        /// <summary>The outputs for <paramref name="input"/> (one sample of <see cref="ImportedNetwork.InputSize"/> values).</summary>
        public static double[] Forward(ImportedNetwork network, ReadOnlySpan<double> input)
        {
            if (input.Length != network.InputSize) throw new ArgumentException($"expected {network.InputSize} inputs, got {input.Length}");
            double[] x = input.ToArray();
            foreach (ImportedLayer layer in network.Layers)
            {
                switch (layer)
                {
                    case ImportedDense d:
                        var y = new double[d.Units];
                        for (int j = 0; j < d.Units; j++)
                        {
                            double sum = d.Bias is null ? 0 : d.Bias[j];
                            for (int i = 0; i < d.Inputs; i++) sum += x[i] * d.Kernel[i * d.Units + j];
                            y[j] = sum;
                        }
                        x = y;
                        break;
                    case ImportedActivation a:
                        x = ReferenceNetwork.Apply(new ReferenceLayer(false, 0, a.Kind, Alpha: a.Alpha, NegativeSlope: a.NegativeSlope), x);
                        break;
                    case ImportedBatchNorm b:
                        for (int i = 0; i < x.Length; i++)
                        {
                            x[i] = b.Gamma[i] * (x[i] - b.Mean[i]) / Math.Sqrt(b.Variance[i] + (double)b.Epsilon) + b.Beta[i];
                        }
                        break;
                    case ImportedDropout:
                        break;
                    default:
                        throw new InvalidOperationException("unknown layer " + layer.GetType().Name);
                }
            }
            return x;
        }
    }
}
