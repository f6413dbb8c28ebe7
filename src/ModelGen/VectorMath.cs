using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen
{
    /// <summary>
    /// Lane-wise activation functions that generated vector code calls (the JIT inlines them). <c>Exp</c> is ModelGen's own
    /// float polynomial: the BCL's <c>Vector{N}.Exp</c> for floats works in double (two double vectors per float vector)
    /// and took 1.7x as long on Zen 1 (20-25 against 12-13 ns per 8 lanes). tanh avoids the cancellation of 1 - e near 0
    /// with a polynomial branch.
    /// </summary>
    public static class VectorMath
    {
        /// <summary>e^x for every value of <paramref name="values"/>, in place: <c>Exp</c> on 8 or 4 lanes, one lane at a time at the end.</summary>
        internal static void ExpInPlace(System.Span<float> values)
        {
            ref float r = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
            nuint n = (nuint)values.Length, i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 8 <= n; i += 8) Exp(Vector256.LoadUnsafe(ref r, i)).StoreUnsafe(ref r, i);
            }
            for (; i + 4 <= n; i += 4) Exp(Vector128.LoadUnsafe(ref r, i)).StoreUnsafe(ref r, i);
            for (; i < n; i++) Unsafe.Add(ref r, i) = Exp(Vector128.CreateScalar(Unsafe.Add(ref r, i))).ToScalar();
        }

        // a * b + c on the 128-bit tier, which also serves machines without FMA (a software FusedMultiplyAdd would be slow).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
            System.Runtime.Intrinsics.X86.Fma.IsSupported ? System.Runtime.Intrinsics.X86.Fma.MultiplyAdd(a, b, c) : a * b + c;

        /// <summary>
        /// e^x, lane-wise: x = n ln 2 + r with |r| &lt;= ln 2 / 2 (Cody-Waite, ln 2 in two parts), e^r by its degree-6 Taylor
        /// polynomial, and 2^n built in the exponent field in two halves, so that subnormal results come out. Within 2.2e-7
        /// relative of float64 <see cref="System.Math.Exp"/> where the result is normal; +infinity above 88.72, 0 below -103.98,
        /// NaN for NaN.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Exp(Vector128<float> x)
        {
            Vector128<float> p = ExpOfRemainder(x, out Vector128<float> n);
            Vector128<int> k = Vector128.ConvertToInt32Native(Vector128.MinNative(Vector128.MaxNative(n, Vector128.Create(-252f)), Vector128.Create(254f)));
            Vector128<int> half = k >> 1;
            Vector128<float> scale1 = ((half + Vector128.Create(127)) << 23).AsSingle();
            Vector128<float> scale2 = ((k - half + Vector128.Create(127)) << 23).AsSingle();
            Vector128<float> e = p * scale1 * scale2;
            e = Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128.Create(88.7228394f)), Vector128.Create(float.PositiveInfinity), e);
            return Vector128.ConditionalSelect(Vector128.LessThan(x, Vector128.Create(-103.972076f)), Vector128<float>.Zero, e);
        }

        // x = n ln 2 + r with |r| <= ln 2 / 2 (Cody-Waite, ln 2 in two parts); returns e^r by its degree-6 Taylor polynomial.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ExpOfRemainder(Vector128<float> x, out Vector128<float> n)
        {
            n = Vector128.Round(x * Vector128.Create(1.44269504f));
            Vector128<float> r = MultiplyAdd(n, Vector128.Create(-0.693145752f), x);
            r = MultiplyAdd(n, Vector128.Create(-1.42860677e-6f), r);
            Vector128<float> p = MultiplyAdd(Vector128.Create(1f / 720), r, Vector128.Create(1f / 120));
            p = MultiplyAdd(p, r, Vector128.Create(1f / 24));
            p = MultiplyAdd(p, r, Vector128.Create(1f / 6));
            p = MultiplyAdd(p, r, Vector128.Create(0.5f));
            p = MultiplyAdd(p, r, Vector128<float>.One);
            p = MultiplyAdd(p, r, Vector128<float>.One);
            return p;
        }

        /// <summary>
        /// e^y for y &lt;= 0 (NaN stays NaN), for sigmoid, silu and tanh: the reduction and polynomial of <see cref="Exp(Vector128{float})"/>
        /// with 2^n built as 2^(n + 64) x 2^-64 (one rounding, so subnormal results come out) and no overflow case to handle.
        /// About 20 % cheaper than <c>Exp</c>. Below -104 it returns 0 or the smallest subnormal.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector128<float> ExpOfNonPositive(Vector128<float> y)
        {
            y = Vector128.Max(y, Vector128.Create(-104f));
            Vector128<float> p = ExpOfRemainder(y, out Vector128<float> n);
            Vector128<float> scale = ((Vector128.ConvertToInt32Native(n) + Vector128.Create(191)) << 23).AsSingle();
            return p * scale * Vector128.Create(5.42101086e-20f);
        }

        /// <summary>
        /// sigmoid(x) = 1 / (1 + e^-x), lane-wise, computed as 1 / (1 + e) for x &gt;= 0 and e / (1 + e) below, with
        /// e = e^-|x| (which never overflows); 0 and 1 at the extremes, never NaN for finite x.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sigmoid(Vector128<float> x)
        {
            Vector128<float> e = ExpOfNonPositive(-Vector128.Abs(x));
            return Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(x, Vector128<float>.Zero), Vector128<float>.One, e) / (Vector128<float>.One + e);
        }

        /// <summary>silu(x) = x sigmoid(x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Silu(Vector128<float> x) => x * Sigmoid(x);

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
            Vector128<float> e = ExpOfNonPositive(ax * -2f);
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


        /// <summary>
        /// e^x, lane-wise: x = n ln 2 + r with |r| &lt;= ln 2 / 2 (Cody-Waite, ln 2 in two parts), e^r by its degree-6 Taylor
        /// polynomial, and 2^n built in the exponent field in two halves, so that subnormal results come out. Within 2.2e-7
        /// relative of float64 <see cref="System.Math.Exp"/> where the result is normal; +infinity above 88.72, 0 below -103.98,
        /// NaN for NaN.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Exp(Vector256<float> x)
        {
            Vector256<float> p = ExpOfRemainder(x, out Vector256<float> n);
            Vector256<int> k = Vector256.ConvertToInt32Native(Vector256.MinNative(Vector256.MaxNative(n, Vector256.Create(-252f)), Vector256.Create(254f)));
            Vector256<int> half = k >> 1;
            Vector256<float> scale1 = ((half + Vector256.Create(127)) << 23).AsSingle();
            Vector256<float> scale2 = ((k - half + Vector256.Create(127)) << 23).AsSingle();
            Vector256<float> e = p * scale1 * scale2;
            e = Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(88.7228394f)), Vector256.Create(float.PositiveInfinity), e);
            return Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256.Create(-103.972076f)), Vector256<float>.Zero, e);
        }

        // x = n ln 2 + r with |r| <= ln 2 / 2 (Cody-Waite, ln 2 in two parts); returns e^r by its degree-6 Taylor polynomial.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ExpOfRemainder(Vector256<float> x, out Vector256<float> n)
        {
            n = Vector256.Round(x * Vector256.Create(1.44269504f));
            Vector256<float> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-0.693145752f), x);
            r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-1.42860677e-6f), r);
            Vector256<float> p = Vector256.FusedMultiplyAdd(Vector256.Create(1f / 720), r, Vector256.Create(1f / 120));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 24));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1f / 6));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5f));
            p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
            p = Vector256.FusedMultiplyAdd(p, r, Vector256<float>.One);
            return p;
        }

        /// <summary>
        /// e^y for y &lt;= 0 (NaN stays NaN), for sigmoid, silu and tanh: the reduction and polynomial of <see cref="Exp(Vector256{float})"/>
        /// with 2^n built as 2^(n + 64) x 2^-64 (one rounding, so subnormal results come out) and no overflow case to handle.
        /// About 20 % cheaper than <c>Exp</c>. Below -104 it returns 0 or the smallest subnormal.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> ExpOfNonPositive(Vector256<float> y)
        {
            y = Vector256.Max(y, Vector256.Create(-104f));
            Vector256<float> p = ExpOfRemainder(y, out Vector256<float> n);
            Vector256<float> scale = ((Vector256.ConvertToInt32Native(n) + Vector256.Create(191)) << 23).AsSingle();
            return p * scale * Vector256.Create(5.42101086e-20f);
        }

        /// <summary>
        /// sigmoid(x) = 1 / (1 + e^-x), lane-wise, computed as 1 / (1 + e) for x &gt;= 0 and e / (1 + e) below, with
        /// e = e^-|x| (which never overflows); 0 and 1 at the extremes, never NaN for finite x.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sigmoid(Vector256<float> x)
        {
            Vector256<float> e = ExpOfNonPositive(-Vector256.Abs(x));
            return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<float>.Zero), Vector256<float>.One, e) / (Vector256<float>.One + e);
        }

        /// <summary>silu(x) = x sigmoid(x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Silu(Vector256<float> x) => x * Sigmoid(x);

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
            Vector256<float> e = ExpOfNonPositive(ax * -2f);
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


        /// <summary>
        /// e^x, lane-wise: x = n ln 2 + r with |r| &lt;= ln 2 / 2 (Cody-Waite, ln 2 in two parts), e^r by its degree-6 Taylor
        /// polynomial, and 2^n built in the exponent field in two halves, so that subnormal results come out. Within 2.2e-7
        /// relative of float64 <see cref="System.Math.Exp"/> where the result is normal; +infinity above 88.72, 0 below -103.98,
        /// NaN for NaN.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Exp(Vector512<float> x)
        {
            Vector512<float> p = ExpOfRemainder(x, out Vector512<float> n);
            Vector512<int> k = Vector512.ConvertToInt32Native(Vector512.MinNative(Vector512.MaxNative(n, Vector512.Create(-252f)), Vector512.Create(254f)));
            Vector512<int> half = k >> 1;
            Vector512<float> scale1 = ((half + Vector512.Create(127)) << 23).AsSingle();
            Vector512<float> scale2 = ((k - half + Vector512.Create(127)) << 23).AsSingle();
            Vector512<float> e = p * scale1 * scale2;
            e = Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512.Create(88.7228394f)), Vector512.Create(float.PositiveInfinity), e);
            return Vector512.ConditionalSelect(Vector512.LessThan(x, Vector512.Create(-103.972076f)), Vector512<float>.Zero, e);
        }

        // x = n ln 2 + r with |r| <= ln 2 / 2 (Cody-Waite, ln 2 in two parts); returns e^r by its degree-6 Taylor polynomial.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ExpOfRemainder(Vector512<float> x, out Vector512<float> n)
        {
            n = Vector512.Round(x * Vector512.Create(1.44269504f));
            Vector512<float> r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693145752f), x);
            r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-1.42860677e-6f), r);
            Vector512<float> p = Vector512.FusedMultiplyAdd(Vector512.Create(1f / 720), r, Vector512.Create(1f / 120));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 24));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1f / 6));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(0.5f));
            p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
            p = Vector512.FusedMultiplyAdd(p, r, Vector512<float>.One);
            return p;
        }

        /// <summary>
        /// e^y for y &lt;= 0 (NaN stays NaN), for sigmoid, silu and tanh: the reduction and polynomial of <see cref="Exp(Vector512{float})"/>
        /// with 2^n built as 2^(n + 64) x 2^-64 (one rounding, so subnormal results come out) and no overflow case to handle.
        /// About 20 % cheaper than <c>Exp</c>. Below -104 it returns 0 or the smallest subnormal.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<float> ExpOfNonPositive(Vector512<float> y)
        {
            y = Vector512.Max(y, Vector512.Create(-104f));
            Vector512<float> p = ExpOfRemainder(y, out Vector512<float> n);
            Vector512<float> scale = ((Vector512.ConvertToInt32Native(n) + Vector512.Create(191)) << 23).AsSingle();
            return p * scale * Vector512.Create(5.42101086e-20f);
        }

        /// <summary>
        /// sigmoid(x) = 1 / (1 + e^-x), lane-wise, computed as 1 / (1 + e) for x &gt;= 0 and e / (1 + e) below, with
        /// e = e^-|x| (which never overflows); 0 and 1 at the extremes, never NaN for finite x.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sigmoid(Vector512<float> x)
        {
            Vector512<float> e = ExpOfNonPositive(-Vector512.Abs(x));
            return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<float>.Zero), Vector512<float>.One, e) / (Vector512<float>.One + e);
        }

        /// <summary>silu(x) = x sigmoid(x), lane-wise.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Silu(Vector512<float> x) => x * Sigmoid(x);

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
            Vector512<float> e = ExpOfNonPositive(ax * -2f);
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
