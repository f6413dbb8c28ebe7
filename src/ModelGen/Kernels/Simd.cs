using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels
{
    /// <summary>
    /// The one lane abstraction of the runtime: the vector operations the dense kernels (<see cref="DenseKernels"/>) and the
    /// optimizer rules (<c>Training/OptimizerKernels.cs</c>) are written in, over one width: <see cref="Simd512"/>,
    /// <see cref="Simd256"/>, <see cref="Simd128"/> and <see cref="Simd1"/> (one float: the optimizers' tail, and machines
    /// without vector hardware). Code is generic over an implementing struct, so the JIT compiles one copy per width with
    /// every call inlined: the code is what writing it out per width would give (the pattern of <see cref="IVectorActivation"/>).
    /// Every operation but <see cref="MultiplyAdd"/> is the correctly rounded IEEE one, so code written without it (the
    /// optimizers) gives the scalar formula's result bit for bit on every width.
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

        /// <summary>What each lane of <see cref="MultiplyAdd"/> computes, on one float (for a scalar tail that must match the vectors).</summary>
        static abstract float MultiplyAddLane(float a, float b, float c);

        /// <summary>a + b.</summary>
        static abstract TVector Add(TVector a, TVector b);

        /// <summary>a - b.</summary>
        static abstract TVector Subtract(TVector a, TVector b);

        /// <summary>a * b.</summary>
        static abstract TVector Multiply(TVector a, TVector b);

        /// <summary>a / b.</summary>
        static abstract TVector Divide(TVector a, TVector b);

        /// <summary>The square root of each lane.</summary>
        static abstract TVector Sqrt(TVector a);

        /// <summary>The larger of each pair of lanes (IEEE maxNum semantics of <c>VectorN.Max</c>).</summary>
        static abstract TVector Max(TVector a, TVector b);

        /// <summary>
        /// Each lane of <paramref name="a"/> clamped to [<paramref name="low"/>, <paramref name="high"/>]; a NaN lane stays NaN
        /// (as <c>Math.Clamp</c>). On x86 one max and one min instruction with the value second (they return their second
        /// operand when either is NaN): <c>Vector.Clamp</c>'s IEEE 754:2019 min and max add compares and blends, which made
        /// Adam with clipvalue take 1.7x the time of plain Adam on Zen 1.
        /// </summary>
        static abstract TVector Clamp(TVector a, TVector low, TVector high);

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
        public static float MultiplyAddLane(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Sqrt(Vector512<float> a) => Vector512.Sqrt(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Clamp(Vector512<float> a, Vector512<float> low, Vector512<float> high) =>
            Avx512F.IsSupported ? Avx512F.Min(high, Avx512F.Max(low, a)) : Vector512.Clamp(a, low, high);

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
        public static float MultiplyAddLane(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Sqrt(Vector256<float> a) => Vector256.Sqrt(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Clamp(Vector256<float> a, Vector256<float> low, Vector256<float> high) =>
            Avx.IsSupported ? Avx.Min(high, Avx.Max(low, a)) : Vector256.Clamp(a, low, high);

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
        public static float MultiplyAddLane(float a, float b, float c) => a * b + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sqrt(Vector128<float> a) => Vector128.Sqrt(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Clamp(Vector128<float> a, Vector128<float> low, Vector128<float> high) =>
            Sse.IsSupported ? Sse.Min(high, Sse.Max(low, a)) : Vector128.Clamp(a, low, high);

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

    /// <summary>
    /// One lane, a plain float: the optimizers run their tail (and the whole update on machines without vector hardware)
    /// through the same rule as the vectors.
    /// </summary>
    internal readonly struct Simd1 : ISimd<float>
    {
        public static int Lanes => 1;

        public static float Zero => 0f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Load(ref float source, nint offset) => Unsafe.Add(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(float value, ref float destination, nint offset) => Unsafe.Add(ref destination, offset) = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Broadcast(float value) => value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MultiplyAdd(float a, float b, float c) => a * b + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float MultiplyAddLane(float a, float b, float c) => a * b + c;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Add(float a, float b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Subtract(float a, float b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Multiply(float a, float b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Divide(float a, float b) => a / b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Sqrt(float a) => MathF.Sqrt(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Max(float a, float b) => MathF.Max(a, b);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Clamp(float a, float low, float high) => Math.Clamp(a, low, high);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float KeepFrom(float value, int first) => first > 0 ? 0f : value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Sum4(float a, float b, float c, float d) => Vector128.Create(a, b, c, d);
    }
}
