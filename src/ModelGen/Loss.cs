using System;

namespace ModelGen
{
    /// <summary>The kinds of <see cref="Loss"/>.</summary>
    public enum LossKind
    {
        /// <summary>Mean over outputs of (y - t)^2.</summary>
        MeanSquaredError,
        /// <summary>Mean over outputs of abs(y - t).</summary>
        MeanAbsoluteError,
        /// <summary>Mean over outputs of -(t log p + (1 - t) log(1 - p)).</summary>
        BinaryCrossentropy,
        /// <summary>-sum t log p over the outputs.</summary>
        CategoricalCrossentropy,
        /// <summary>-log p[class], with one class index per sample.</summary>
        SparseCategoricalCrossentropy,
        /// <summary>Mean over outputs of 0.5 e^2 (abs(e) &lt;= delta) or delta abs(e) - 0.5 delta^2.</summary>
        Huber,
    }

    /// <summary>
    /// A Keras 3 loss with reduction <c>sum_over_batch_size</c> (the mean over samples of the per-sample loss).
    /// After a Softmax (Sigmoid) output layer, categorical and sparse categorical (binary) cross-entropy are computed
    /// from the logits: the loss is exact and the gradient is p - y even in saturated rows. Otherwise probabilities are
    /// clipped to [float32(1e-7), float32(1 - 1e-7)] and clipped entries get zero gradient.
    /// </summary>
    public sealed class Loss
    {
        /// <summary>float32(1e-7) as Keras applies it.</summary>
        public const double Epsilon = 1.0000000116860974e-07;
        /// <summary>float32(1 - 1e-7) = 1 - 2^-23.</summary>
        public const double OneMinusEpsilon = 1 - 1.0 / (1 << 23);

        private static readonly Loss s_huber = new(LossKind.Huber, 1f);

        private Loss(LossKind kind, float delta)
        {
            Kind = kind;
            Delta = delta;
        }

        /// <summary>Which loss this is.</summary>
        public LossKind Kind { get; }

        /// <summary>Huber's delta (1 for the other losses, where it is unused).</summary>
        public float Delta { get; }

        /// <summary>Mean squared error.</summary>
        public static Loss MeanSquaredError { get; } = new(LossKind.MeanSquaredError, 1f);
        /// <summary>Mean absolute error.</summary>
        public static Loss MeanAbsoluteError { get; } = new(LossKind.MeanAbsoluteError, 1f);
        /// <summary>Binary cross-entropy; targets in [0, 1].</summary>
        public static Loss BinaryCrossentropy { get; } = new(LossKind.BinaryCrossentropy, 1f);
        /// <summary>Categorical cross-entropy; targets are distributions (one-hot rows).</summary>
        public static Loss CategoricalCrossentropy { get; } = new(LossKind.CategoricalCrossentropy, 1f);
        /// <summary>Sparse categorical cross-entropy; targets are one class index per sample, stored as floats.</summary>
        public static Loss SparseCategoricalCrossentropy { get; } = new(LossKind.SparseCategoricalCrossentropy, 1f);

        /// <summary>Huber loss with threshold <paramref name="delta"/> (Keras default 1).</summary>
        public static Loss Huber(float delta = 1f)
        {
            if (!(delta > 0) || float.IsInfinity(delta)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber delta must be positive and finite.");
            return delta == 1f ? s_huber : new Loss(LossKind.Huber, delta);
        }

        /// <inheritdoc/>
        public override string ToString() => Kind == LossKind.Huber ? $"Huber(delta: {Delta})" : Kind.ToString();

        /// <summary>Floats of targets expected for <paramref name="n"/> samples of <paramref name="width"/> outputs.</summary>
        public int TargetLength(int n, int width) => Kind == LossKind.SparseCategoricalCrossentropy ? n : n * width;

        /// <summary>True when, after <paramref name="outputActivation"/>, this loss is computed from the logits.</summary>
        public bool UsesLogits(Activation outputActivation) => Kind switch
        {
            LossKind.CategoricalCrossentropy or LossKind.SparseCategoricalCrossentropy => outputActivation == Activation.Softmax,
            LossKind.BinaryCrossentropy => outputActivation == Activation.Sigmoid,
            _ => false,
        };

        /// <summary>
        /// Checks <paramref name="targets"/> for <paramref name="n"/> samples: the length, and for sparse
        /// cross-entropy that each class index is an integer in [0, <paramref name="width"/>).
        /// </summary>
        public void ValidateTargets(ReadOnlySpan<float> targets, int n, int width)
        {
            int expected = TargetLength(n, width);
            if (targets.Length != expected)
            {
                string what = Kind == LossKind.SparseCategoricalCrossentropy
                    ? $"one class index per sample for {n} sample(s)"
                    : $"n * OutputSize = {n} * {width} for {n} sample(s)";
                throw new ArgumentException($"targets has {targets.Length} floats; expected {expected} ({what}) for {this}.", nameof(targets));
            }
            if (Kind == LossKind.SparseCategoricalCrossentropy)
            {
                for (int s = 0; s < n; s++)
                {
                    float c = targets[s];
                    if (!(c >= 0 && c < width) || c != MathF.Floor(c))
                    {
                        throw new ArgumentOutOfRangeException(nameof(targets), c,
                            $"targets[{s}] = {c} is not a class index: expected an integer in [0, {width - 1}].");
                    }
                }
            }
        }

        /// <summary>
        /// Computes the batch-mean loss of <paramref name="n"/> samples and writes its gradient to
        /// <paramref name="gradient"/> (<c>n * width</c> floats): with respect to <paramref name="logits"/> when
        /// <see cref="UsesLogits"/> is true for <paramref name="outputActivation"/>, else with respect to
        /// <paramref name="outputs"/>. Targets must have been validated. A non-finite loss throws
        /// <see cref="ArithmeticException"/> (the gradient is then unspecified).
        /// </summary>
        public float Evaluate(ReadOnlySpan<float> outputs, ReadOnlySpan<float> logits, ReadOnlySpan<float> targets,
                              int n, int width, Activation outputActivation, Span<float> gradient)
        {
            double total = 0;
            double scale = 1.0 / n;
            bool fromLogits = UsesLogits(outputActivation);
            if (fromLogits && Kind is LossKind.CategoricalCrossentropy or LossKind.SparseCategoricalCrossentropy)
            {
                total = CategoricalFromLogits(logits, targets, Kind == LossKind.SparseCategoricalCrossentropy, n, width, gradient, scale);
            }
            else for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> y = outputs.Slice(s * width, width);
                ReadOnlySpan<float> z = fromLogits ? logits.Slice(s * width, width) : default;
                Span<float> g = gradient.Slice(s * width, width);
                ReadOnlySpan<float> t = Kind == LossKind.SparseCategoricalCrossentropy ? targets.Slice(s, 1) : targets.Slice(s * width, width);
                total += Kind switch
                {
                    LossKind.MeanSquaredError => MeanSquared(y, t, g, scale),
                    LossKind.MeanAbsoluteError => MeanAbsolute(y, t, g, scale),
                    LossKind.Huber => HuberLoss(y, t, g, scale, Delta),
                    LossKind.BinaryCrossentropy => fromLogits ? BinaryFromLogits(z, t, g, scale) : BinaryFromProbabilities(y, t, g, scale),
                    LossKind.CategoricalCrossentropy => CategoricalFromProbabilities(y, t, -1, g, scale),
                    _ => CategoricalFromProbabilities(y, default, (int)t[0], g, scale),
                };
            }
            float loss = (float)(total * scale);
            if (!float.IsFinite(loss))
            {
                throw new ArithmeticException($"{this} is {loss} for this batch; no gradient was produced and the parameters are unchanged.");
            }
            return loss;
        }

        private static double MeanSquared(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> g, double scale)
        {
            double sum = 0, k = scale / y.Length;
            for (int i = 0; i < y.Length; i++)
            {
                double e = (double)y[i] - t[i];
                sum += e * e;
                g[i] = (float)(2 * e * k);
            }
            return sum / y.Length;
        }

        private static double MeanAbsolute(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> g, double scale)
        {
            double sum = 0, k = scale / y.Length;
            for (int i = 0; i < y.Length; i++)
            {
                double e = (double)y[i] - t[i];
                sum += Math.Abs(e);
                g[i] = (float)(Math.Sign(e) * k);
            }
            return sum / y.Length;
        }

        private static double HuberLoss(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> g, double scale, double delta)
        {
            double sum = 0, k = scale / y.Length;
            for (int i = 0; i < y.Length; i++)
            {
                double e = (double)y[i] - t[i];
                double a = Math.Abs(e);
                if (a <= delta)
                {
                    sum += 0.5 * e * e;
                    g[i] = (float)(e * k);
                }
                else
                {
                    sum += delta * a - 0.5 * delta * delta;
                    g[i] = (float)(delta * Math.Sign(e) * k);
                }
            }
            return sum / y.Length;
        }

        private static double BinaryFromLogits(ReadOnlySpan<float> z, ReadOnlySpan<float> t, Span<float> g, double scale)
        {
            double sum = 0, k = scale / z.Length;
            for (int i = 0; i < z.Length; i++)
            {
                double zi = z[i];
                // One exponential serves both: e = e^-|z|, log(1 + e^-z) = max(-z, 0) + log1p(e), sigmoid(z) = 1 / (1 + e) or e / (1 + e).
                double e = Math.Exp(-Math.Abs(zi));
                sum += Math.Max(zi, 0) - zi * t[i] + ActivationMath.Log1p(e);
                double p = (zi >= 0 ? 1 : e) / (1 + e);
                g[i] = (float)((p - t[i]) * k);
            }
            return sum / z.Length;
        }

        private static double BinaryFromProbabilities(ReadOnlySpan<float> y, ReadOnlySpan<float> t, Span<float> g, double scale)
        {
            double sum = 0, k = scale / y.Length;
            for (int i = 0; i < y.Length; i++)
            {
                double p = y[i];
                bool clipped = p < Epsilon || p > OneMinusEpsilon;
                p = Math.Clamp(p, Epsilon, OneMinusEpsilon);
                sum -= t[i] * Math.Log(p) + (1 - t[i]) * Math.Log(1 - p);
                g[i] = clipped ? 0f : (float)((-t[i] / p + (1 - t[i]) / (1 - p)) * k);
            }
            return sum / y.Length;
        }

        // The whole batch at once, after a softmax output; targets as distributions or, for the sparse loss, class indices: g first holds each row's logits minus the row maximum, then their
        // exponentials (one vectorized pass, VectorMath.Exp: within 2.2e-7 relative of float64), then p * sum(t) - t, scaled.
        // Sums, logarithms and the loss are float64. Returns the sum over samples of -sum t log p.
        private static double CategoricalFromLogits(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, bool sparse, int n, int width, Span<float> gradient, double scale)
        {
            Span<float> all = gradient.Slice(0, n * width);
            for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> z = logits.Slice(s * width, width);
                Span<float> g = all.Slice(s * width, width);
                float max = MaxOf(z);
                for (int i = 0; i < z.Length; i++) g[i] = z[i] - max;
            }
            VectorMath.ExpInPlace(all);
            double total = 0;
            for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> z = logits.Slice(s * width, width);
                Span<float> g = all.Slice(s * width, width);
                double sumExp = 0;
                for (int i = 0; i < g.Length; i++) sumExp += g[i];
                // log sum e^z, the row maximum added back (found again: one scan of the row, cheaper than keeping n maxima).
                double logSum = Math.Log(sumExp) + MaxOf(z);
                double sumT = 0, loss = 0;
                int cls = sparse ? (int)targets[s] : -1;
                if (sparse)
                {
                    sumT = 1;
                    loss = logSum - z[cls];
                }
                else
                {
                    ReadOnlySpan<float> t = targets.Slice(s * width, width);
                    for (int i = 0; i < z.Length; i++)
                    {
                        sumT += t[i];
                        loss -= t[i] * (z[i] - logSum);
                    }
                }
                double k = sumT / sumExp;
                for (int i = 0; i < g.Length; i++)
                {
                    double ti = sparse ? (i == cls ? 1 : 0) : targets[s * width + i];
                    g[i] = (float)((g[i] * k - ti) * scale);
                }
                total += loss;
            }
            return total;
        }

        private static float MaxOf(ReadOnlySpan<float> z)
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < z.Length; i++) max = MathF.Max(max, z[i]);
            return max;
        }

        // Targets either as a distribution t or, for the sparse loss, as one class index.
        private static double CategoricalFromProbabilities(ReadOnlySpan<float> y, ReadOnlySpan<float> t, int cls, Span<float> g, double scale)
        {
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += y[i];
            double loss = 0, dot = 0;
            // g first holds dL/dq for the normalised, clipped q = clip(p / s).
            for (int i = 0; i < y.Length; i++)
            {
                double ti = cls >= 0 ? (i == cls ? 1 : 0) : t[i];
                double q = y[i] / s;
                bool clipped = q < Epsilon || q > OneMinusEpsilon;
                q = Math.Clamp(q, Epsilon, OneMinusEpsilon);
                loss -= ti * Math.Log(q);
                double gq = clipped ? 0 : -ti / q;
                g[i] = (float)gq;
                dot += gq * y[i] / s;
            }
            // dq_i/dp_j = (delta_ij - q_i) / s  =>  dL/dp_j = (gq_j - sum_i gq_i q_i) / s.
            for (int i = 0; i < y.Length; i++) g[i] = (float)((g[i] - dot) / s * scale);
            return loss;
        }
    }
}
