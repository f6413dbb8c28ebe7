using System;
using System.Collections.Generic;

namespace ModelGen.Reference
{
    /// <summary>One layer of a <see cref="ReferenceNetwork"/>.</summary>
    /// <param name="IsDense">True for Dense, false for an Activation layer.</param>
    /// <param name="Units">Units of a Dense layer (ignored for Activation layers).</param>
    /// <param name="Activation">The activation.</param>
    /// <param name="UseBias">Whether a Dense layer has a bias.</param>
    /// <param name="Alpha">elu/celu alpha (NaN = Keras default).</param>
    /// <param name="NegativeSlope">leaky_relu slope (NaN = Keras default).</param>
    /// <param name="Threshold">shrink or threshold parameter (NaN = Keras default).</param>
    /// <param name="DefaultValue">threshold's value below the threshold.</param>
    /// <param name="B">squareplus b (NaN = Keras default).</param>
    public sealed record ReferenceLayer(bool IsDense, int Units, Activation Activation, bool UseBias = true,
        double Alpha = double.NaN, double NegativeSlope = double.NaN, double Threshold = double.NaN, double DefaultValue = double.NaN, double B = double.NaN)
    {
        /// <summary>A Dense layer.</summary>
        public static ReferenceLayer Dense(int units, Activation activation = Activation.Linear, bool useBias = true) => new(true, units, activation, useBias);

        /// <summary>An Activation layer.</summary>
        public static ReferenceLayer Act(Activation activation) => new(false, 0, activation);

        internal double P(double value, double fallback) => double.IsNaN(value) ? fallback : value;
    }

    /// <summary>
    /// A slow, straightforward float64 interpretation of a layer stack with the same parameter layout as generated
    /// models. It is the reference the numeric tests compare generated code with, and the function that float64
    /// finite differences are taken of. Not for production use: it allocates and dispatches on every call.
    /// </summary>
    public sealed class ReferenceNetwork
    {
        private readonly ReferenceLayer[] _layers;
        private readonly int[] _inputs;

        /// <summary>A network with <paramref name="inputSize"/> inputs and <paramref name="layers"/> in order.</summary>
        public ReferenceNetwork(int inputSize, params ReferenceLayer[] layers)
        {
            InputSize = inputSize;
            _layers = layers;
            _inputs = new int[layers.Length];
            int width = inputSize, count = 0;
            for (int l = 0; l < layers.Length; l++)
            {
                _inputs[l] = width;
                int before = layers[l].IsDense ? layers[l].Units : width;
                if (layers[l].IsDense) count += width * layers[l].Units + (layers[l].UseBias ? layers[l].Units : 0);
                width = ActivationCatalog.OutputWidth(layers[l].Activation, before);
            }
            OutputSize = width;
            ParameterCount = count;
        }

        /// <summary>Floats per sample in.</summary>
        public int InputSize { get; }

        /// <summary>Floats per sample out.</summary>
        public int OutputSize { get; }

        /// <summary>Length of the flat parameter vector.</summary>
        public int ParameterCount { get; }

        /// <summary>The last layer's activation.</summary>
        public Activation OutputActivation => _layers[_layers.Length - 1].Activation;

        /// <summary>Forward pass of one sample; also returns the last layer's values before its activation.</summary>
        public double[] Forward(ReadOnlySpan<double> parameters, ReadOnlySpan<double> x, out double[] logits)
        {
            double[] current = x.ToArray();
            logits = current;
            int offset = 0;
            for (int l = 0; l < _layers.Length; l++)
            {
                ReferenceLayer layer = _layers[l];
                double[] z = current;
                if (layer.IsDense)
                {
                    int n = _inputs[l], u = layer.Units;
                    z = new double[u];
                    for (int j = 0; j < u; j++)
                    {
                        double s = layer.UseBias ? parameters[offset + n * u + j] : 0;
                        for (int i = 0; i < n; i++) s += current[i] * parameters[offset + i * u + j];
                        z[j] = s;
                    }
                    offset += n * u + (layer.UseBias ? u : 0);
                }
                logits = z;
                current = Apply(layer, z);
            }
            return current;
        }

        /// <summary>The batch-mean loss of <paramref name="n"/> samples, in float64 (Keras formulas, same logits rule as the runtime).</summary>
        public double Loss(ReadOnlySpan<double> parameters, ReadOnlySpan<double> inputs, ReadOnlySpan<double> targets, int n, Loss loss)
        {
            double total = 0;
            bool fromLogits = loss.UsesLogits(OutputActivation);
            for (int s = 0; s < n; s++)
            {
                double[] y = Forward(parameters, inputs.Slice(s * InputSize, InputSize), out double[] z);
                ReadOnlySpan<double> t = loss.Kind == LossKind.SparseCategoricalCrossentropy ? targets.Slice(s, 1) : targets.Slice(s * OutputSize, OutputSize);
                total += SampleLoss(loss, y, z, t, fromLogits);
            }
            return total / n;
        }

        private static double SampleLoss(Loss loss, double[] y, double[] z, ReadOnlySpan<double> t, bool fromLogits)
        {
            int w = y.Length;
            double sum = 0;
            switch (loss.Kind)
            {
                case LossKind.MeanSquaredError:
                    for (int i = 0; i < w; i++) sum += (y[i] - t[i]) * (y[i] - t[i]);
                    return sum / w;
                case LossKind.MeanAbsoluteError:
                    for (int i = 0; i < w; i++) sum += Math.Abs(y[i] - t[i]);
                    return sum / w;
                case LossKind.Huber:
                    double d = loss.Delta;
                    for (int i = 0; i < w; i++)
                    {
                        double a = Math.Abs(y[i] - t[i]);
                        sum += a <= d ? 0.5 * a * a : d * a - 0.5 * d * d;
                    }
                    return sum / w;
                case LossKind.BinaryCrossentropy:
                    for (int i = 0; i < w; i++)
                    {
                        if (fromLogits)
                        {
                            sum += Math.Max(z[i], 0) - z[i] * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(z[i])));
                        }
                        else
                        {
                            double p = Math.Clamp(y[i], ModelGen.Loss.Epsilon, ModelGen.Loss.OneMinusEpsilon);
                            sum -= t[i] * Math.Log(p) + (1 - t[i]) * Math.Log(1 - p);
                        }
                    }
                    return sum / w;
                default:
                    bool sparse = loss.Kind == LossKind.SparseCategoricalCrossentropy;
                    double[] target = new double[w];
                    if (sparse) target[(int)t[0]] = 1;
                    else t.CopyTo(target);
                    if (fromLogits)
                    {
                        double max = double.NegativeInfinity;
                        foreach (double v in z) max = Math.Max(max, v);
                        double se = 0;
                        foreach (double v in z) se += Math.Exp(v - max);
                        double lse = Math.Log(se) + max;
                        for (int i = 0; i < w; i++) sum -= target[i] * (z[i] - lse);
                        return sum;
                    }
                    double total = 0;
                    foreach (double v in y) total += v;
                    for (int i = 0; i < w; i++) sum -= target[i] * Math.Log(Math.Clamp(y[i] / total, ModelGen.Loss.Epsilon, ModelGen.Loss.OneMinusEpsilon));
                    return sum;
            }
        }

        /// <summary>The activation of a layer over a whole vector, in float64.</summary>
        public static double[] Apply(ReferenceLayer layer, double[] z)
        {
            int n = z.Length;
            var y = new double[ActivationCatalog.OutputWidth(layer.Activation, n)];
            switch (layer.Activation)
            {
                case Activation.Softmax:
                case Activation.LogSoftmax:
                    double max = double.NegativeInfinity;
                    foreach (double v in z) max = Math.Max(max, v);
                    double sum = 0;
                    foreach (double v in z) sum += Math.Exp(v - max);
                    for (int i = 0; i < n; i++) y[i] = layer.Activation == Activation.Softmax ? Math.Exp(z[i] - max) / sum : z[i] - max - Math.Log(sum);
                    return y;
                case Activation.Sparsemax:
                    var sorted = (double[])z.Clone();
                    Array.Sort(sorted);
                    Array.Reverse(sorted);
                    double cumulative = 0, tauSum = 0;
                    int k = 0;
                    for (int i = 0; i < n; i++)
                    {
                        cumulative += sorted[i];
                        if (1 + (i + 1) * sorted[i] > cumulative)
                        {
                            k = i + 1;
                            tauSum = cumulative;
                        }
                    }
                    double tau = (tauSum - 1) / k;
                    for (int i = 0; i < n; i++) y[i] = Math.Max(z[i] - tau, 0);
                    return y;
                case Activation.Glu:
                    int h = n / 2;
                    for (int i = 0; i < h; i++) y[i] = z[i] / (1 + Math.Exp(-z[h + i]));
                    return y;
                default:
                    for (int i = 0; i < n; i++) y[i] = Scalar(layer, z[i]);
                    return y;
            }
        }

        /// <summary>An element-wise activation in float64, with Keras 3 formulas.</summary>
        public static double Scalar(ReferenceLayer layer, double x)
        {
            const double Sqrt2 = 1.4142135623730950488;
            double Sigmoid(double v) => v >= 0 ? 1 / (1 + Math.Exp(-v)) : Math.Exp(v) / (1 + Math.Exp(v));
            double Softplus(double v) => Math.Max(v, 0) + ActivationMath.Log1p(Math.Exp(-Math.Abs(v)));
            double t = layer.P(layer.Threshold, ActivationCatalog.DefaultShrinkThreshold);
            return layer.Activation switch
            {
                Activation.Linear => x,
                Activation.Relu => Math.Max(x, 0),
                Activation.Relu6 => Math.Clamp(x, 0, 6),
                Activation.LeakyRelu => x > 0 ? x : layer.P(layer.NegativeSlope, ActivationCatalog.DefaultNegativeSlope) * x,
                Activation.Elu => x > 0 ? x : layer.P(layer.Alpha, 1) * ActivationMath.Expm1(x),
                Activation.Selu => x > 0 ? ActivationCatalog.SeluScale * x : ActivationCatalog.SeluScale * ActivationCatalog.SeluAlpha * ActivationMath.Expm1(x),
                Activation.Celu => Math.Max(x, 0) + layer.P(layer.Alpha, 1) * ActivationMath.Expm1(Math.Min(x, 0) / layer.P(layer.Alpha, 1)),
                Activation.Gelu => 0.5 * x * ActivationMath.Erfc(-x / Sqrt2),
                Activation.GeluTanh => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x))),
                Activation.Sigmoid => Sigmoid(x),
                Activation.HardSigmoid => Math.Clamp(x + 3, 0, 6) / 6,
                Activation.HardSigmoidKeras2 => Math.Clamp(0.2 * x + 0.5, 0, 1),
                Activation.LogSigmoid => -Softplus(-x),
                Activation.Silu => x * Sigmoid(x),
                Activation.HardSilu => x * Math.Clamp(x + 3, 0, 6) / 6,
                Activation.Tanh => Math.Tanh(x),
                Activation.HardTanh => Math.Clamp(x, -1, 1),
                Activation.TanhShrink => x - Math.Tanh(x),
                Activation.SoftShrink => x > t ? x - t : x < -t ? x + t : 0,
                Activation.HardShrink => Math.Abs(x) > t ? x : 0,
                Activation.Softplus => Softplus(x),
                Activation.Softsign => x / (1 + Math.Abs(x)),
                Activation.SparsePlus => x <= -1 ? 0 : x >= 1 ? x : 0.25 * (x + 1) * (x + 1),
                Activation.SparseSigmoid => Math.Clamp(0.5 * (x + 1), 0, 1),
                Activation.Squareplus => (x + Math.Sqrt(x * x + layer.P(layer.B, ActivationCatalog.DefaultB))) / 2,
                Activation.Exponential => Math.Exp(x),
                Activation.Mish => x * Math.Tanh(Softplus(x)),
                Activation.Threshold => x > layer.Threshold ? x : layer.DefaultValue,
                _ => throw new ArgumentOutOfRangeException(nameof(layer), layer.Activation, "not an element-wise activation"),
            };
        }

        /// <summary>
        /// Float64 central differences of <see cref="Loss(ReadOnlySpan{double}, ReadOnlySpan{double}, ReadOnlySpan{double}, int, ModelGen.Loss)"/>
        /// with respect to every parameter and every input.
        /// </summary>
        public (double[] Parameters, double[] Inputs) NumericGradients(double[] parameters, double[] inputs, double[] targets, int n, Loss loss, double step = 1e-6)
        {
            var dp = new double[parameters.Length];
            var dx = new double[inputs.Length];
            for (int k = 0; k < parameters.Length; k++) dp[k] = Central(parameters, k, step, p => Loss(p, inputs, targets, n, loss));
            for (int k = 0; k < inputs.Length; k++) dx[k] = Central(inputs, k, step, x => Loss(parameters, x, targets, n, loss));
            return (dp, dx);
        }

        private static double Central(double[] values, int k, double step, Func<double[], double> f)
        {
            double original = values[k];
            double h = step * Math.Max(1, Math.Abs(original));
            values[k] = original + h;
            double plus = f(values);
            values[k] = original - h;
            double minus = f(values);
            values[k] = original;
            return (plus - minus) / (2 * h);
        }
    }
}
