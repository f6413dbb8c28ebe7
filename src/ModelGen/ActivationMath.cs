using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen
{
    /// <summary>
    /// Keras 3 activation formulas and their derivatives, in float with double intermediates where accuracy needs
    /// them. Generated code calls these small methods (the JIT inlines them) or writes the simplest ones inline;
    /// the reference model in this library uses the same methods. Derivatives at kinks follow Keras's torch backend.
    /// Each derivative takes the saved input <c>x</c> and output <c>y</c> and uses whichever is stable.
    /// </summary>
    public static class ActivationMath
    {
        private const double InvSqrt2 = 0.70710678118654752440084436210485;
        private const double InvSqrtPi = 0.56418958354775628694807945156077;
        private const double SqrtTwoOverPi = 0.79788456080286535587989211986876;
        private const double GeluTanhCoefficient = 0.044715;

        // ---- helpers -------------------------------------------------------------------------------------------

        /// <summary>exp(x) - 1 without cancellation near 0.</summary>
        public static double Expm1(double x) => Math.Abs(x) < 1e-5 ? x * (1 + x * (0.5 + x / 6)) : Math.Exp(x) - 1;

        /// <summary>log(1 + u) without cancellation near 0.</summary>
        public static double Log1p(double u) => Math.Abs(u) < 1e-4 ? u * (1 - u * (0.5 - u * (1.0 / 3 - u * 0.25))) : Math.Log(1 + u);

        /// <summary>The error function, accurate to about 1e-15.</summary>
        public static double Erf(double x)
        {
            double ax = Math.Abs(x);
            double r = ax < 3 ? ErfSeries(ax) : 1 - ErfcContinuedFraction(ax);
            return x < 0 ? -r : r;
        }

        /// <summary>The complementary error function 1 - erf(x), accurate in the tails.</summary>
        public static double Erfc(double x)
        {
            if (x < 0) return 2 - Erfc(-x);
            return x < 3 ? 1 - ErfSeries(x) : ErfcContinuedFraction(x);
        }

        // erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1*3*...*(2n+1)); all terms positive.
        private static double ErfSeries(double x)
        {
            double x2 = x * x, term = x, sum = x;
            for (int n = 1; n < 200; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) break;
            }
            return 2 * InvSqrtPi * Math.Exp(-x2) * sum;
        }

        // erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up.
        private static double ErfcContinuedFraction(double x)
        {
            double f = x;
            for (int k = 60; k >= 1; k--)
            {
                f = x + k * 0.5 / f;
            }
            return InvSqrtPi * Math.Exp(-x * x) / f;
        }

        // ---- element-wise functions ------------------------------------------------------------------------------

        /// <summary>sigmoid(x) = 1 / (1 + e^-x); finite for x of either sign.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

        /// <summary>silu'(x) = s (1 + x (1 - s)), s = sigmoid(x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SiluDerivative(float x)
        {
            float s = Sigmoid(x);
            return s * (1f + x * (1f - s));
        }

        /// <summary>tanh_shrink'(x) = tanh(x)^2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float TanhShrinkDerivative(float x)
        {
            float t = MathF.Tanh(x);
            return t * t;
        }

        /// <summary>softsign'(x) = 1 / (1 + abs(x))^2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SoftsignDerivative(float x)
        {
            float d = 1f + MathF.Abs(x);
            return 1f / (d * d);
        }

        /// <summary>elu(x) = x &gt; 0 ? x : alpha (e^x - 1).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Elu(float x, float alpha) => x > 0f ? x : (float)(alpha * Expm1(x));

        /// <summary>elu'(x) = x &gt; 0 ? 1 : alpha e^x (from x; alpha e^x = y + alpha).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float EluDerivative(float x, float alpha) => x > 0f ? 1f : (float)(alpha * Math.Exp(x));

        /// <summary>selu(x) = scale elu(x, alpha) with Keras's constants.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Selu(float x) => (float)(x > 0f ? ActivationCatalog.SeluScale * x : ActivationCatalog.SeluScale * ActivationCatalog.SeluAlpha * Expm1(x));

        /// <summary>selu'(x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SeluDerivative(float x) => (float)(x > 0f ? ActivationCatalog.SeluScale : ActivationCatalog.SeluScale * ActivationCatalog.SeluAlpha * Math.Exp(x));

        /// <summary>celu(x) = max(x, 0) + alpha expm1(min(x, 0) / alpha).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Celu(float x, float alpha) => (float)(Math.Max(x, 0.0) + alpha * Expm1(Math.Min(x, 0.0) / alpha));

        /// <summary>celu'(x) = x &gt; 0 ? 1 : e^(x / alpha).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float CeluDerivative(float x, float alpha) => x > 0f ? 1f : (float)Math.Exp(x / (double)alpha);

        /// <summary>gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2), the exact form.</summary>
        public static float Gelu(float x) => (float)(0.5 * x * Erfc(-x * InvSqrt2));

        /// <summary>gelu'(x) = Phi(x) + x phi(x).</summary>
        public static float GeluDerivative(float x)
        {
            double cdf = 0.5 * Erfc(-x * InvSqrt2);
            double pdf = Math.Exp(-0.5 * (double)x * x) * InvSqrt2 * InvSqrtPi;
            return (float)(cdf + x * pdf);
        }

        /// <summary>gelu with the tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float GeluTanh(float x)
        {
            double u = SqrtTwoOverPi * (x + GeluTanhCoefficient * (double)x * x * x);
            return (float)(0.5 * x * (1 + Math.Tanh(u)));
        }

        /// <summary>Derivative of <see cref="GeluTanh"/>.</summary>
        public static float GeluTanhDerivative(float x)
        {
            double xd = x;
            double u = SqrtTwoOverPi * (xd + GeluTanhCoefficient * xd * xd * xd);
            double t = Math.Tanh(u);
            double du = SqrtTwoOverPi * (1 + 3 * GeluTanhCoefficient * xd * xd);
            return (float)(0.5 * (1 + t) + 0.5 * xd * (1 - t * t) * du);
        }

        /// <summary>softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Softplus(float x) => (float)(Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs((double)x))));

        /// <summary>log_sigmoid(x) = -softplus(-x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LogSigmoid(float x) => -Softplus(-x);

        /// <summary>log_sigmoid'(x) = sigmoid(-x).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float LogSigmoidDerivative(float x) => Sigmoid(-x);

        /// <summary>mish(x) = x tanh(softplus(x)).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Mish(float x) => (float)(x * Math.Tanh(Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs((double)x)))));

        /// <summary>mish'(x) = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2), sp = softplus(x).</summary>
        public static float MishDerivative(float x)
        {
            double sp = Math.Max(x, 0.0) + Log1p(Math.Exp(-Math.Abs((double)x)));
            double t = Math.Tanh(sp);
            double s = 1 / (1 + Math.Exp(-(double)x));
            return (float)(t + x * s * (1 - t * t));
        }

        /// <summary>squareplus(x) = (x + sqrt(x^2 + b)) / 2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Squareplus(float x, float b) => (float)((x + Math.Sqrt((double)x * x + b)) * 0.5);

        /// <summary>squareplus'(x) = (1 + x / sqrt(x^2 + b)) / 2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float SquareplusDerivative(float x, float b) => (float)((1 + x / Math.Sqrt((double)x * x + b)) * 0.5);

        // ---- vector-wise functions -------------------------------------------------------------------------------

        /// <summary>
        /// softmax over <paramref name="x"/>: exp(x - max) / sum, finite for inputs of +/-1000; works in place. Widths of 4
        /// to 16 run as two overlapping vectors (the first and the last 4 or 8 values) with <see cref="VectorMath.Exp(Vector256{float})"/>,
        /// instead of one C runtime call per value (about 15 ns of latency each here): the overlap's lanes are counted once
        /// in the sum and stored twice with the same value.
        /// </summary>
        public static void Softmax(ReadOnlySpan<float> x, Span<float> y)
        {
            int n = x.Length;
            if (y.Length < n) throw new ArgumentException("The output is shorter than the input.", nameof(y));
            if (n >= 8 && n <= 16 && Vector256.IsHardwareAccelerated)
            {
                ref float xs = ref MemoryMarshal.GetReference(x);
                ref float ys = ref MemoryMarshal.GetReference(y);
                Vector256<float> a = Vector256.LoadUnsafe(ref xs), b = Vector256.LoadUnsafe(ref xs, (nuint)(n - 8));
                Vector256<float> shift = Vector256.Create(Max(Vector256.Max(a, b)));
                Vector256<float> ea = VectorMath.Exp(a - shift), eb = VectorMath.Exp(b - shift);
                // b's lanes below 16 - n repeat a's last ones.
                Vector256<float> fresh = Vector256.GreaterThanOrEqual(Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7), Vector256.Create((float)(16 - n)));
                Vector256<float> scale = Vector256.Create(1f / Vector256.Sum(ea + (eb & fresh)));
                (ea * scale).StoreUnsafe(ref ys);
                (eb * scale).StoreUnsafe(ref ys, (nuint)(n - 8));
                return;
            }
            if (n >= 4 && n < 8 && Vector128.IsHardwareAccelerated)
            {
                ref float xs = ref MemoryMarshal.GetReference(x);
                ref float ys = ref MemoryMarshal.GetReference(y);
                Vector128<float> a = Vector128.LoadUnsafe(ref xs), b = Vector128.LoadUnsafe(ref xs, (nuint)(n - 4));
                Vector128<float> shift = Vector128.Create(Max(Vector128.Max(a, b)));
                Vector128<float> ea = VectorMath.Exp(a - shift), eb = VectorMath.Exp(b - shift);
                Vector128<float> fresh = Vector128.GreaterThanOrEqual(Vector128.Create(0f, 1, 2, 3), Vector128.Create((float)(8 - n)));
                Vector128<float> scale = Vector128.Create(1f / Vector128.Sum(ea + (eb & fresh)));
                (ea * scale).StoreUnsafe(ref ys);
                (eb * scale).StoreUnsafe(ref ys, (nuint)(n - 4));
                return;
            }
            float max = float.NegativeInfinity;
            for (int i = 0; i < n; i++) max = MathF.Max(max, x[i]);
            float sum = 0f;
            for (int i = 0; i < n; i++)
            {
                float e = MathF.Exp(x[i] - max);
                y[i] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int i = 0; i < n; i++) y[i] *= inv;
        }

        // The largest lane (NaN if any lane is NaN, as MathF.Max).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Max(Vector256<float> v) => Max(Vector128.Max(v.GetLower(), v.GetUpper()));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Max(Vector128<float> v)
        {
            v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
            v = Vector128.Max(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
            return v.ToScalar();
        }

        /// <summary>Vector-Jacobian product of softmax: dx = y (dy - sum(dy y)).</summary>
        public static void SoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        {
            float dot = 0f;
            for (int i = 0; i < y.Length; i++) dot += dy[i] * y[i];
            for (int i = 0; i < y.Length; i++) dx[i] = y[i] * (dy[i] - dot);
        }

        /// <summary>log_softmax over <paramref name="x"/>: x - max - log(sum exp(x - max)).</summary>
        public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y)
        {
            float max = float.NegativeInfinity;
            for (int i = 0; i < x.Length; i++) max = MathF.Max(max, x[i]);
            double sum = 0;
            for (int i = 0; i < x.Length; i++) sum += Math.Exp(x[i] - max);
            float log = (float)Math.Log(sum);
            for (int i = 0; i < x.Length; i++) y[i] = x[i] - max - log;
        }

        /// <summary>Vector-Jacobian product of log_softmax: dx = dy - softmax(x) sum(dy), with softmax = e^y.</summary>
        public static void LogSoftmaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        {
            float sum = 0f;
            for (int i = 0; i < y.Length; i++) sum += dy[i];
            for (int i = 0; i < y.Length; i++) dx[i] = dy[i] - MathF.Exp(y[i]) * sum;
        }

        /// <summary>
        /// sparsemax over <paramref name="x"/>: the Euclidean projection onto the probability simplex
        /// (the correct definition; see KERAS.md on keras-team/keras#23425). Allocation-free for widths up to 1024.
        /// </summary>
        public static void Sparsemax(ReadOnlySpan<float> x, Span<float> y)
        {
            int n = x.Length;
            float[]? rented = null;
            Span<float> sorted = n <= 1024 ? stackalloc float[n] : (rented = System.Buffers.ArrayPool<float>.Shared.Rent(n)).AsSpan(0, n);
            x.CopyTo(sorted);
            sorted.Sort();
            sorted.Reverse();
            double cumulative = 0, tauSum = 0;
            int k = 0;
            for (int i = 0; i < n; i++)
            {
                cumulative += sorted[i];
                if (1 + (i + 1) * (double)sorted[i] > cumulative)
                {
                    k = i + 1;
                    tauSum = cumulative;
                }
            }
            float tau = (float)((tauSum - 1) / k);
            for (int i = 0; i < n; i++) y[i] = MathF.Max(x[i] - tau, 0f);
            if (rented is not null) System.Buffers.ArrayPool<float>.Shared.Return(rented);
        }

        /// <summary>Vector-Jacobian product of sparsemax: on the support S (y &gt; 0), dx = dy - mean_S(dy); 0 elsewhere.</summary>
        public static void SparsemaxBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
        {
            float sum = 0f;
            int count = 0;
            for (int i = 0; i < y.Length; i++)
            {
                if (y[i] > 0f)
                {
                    sum += dy[i];
                    count++;
                }
            }
            float mean = count > 0 ? sum / count : 0f;
            for (int i = 0; i < y.Length; i++) dx[i] = y[i] > 0f ? dy[i] - mean : 0f;
        }

        /// <summary>glu: the first half a and second half b of <paramref name="x"/> give y = a sigmoid(b) (half the width).</summary>
        public static void Glu(ReadOnlySpan<float> x, Span<float> y)
        {
            int h = x.Length / 2;
            for (int i = 0; i < h; i++) y[i] = x[i] * Sigmoid(x[h + i]);
        }

        /// <summary>Vector-Jacobian product of glu: da = dy sigmoid(b), db = dy a sigmoid(b) (1 - sigmoid(b)).</summary>
        public static void GluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
        {
            int h = x.Length / 2;
            for (int i = 0; i < h; i++)
            {
                float s = Sigmoid(x[h + i]);
                dx[i] = dy[i] * s;
                dx[h + i] = dy[i] * x[i] * s * (1f - s);
            }
        }
    }
}
