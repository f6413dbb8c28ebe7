using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen
{
    /// <summary>
    /// Lane-wise activation functions that generated vector code calls (the JIT inlines them). Exponentials are the BCL's
    /// <c>Vector{N}.Exp</c> (a Cody-Waite polynomial, within an ulp or two; a hand-written polynomial measured no faster here);
    /// tanh avoids the cancellation of 1 - e near 0 with a polynomial branch.
    /// </summary>
    public static class VectorMath
    {

        /// <summary>sigmoid(x) = 1 / (1 + e^-x), lane-wise; 0 and 1 at the extremes, never NaN for finite x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sigmoid(Vector128<float> x) => Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-x));

        /// <summary>silu(x) = x / (1 + e^-x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Silu(Vector128<float> x) => x / (Vector128<float>.One + Vector128.Exp(-x));

        /// <summary>silu'(x) = s (1 + x (1 - s)), s = sigmoid(x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> SiluDerivative(Vector128<float> x)
        {
            Vector128<float> s = Sigmoid(x);
            return s * (Vector128<float>.One + x * (Vector128<float>.One - s));
        }

        /// <summary>tanh(x), lane-wise: an odd Taylor polynomial below |x| = 0.3, (1 - e) / (1 + e) with e = exp(-2|x|) above.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Tanh(Vector128<float> x)
        {
            Vector128<float> ax = Vector128.Abs(x);
            Vector128<float> e = Vector128.Exp(ax * -2f);
            Vector128<float> large = Vector128.CopySign((Vector128<float>.One - e) / (Vector128<float>.One + e), x);
            Vector128<float> x2 = x * x;
            Vector128<float> poly = Vector128.Create(-1382f / 155925f);
            poly = poly * x2 + Vector128.Create(62f / 2835f);
            poly = poly * x2 + Vector128.Create(-17f / 315f);
            poly = poly * x2 + Vector128.Create(2f / 15f);
            poly = poly * x2 + Vector128.Create(-1f / 3f);
            Vector128<float> small = x + x * x2 * poly;
            return Vector128.ConditionalSelect(Vector128.LessThan(ax, Vector128.Create(0.3f)), small, large);
        }


        /// <summary>sigmoid(x) = 1 / (1 + e^-x), lane-wise; 0 and 1 at the extremes, never NaN for finite x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

        /// <summary>silu(x) = x / (1 + e^-x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Silu(Vector256<float> x) => x / (Vector256<float>.One + Vector256.Exp(-x));

        /// <summary>silu'(x) = s (1 + x (1 - s)), s = sigmoid(x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> SiluDerivative(Vector256<float> x)
        {
            Vector256<float> s = Sigmoid(x);
            return s * (Vector256<float>.One + x * (Vector256<float>.One - s));
        }

        /// <summary>tanh(x), lane-wise: an odd Taylor polynomial below |x| = 0.3, (1 - e) / (1 + e) with e = exp(-2|x|) above.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Tanh(Vector256<float> x)
        {
            Vector256<float> ax = Vector256.Abs(x);
            Vector256<float> e = Vector256.Exp(ax * -2f);
            Vector256<float> large = Vector256.CopySign((Vector256<float>.One - e) / (Vector256<float>.One + e), x);
            Vector256<float> x2 = x * x;
            Vector256<float> poly = Vector256.Create(-1382f / 155925f);
            poly = poly * x2 + Vector256.Create(62f / 2835f);
            poly = poly * x2 + Vector256.Create(-17f / 315f);
            poly = poly * x2 + Vector256.Create(2f / 15f);
            poly = poly * x2 + Vector256.Create(-1f / 3f);
            Vector256<float> small = x + x * x2 * poly;
            return Vector256.ConditionalSelect(Vector256.LessThan(ax, Vector256.Create(0.3f)), small, large);
        }


        /// <summary>sigmoid(x) = 1 / (1 + e^-x), lane-wise; 0 and 1 at the extremes, never NaN for finite x.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sigmoid(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));

        /// <summary>silu(x) = x / (1 + e^-x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Silu(Vector512<float> x) => x / (Vector512<float>.One + Vector512.Exp(-x));

        /// <summary>silu'(x) = s (1 + x (1 - s)), s = sigmoid(x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> SiluDerivative(Vector512<float> x)
        {
            Vector512<float> s = Sigmoid(x);
            return s * (Vector512<float>.One + x * (Vector512<float>.One - s));
        }

        /// <summary>tanh(x), lane-wise: an odd Taylor polynomial below |x| = 0.3, (1 - e) / (1 + e) with e = exp(-2|x|) above.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Tanh(Vector512<float> x)
        {
            Vector512<float> ax = Vector512.Abs(x);
            Vector512<float> e = Vector512.Exp(ax * -2f);
            Vector512<float> large = Vector512.CopySign((Vector512<float>.One - e) / (Vector512<float>.One + e), x);
            Vector512<float> x2 = x * x;
            Vector512<float> poly = Vector512.Create(-1382f / 155925f);
            poly = poly * x2 + Vector512.Create(62f / 2835f);
            poly = poly * x2 + Vector512.Create(-17f / 315f);
            poly = poly * x2 + Vector512.Create(2f / 15f);
            poly = poly * x2 + Vector512.Create(-1f / 3f);
            Vector512<float> small = x + x * x2 * poly;
            return Vector512.ConditionalSelect(Vector512.LessThan(ax, Vector512.Create(0.3f)), small, large);
        }
    }
}
