using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels
{
    /// <summary>
    /// The few vector operations the dense kernels use, over one vector width. The kernels are generic over an
    /// implementing struct, so the JIT compiles one copy per width with every call inlined: the code is what writing the
    /// kernel out three times would give (the pattern of <see cref="IVectorActivation"/>).
    /// </summary>
    /// <typeparam name="TVector">The vector type of the width.</typeparam>
    internal interface ISimd<TVector> where TVector : struct
    {
        /// <summary>Floats per vector.</summary>
        static abstract int Lanes { get; }

        /// <summary>All lanes zero.</summary>
        static abstract TVector Zero { get; }

        /// <summary>The vector at <paramref name="offset"/> floats past <paramref name="source"/>.</summary>
        static abstract TVector Load(ref float source, nint offset);

        /// <summary>Stores the vector at <paramref name="offset"/> floats past <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref float destination, nint offset);

        /// <summary>Every lane <paramref name="value"/>.</summary>
        static abstract TVector Broadcast(float value);

        /// <summary>a * b + c, fused where the width requires FMA (512 and 256), multiply then add on the 128-bit tier.</summary>
        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

        /// <summary>a + b.</summary>
        static abstract TVector Add(TVector a, TVector b);

        /// <summary><paramref name="value"/> with lanes below <paramref name="first"/> set to zero.</summary>
        static abstract TVector KeepFrom(TVector value, int first);

        /// <summary>The lane sums of four vectors: (sum a, sum b, sum c, sum d).</summary>
        static abstract Vector128<float> Sum4(TVector a, TVector b, TVector c, TVector d);
    }

    /// <summary>16 lanes (AVX-512).</summary>
    internal readonly struct Simd512 : ISimd<Vector512<float>>
    {
        public static int Lanes => 16;

        public static Vector512<float> Zero => Vector512<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source, nint offset) => Vector512.LoadUnsafe(ref Unsafe.Add(ref source, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> KeepFrom(Vector512<float> value, int first) =>
            Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(first)).AsSingle() & value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d) =>
            Simd256.Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
    }

    /// <summary>8 lanes (AVX2 with FMA).</summary>
    internal readonly struct Simd256 : ISimd<Vector256<float>>
    {
        public static int Lanes => 8;

        public static Vector256<float> Zero => Vector256<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source, nint offset) => Vector256.LoadUnsafe(ref Unsafe.Add(ref source, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> KeepFrom(Vector256<float> value, int first) =>
            Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(first)).AsSingle() & value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        {
            if (Avx.IsSupported)
            {
                // Per 128-bit half: (a0+a1, a2+a3, b0+b1, b2+b3), then (a0..3, b0..3, c0..3, d0..3); the halves add up.
                Vector256<float> sums = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
                return sums.GetLower() + sums.GetUpper();
            }
            return Simd128.Sum4(a.GetLower() + a.GetUpper(), b.GetLower() + b.GetUpper(), c.GetLower() + c.GetUpper(), d.GetLower() + d.GetUpper());
        }
    }

    /// <summary>4 lanes (SSE, AdvSimd, or .NET's software vectors).</summary>
    internal readonly struct Simd128 : ISimd<Vector128<float>>
    {
        public static int Lanes => 4;

        public static Vector128<float> Zero => Vector128<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float source, nint offset) => Vector128.LoadUnsafe(ref Unsafe.Add(ref source, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref Unsafe.Add(ref destination, offset));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => a * b + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> KeepFrom(Vector128<float> value, int first) =>
            Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(first)).AsSingle() & value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(Vector128<float> a, Vector128<float> b, Vector128<float> c, Vector128<float> d)
        {
            if (Sse3.IsSupported) return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a, b), Sse3.HorizontalAdd(c, d));
            return Vector128.Create(Vector128.Sum(a), Vector128.Sum(b), Vector128.Sum(c), Vector128.Sum(d));
        }
    }
}
