using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels
{
    /// <summary>
    /// Register-tiled batch kernels of a dense layer, for the training pass of generated models (plumbing: generated code
    /// calls them; they are public only for that). Layouts are ModelGen's, row-major: the kernel <c>w</c> is
    /// [inputs x units], activations <c>x</c> are [n x inputs], gradients <c>dz</c> [n x units], <c>dx</c> [n x inputs].
    /// </summary>
    /// <remarks>
    /// <para>Every kernel vectorizes over the units, on the widest tier whose lanes fit them: Vector512, else Vector256 with
    /// FMA, else Vector128; fewer than 4 units (or no vector hardware) run scalar loops. A width that is not a multiple of
    /// the lanes ends with one vector that overlaps the one before it: recomputed in the forward pass, masked where a
    /// gradient is accumulated, so nothing is added twice.</para>
    /// <para>Tiles: <see cref="Forward"/> keeps 4 samples x 2 vectors of units in 8 accumulators while it walks the inputs
    /// (each loaded weight vector serves 4 samples, each broadcast input 2 vectors). A kernel under
    /// <see cref="PackKernelFloats"/> stays in L2: 4 samples at a time run all its strips in place. A larger one goes column
    /// strip by column strip, so a strip stays in cache for the whole batch (each strip first copied into a contiguous
    /// per-thread buffer); for one sample it is read row by row instead, front to back, into y held in L1.
    /// <see cref="KernelGradient"/> keeps 4 kernel rows x 2 vectors while it walks the batch, over column chunks whose dz
    /// stays in L1, and sums the bias gradient over the same chunks.
    /// <see cref="InputGradient"/> runs dot products of 4 kernel rows with 2 samples' gradients (8 accumulators over the
    /// units), reduced 4 at a time with horizontal adds; a 4-row block of the kernel stays in L1 for the whole batch. With
    /// fewer units than two vectors it transposes the (small) kernel into a per-thread buffer and runs the forward tiles
    /// along the inputs instead.</para>
    /// <para>Sizes are run-time arguments; the lengths are checked once per call (an <see cref="ArgumentException"/>
    /// names the span), the loops then run without bounds checks. Allocation-free and thread-safe.</para>
    /// </remarks>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class DenseKernels
    {
        /// <summary>
        /// y = x w + bias for <paramref name="n"/> samples: <paramref name="x"/> is [n x inputs], <paramref name="kernel"/>
        /// [inputs x units], <paramref name="bias"/> [units] or empty for none, <paramref name="y"/> [n x units].
        /// </summary>
        /// <exception cref="ArgumentException">A span is shorter than the sizes need, or the bias is neither empty nor [units].</exception>
        public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> y, int n, int inputs, int units)
        {
            CheckSizes(n, inputs, units);
            CheckLength(x.Length, (long)n * inputs, nameof(x));
            CheckLength(kernel.Length, (long)inputs * units, nameof(kernel));
            CheckLength(y.Length, (long)n * units, nameof(y));
            bool hasBias = CheckBias(bias.Length, units, nameof(bias));
            if (n == 0 || units == 0) return;
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float wr = ref MemoryMarshal.GetReference(kernel);
            ref float br = ref MemoryMarshal.GetReference(bias);
            ref float yr = ref MemoryMarshal.GetReference(y);
            if (Vector512.IsHardwareAccelerated && units >= 16) Forward<Simd512, Vector512<float>>(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units);
            else if (Vector256.IsHardwareAccelerated && Fma.IsSupported && units >= 8) Forward<Simd256, Vector256<float>>(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units);
            else if (Vector128.IsHardwareAccelerated && units >= 4) Forward<Simd128, Vector128<float>>(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units);
            else ForwardScalar(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units);
        }

        /// <summary>
        /// Adds x^T dz to <paramref name="kernelGradient"/> [inputs x units] and the column sums of dz to
        /// <paramref name="biasGradient"/> [units] (empty for a layer without bias), over <paramref name="n"/> samples:
        /// <paramref name="x"/> is [n x inputs], <paramref name="dz"/> [n x units].
        /// </summary>
        /// <exception cref="ArgumentException">A span is shorter than the sizes need, or the bias gradient is neither empty nor [units].</exception>
        public static void KernelGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> kernelGradient, Span<float> biasGradient, int n, int inputs, int units)
        {
            CheckSizes(n, inputs, units);
            CheckLength(x.Length, (long)n * inputs, nameof(x));
            CheckLength(dz.Length, (long)n * units, nameof(dz));
            CheckLength(kernelGradient.Length, (long)inputs * units, nameof(kernelGradient));
            bool hasBias = CheckBias(biasGradient.Length, units, nameof(biasGradient));
            if (n == 0 || units == 0) return;
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float dzr = ref MemoryMarshal.GetReference(dz);
            ref float gr = ref MemoryMarshal.GetReference(kernelGradient);
            ref float br = ref MemoryMarshal.GetReference(biasGradient);
            if (Vector512.IsHardwareAccelerated && units >= 16) KernelGradient<Simd512, Vector512<float>>(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units);
            else if (Vector256.IsHardwareAccelerated && Fma.IsSupported && units >= 8) KernelGradient<Simd256, Vector256<float>>(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units);
            else if (Vector128.IsHardwareAccelerated && units >= 4) KernelGradient<Simd128, Vector128<float>>(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units);
            else KernelGradientScalar(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units);
        }

        /// <summary>
        /// dx = dz w^T over <paramref name="n"/> samples: <paramref name="dz"/> is [n x units], <paramref name="kernel"/>
        /// [inputs x units], <paramref name="dx"/> [n x inputs] (overwritten).
        /// </summary>
        /// <exception cref="ArgumentException">A span is shorter than the sizes need.</exception>
        public static void InputGradient(ReadOnlySpan<float> dz, ReadOnlySpan<float> kernel, Span<float> dx, int n, int inputs, int units)
        {
            CheckSizes(n, inputs, units);
            CheckLength(dz.Length, (long)n * units, nameof(dz));
            CheckLength(kernel.Length, (long)inputs * units, nameof(kernel));
            CheckLength(dx.Length, (long)n * inputs, nameof(dx));
            if (n == 0 || inputs == 0) return;
            ref float dzr = ref MemoryMarshal.GetReference(dz);
            ref float wr = ref MemoryMarshal.GetReference(kernel);
            ref float dxr = ref MemoryMarshal.GetReference(dx);
            if (Vector512.IsHardwareAccelerated && units >= 16) InputGradient<Simd512, Vector512<float>>(ref dzr, ref wr, ref dxr, n, inputs, units);
            else if (Vector256.IsHardwareAccelerated && Fma.IsSupported && units >= 8) InputGradient<Simd256, Vector256<float>>(ref dzr, ref wr, ref dxr, n, inputs, units);
            else if (Vector128.IsHardwareAccelerated && units >= 4) InputGradient<Simd128, Vector128<float>>(ref dzr, ref wr, ref dxr, n, inputs, units);
            else InputGradientScalar(ref dzr, ref wr, ref dxr, n, inputs, units);
        }

        private static void CheckSizes(int n, int inputs, int units)
        {
            if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The sample count must not be negative.");
            if (inputs < 0) throw new ArgumentOutOfRangeException(nameof(inputs), inputs, "The input width must not be negative.");
            if (units < 0) throw new ArgumentOutOfRangeException(nameof(units), units, "The unit count must not be negative.");
        }

        private static void CheckLength(int length, long needed, string name)
        {
            if (length < needed) throw new ArgumentException($"{name} holds {length} floats; the sizes need {needed}.", name);
        }

        private static bool CheckBias(int length, int units, string name)
        {
            if (length != 0 && length != units) throw new ArgumentException($"{name} holds {length} floats; it must be empty (no bias) or hold {units}, one per unit.", name);
            return length != 0;
        }

        // ---------------------------------------------------------------------------------------------------------------
        // Forward: y = x w + b
        // ---------------------------------------------------------------------------------------------------------------

        /// <summary>
        /// Kernels of at least this many floats (256 KB) are copied strip by strip into a contiguous per-thread buffer before the
        /// tiles read them: a strip read in place is 2 vectors out of every kernel row, and with a row stride of a power of two
        /// those land in a few cache sets and evict each other before the next 4 samples come back to them.
        /// </summary>
        internal const int PackKernelFloats = 64 * 1024;

        [ThreadStatic]
        private static float[]? s_strip;

        [ThreadStatic]
        private static float[]? s_transposed;

        /// <summary>The vector kernel of <see cref="Forward"/> on one width (units at least <c>T.Lanes</c>).</summary>
        internal static void Forward<T, V>(ref float x, ref float w, ref float b, bool hasBias, ref float y, int n, int inputs, int units)
            where T : struct, ISimd<V> where V : struct
        {
            int lanes = T.Lanes;
            int vectors = (units + lanes - 1) / lanes;
            if (n == 1 && (long)inputs * units >= PackKernelFloats)
            {
                ForwardRows<T, V>(ref x, ref w, ref b, hasBias, ref y, inputs, units);
                return;
            }
            if ((long)inputs * units < PackKernelFloats)
            {
                // A kernel that stays in L2: 4 samples at a time pass over every strip in place, their inputs in L1 (at batch
                // 32 on Zen 1, mnist's 128 -> 64 layer ran at 1.13-1.19x the generated tiles' time strip-major, 1.03-1.04x so).
                ForwardSampleMajor<T, V>(ref x, ref w, ref b, hasBias, ref y, n, inputs, units);
                return;
            }
            bool pack = n >= 8;
            float[]? strip = null;
            if (pack)
            {
                strip = s_strip;
                if (strip is null || strip.Length < inputs * 2 * lanes) s_strip = strip = new float[Math.Max(inputs * 2 * 16, 1024)];
            }
            for (int v = 0; v < vectors; v += 2)
            {
                // The last vector of the layer ends at the last unit (it may overlap the one before: the same values again).
                nint o0 = Math.Min(v * lanes, units - lanes);
                if (v + 1 < vectors)
                {
                    nint o1 = Math.Min((v + 1) * lanes, units - lanes);
                    ref float k = ref w;
                    nint stride = units, k0 = o0, k1 = o1;
                    if (pack)
                    {
                        k = ref MemoryMarshal.GetArrayDataReference(strip!);
                        stride = 2 * lanes;
                        k0 = 0;
                        k1 = lanes;
                        for (nint i = 0; i < inputs; i++)
                        {
                            T.Store(T.Load(ref w, i * units + o0), ref k, 2 * lanes * i);
                            T.Store(T.Load(ref w, i * units + o1), ref k, 2 * lanes * i + lanes);
                        }
                    }
                    int s = 0;
                    for (; s <= n - 4; s += 4)
                    {
                        Forward4x2<T, V>(ref Unsafe.Add(ref x, s * inputs), inputs, ref k, stride, k0, k1, ref b, hasBias, ref Unsafe.Add(ref y, s * units), units, o0, o1);
                    }
                    for (; s < n; s++)
                    {
                        Forward1x2<T, V>(ref Unsafe.Add(ref x, s * inputs), inputs, ref k, stride, k0, k1, ref b, hasBias, ref Unsafe.Add(ref y, s * units), o0, o1);
                    }
                }
                else
                {
                    int s = 0;
                    for (; s <= n - 4; s += 4) Forward4x1<T, V>(ref Unsafe.Add(ref x, s * inputs), ref w, ref b, hasBias, ref Unsafe.Add(ref y, s * units), inputs, units, o0);
                    for (; s < n; s++) Forward1x2<T, V>(ref Unsafe.Add(ref x, s * inputs), inputs, ref w, units, o0, o0, ref b, hasBias, ref Unsafe.Add(ref y, s * units), o0, o0);
                }
            }
        }

        // One sample through a kernel of at least PackKernelFloats: y starts as the bias, then each block of 8 kernel rows adds
        // its inputs times the rows to y, which stays in L1. The kernel is read once, front to back, as 8 sequential streams:
        // column strips would read a few cache lines of every row, a stride the prefetchers follow poorly from L3 (one sample of
        // wide's 512 -> 512 layer took 42 us that way on Zen 1, 28 us so; 256 -> 512 17.5 and 13.2). Each unit's sum takes
        // the inputs in order, one multiply-add each from the bias, as the tiles do: a sample gets the same floats alone as
        // in a batch.
        private static void ForwardRows<T, V>(ref float x, ref float w, ref float b, bool hasBias, ref float y, int inputs, int units)
            where T : struct, ISimd<V> where V : struct
        {
            nint u = units;
            nint body = units - units % T.Lanes;
            for (nint j = 0; j < u; j++) Unsafe.Add(ref y, j) = hasBias ? Unsafe.Add(ref b, j) : 0f;
            nint i = 0;
            for (; i <= inputs - 8; i += 8)
            {
                ref float r = ref Unsafe.Add(ref w, i * u);
                ref float xi = ref Unsafe.Add(ref x, i);
                V c0 = T.Broadcast(xi), c1 = T.Broadcast(Unsafe.Add(ref xi, 1)), c2 = T.Broadcast(Unsafe.Add(ref xi, 2)), c3 = T.Broadcast(Unsafe.Add(ref xi, 3));
                V c4 = T.Broadcast(Unsafe.Add(ref xi, 4)), c5 = T.Broadcast(Unsafe.Add(ref xi, 5)), c6 = T.Broadcast(Unsafe.Add(ref xi, 6)), c7 = T.Broadcast(Unsafe.Add(ref xi, 7));
                for (nint j = 0; j < body; j += T.Lanes)
                {
                    V a = T.MultiplyAdd(c0, T.Load(ref r, j), T.Load(ref y, j));
                    a = T.MultiplyAdd(c1, T.Load(ref r, u + j), a);
                    a = T.MultiplyAdd(c2, T.Load(ref r, 2 * u + j), a);
                    a = T.MultiplyAdd(c3, T.Load(ref r, 3 * u + j), a);
                    a = T.MultiplyAdd(c4, T.Load(ref r, 4 * u + j), a);
                    a = T.MultiplyAdd(c5, T.Load(ref r, 5 * u + j), a);
                    a = T.MultiplyAdd(c6, T.Load(ref r, 6 * u + j), a);
                    a = T.MultiplyAdd(c7, T.Load(ref r, 7 * u + j), a);
                    T.Store(a, ref y, j);
                }
                for (nint j = body; j < u; j++)
                {
                    float sum = Unsafe.Add(ref y, j);
                    for (nint k = 0; k < 8; k++) sum = T.MultiplyAddLane(Unsafe.Add(ref xi, k), Unsafe.Add(ref r, k * u + j), sum);
                    Unsafe.Add(ref y, j) = sum;
                }
            }
            for (; i < inputs; i++)
            {
                ref float r = ref Unsafe.Add(ref w, i * u);
                float xi = Unsafe.Add(ref x, i);
                V c = T.Broadcast(xi);
                for (nint j = 0; j < body; j += T.Lanes) T.Store(T.MultiplyAdd(c, T.Load(ref r, j), T.Load(ref y, j)), ref y, j);
                for (nint j = body; j < u; j++) Unsafe.Add(ref y, j) = T.MultiplyAddLane(xi, Unsafe.Add(ref r, j), Unsafe.Add(ref y, j));
            }
        }

        // Sample-major order for a kernel that stays in L2: each group of 4 samples (then each remaining sample) runs every
        // column pair of the kernel in place.
        private static void ForwardSampleMajor<T, V>(ref float x, ref float w, ref float b, bool hasBias, ref float y, int n, int inputs, int units)
            where T : struct, ISimd<V> where V : struct
        {
            int lanes = T.Lanes;
            int vectors = (units + lanes - 1) / lanes;
            int s = 0;
            for (; s <= n - 4; s += 4)
            {
                ref float xs = ref Unsafe.Add(ref x, s * inputs);
                ref float ys = ref Unsafe.Add(ref y, s * units);
                int v = 0;
                for (; v + 1 < vectors; v += 2)
                {
                    // The last vector of the layer ends at the last unit (it may overlap the one before: the same values again).
                    nint o0 = Math.Min(v * lanes, units - lanes), o1 = Math.Min((v + 1) * lanes, units - lanes);
                    Forward4x2<T, V>(ref xs, inputs, ref w, units, o0, o1, ref b, hasBias, ref ys, units, o0, o1);
                }
                if (v < vectors) Forward4x1<T, V>(ref xs, ref w, ref b, hasBias, ref ys, inputs, units, units - lanes);
            }
            for (; s < n; s++)
            {
                ref float xs = ref Unsafe.Add(ref x, s * inputs);
                ref float ys = ref Unsafe.Add(ref y, s * units);
                for (int v = 0; v < vectors; v += 2)
                {
                    nint o0 = Math.Min(v * lanes, units - lanes), o1 = v + 1 < vectors ? Math.Min((v + 1) * lanes, units - lanes) : o0;
                    Forward1x2<T, V>(ref xs, inputs, ref w, units, o0, o1, ref b, hasBias, ref ys, o0, o1);
                }
            }
        }

        // 4 samples x 2 vectors: 8 accumulators, per input 2 weight loads and 4 broadcasts for 8 multiply-adds. The weights
        // are read at k0 and k1 in rows of `stride` floats (the kernel itself, or a packed strip of it); y rows are `units` long.
        private static void Forward4x2<T, V>(ref float x, int inputs, ref float w, nint stride, nint k0, nint k1, ref float b, bool hasBias, ref float y, int units, nint o0, nint o1)
            where T : struct, ISimd<V> where V : struct
        {
            V b0 = hasBias ? T.Load(ref b, o0) : T.Zero, b1 = hasBias ? T.Load(ref b, o1) : T.Zero;
            V a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            ref float x1 = ref Unsafe.Add(ref x, inputs);
            ref float x2 = ref Unsafe.Add(ref x, 2 * inputs);
            ref float x3 = ref Unsafe.Add(ref x, 3 * inputs);
            ref float row = ref w;
            for (nint i = 0; i < inputs; i++)
            {
                V w0 = T.Load(ref row, k0), w1 = T.Load(ref row, k1);
                V c = T.Broadcast(Unsafe.Add(ref x, i));
                a00 = T.MultiplyAdd(c, w0, a00);
                a01 = T.MultiplyAdd(c, w1, a01);
                c = T.Broadcast(Unsafe.Add(ref x1, i));
                a10 = T.MultiplyAdd(c, w0, a10);
                a11 = T.MultiplyAdd(c, w1, a11);
                c = T.Broadcast(Unsafe.Add(ref x2, i));
                a20 = T.MultiplyAdd(c, w0, a20);
                a21 = T.MultiplyAdd(c, w1, a21);
                c = T.Broadcast(Unsafe.Add(ref x3, i));
                a30 = T.MultiplyAdd(c, w0, a30);
                a31 = T.MultiplyAdd(c, w1, a31);
                row = ref Unsafe.Add(ref row, stride);
            }
            T.Store(a00, ref y, o0);
            T.Store(a01, ref y, o1);
            T.Store(a10, ref y, units + o0);
            T.Store(a11, ref y, units + o1);
            T.Store(a20, ref y, 2 * units + o0);
            T.Store(a21, ref y, 2 * units + o1);
            T.Store(a30, ref y, 3 * units + o0);
            T.Store(a31, ref y, 3 * units + o1);
        }

        // 4 samples x 1 vector (the odd last vector of a layer).
        private static void Forward4x1<T, V>(ref float x, ref float w, ref float b, bool hasBias, ref float y, int inputs, int units, nint o0)
            where T : struct, ISimd<V> where V : struct
        {
            V b0 = hasBias ? T.Load(ref b, o0) : T.Zero;
            V a0 = b0, a1 = b0, a2 = b0, a3 = b0;
            ref float x1 = ref Unsafe.Add(ref x, inputs);
            ref float x2 = ref Unsafe.Add(ref x, 2 * inputs);
            ref float x3 = ref Unsafe.Add(ref x, 3 * inputs);
            ref float row = ref w;
            for (nint i = 0; i < inputs; i++)
            {
                V k = T.Load(ref row, o0);
                a0 = T.MultiplyAdd(T.Broadcast(Unsafe.Add(ref x, i)), k, a0);
                a1 = T.MultiplyAdd(T.Broadcast(Unsafe.Add(ref x1, i)), k, a1);
                a2 = T.MultiplyAdd(T.Broadcast(Unsafe.Add(ref x2, i)), k, a2);
                a3 = T.MultiplyAdd(T.Broadcast(Unsafe.Add(ref x3, i)), k, a3);
                row = ref Unsafe.Add(ref row, units);
            }
            T.Store(a0, ref y, o0);
            T.Store(a1, ref y, units + o0);
            T.Store(a2, ref y, 2 * units + o0);
            T.Store(a3, ref y, 3 * units + o0);
        }

        // 1 sample x 2 vectors, two accumulator sets over alternating inputs to hide the multiply-add latency (weights as in
        // Forward4x2).
        private static void Forward1x2<T, V>(ref float x, int inputs, ref float w, nint stride, nint k0, nint k1, ref float b, bool hasBias, ref float y, nint o0, nint o1)
            where T : struct, ISimd<V> where V : struct
        {
            V a0 = hasBias ? T.Load(ref b, o0) : T.Zero, a1 = hasBias ? T.Load(ref b, o1) : T.Zero;
            V e0 = T.Zero, e1 = T.Zero;
            ref float row = ref w;
            nint i = 0;
            for (; i <= inputs - 2; i += 2)
            {
                V c = T.Broadcast(Unsafe.Add(ref x, i));
                a0 = T.MultiplyAdd(c, T.Load(ref row, k0), a0);
                a1 = T.MultiplyAdd(c, T.Load(ref row, k1), a1);
                c = T.Broadcast(Unsafe.Add(ref x, i + 1));
                e0 = T.MultiplyAdd(c, T.Load(ref row, stride + k0), e0);
                e1 = T.MultiplyAdd(c, T.Load(ref row, stride + k1), e1);
                row = ref Unsafe.Add(ref row, 2 * stride);
            }
            if (i < inputs)
            {
                V c = T.Broadcast(Unsafe.Add(ref x, i));
                a0 = T.MultiplyAdd(c, T.Load(ref row, k0), a0);
                a1 = T.MultiplyAdd(c, T.Load(ref row, k1), a1);
            }
            T.Store(T.Add(a0, e0), ref y, o0);
            T.Store(T.Add(a1, e1), ref y, o1);
        }

        internal static void ForwardScalar(ref float x, ref float w, ref float b, bool hasBias, ref float y, int n, int inputs, int units)
        {
            for (int s = 0; s < n; s++)
            {
                ref float xs = ref Unsafe.Add(ref x, s * inputs);
                ref float ys = ref Unsafe.Add(ref y, s * units);
                for (int j = 0; j < units; j++) Unsafe.Add(ref ys, j) = hasBias ? Unsafe.Add(ref b, j) : 0f;
                for (int i = 0; i < inputs; i++)
                {
                    float xi = Unsafe.Add(ref xs, i);
                    ref float row = ref Unsafe.Add(ref w, i * units);
                    for (int j = 0; j < units; j++) Unsafe.Add(ref ys, j) += xi * Unsafe.Add(ref row, j);
                }
            }
        }

        // ---------------------------------------------------------------------------------------------------------------
        // Kernel gradient: g += x^T dz, bias gradient += column sums of dz
        // ---------------------------------------------------------------------------------------------------------------

        /// <summary>Floats of dz one column chunk of <see cref="KernelGradient"/> keeps in L1 (16 KB) while every kernel row passes.</summary>
        internal const int GradientChunkFloats = 4096;

        /// <summary>The vector kernel of <see cref="KernelGradient"/> on one width (units at least <c>T.Lanes</c>).</summary>
        internal static void KernelGradient<T, V>(ref float x, ref float dz, ref float g, ref float gb, bool hasBias, int n, int inputs, int units)
            where T : struct, ISimd<V> where V : struct
        {
            int lanes = T.Lanes;
            int vectors = (units + lanes - 1) / lanes;
            // Column chunks of an even number of vectors whose dz columns fit in L1; within a chunk, 4 rows at a time pass
            // over its column pairs, so x is read once per chunk and the chunk's dz once per 4 rows, from L1.
            int chunk = Math.Max(2, GradientChunkFloats / Math.Max(1, n * lanes) / 2 * 2);
            for (int c0 = 0; c0 < vectors; c0 += chunk)
            {
                int c1 = Math.Min(vectors, c0 + chunk);
                int i = 0;
                for (; i <= inputs - 4; i += 4)
                {
                    for (int v = c0; v < c1; v += 2)
                    {
                        Columns(v, vectors, lanes, units, out nint o0, out int first0, out nint o1, out int first1);
                        KernelGradient4x2<T, V>(ref Unsafe.Add(ref x, i), ref dz, ref Unsafe.Add(ref g, i * units), n, inputs, units, o0, first0, o1, first1);
                    }
                }
                for (; i < inputs; i++)
                {
                    for (int v = c0; v < c1; v += 2)
                    {
                        Columns(v, vectors, lanes, units, out nint o0, out int first0, out nint o1, out int first1);
                        KernelGradient1x2<T, V>(ref Unsafe.Add(ref x, i), ref dz, ref Unsafe.Add(ref g, i * units), n, inputs, units, o0, first0, o1, first1);
                    }
                }
                if (hasBias)
                {
                    for (int v = c0; v < c1; v += 2)
                    {
                        Columns(v, vectors, lanes, units, out nint o0, out int first0, out nint o1, out int first1);
                        BiasGradient<T, V>(ref dz, ref gb, n, units, o0, first0, o1, first1);
                    }
                }
            }
        }

        // The column pair from vector v: the last vector of the layer ends at the last unit and may overlap the one before,
        // so only its lanes from `first` on are new; without a second vector, the pair's second half adds nothing (first = lanes).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Columns(int v, int vectors, int lanes, int units, out nint o0, out int first0, out nint o1, out int first1)
        {
            o0 = Math.Min(v * lanes, units - lanes);
            first0 = v * lanes - (int)o0;
            bool pair = v + 1 < vectors;
            o1 = pair ? Math.Min((v + 1) * lanes, units - lanes) : o0;
            first1 = pair ? (v + 1) * lanes - (int)o1 : lanes;
        }

        // g[o..o + lanes) += the lanes of `sum` from `first` on (the others were added by the vector before).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Accumulate<T, V>(ref float g, nint o, V sum, int first) where T : struct, ISimd<V> where V : struct =>
            T.Store(T.Add(T.Load(ref g, o), T.KeepFrom(sum, first)), ref g, o);

        // The bias gradient of one column strip: two vectors of column sums, two chains each.
        private static void BiasGradient<T, V>(ref float dz, ref float gb, int n, int units, nint o0, int first0, nint o1, int first1)
            where T : struct, ISimd<V> where V : struct
        {
            V a0 = T.Zero, a1 = T.Zero, e0 = T.Zero, e1 = T.Zero;
            ref float dzs = ref dz;
            int s = 0;
            for (; s <= n - 2; s += 2)
            {
                a0 = T.Add(a0, T.Load(ref dzs, o0));
                a1 = T.Add(a1, T.Load(ref dzs, o1));
                e0 = T.Add(e0, T.Load(ref dzs, units + o0));
                e1 = T.Add(e1, T.Load(ref dzs, units + o1));
                dzs = ref Unsafe.Add(ref dzs, 2 * units);
            }
            if (s < n)
            {
                a0 = T.Add(a0, T.Load(ref dzs, o0));
                a1 = T.Add(a1, T.Load(ref dzs, o1));
            }
            Accumulate<T, V>(ref gb, o0, T.Add(a0, e0), first0);
            Accumulate<T, V>(ref gb, o1, T.Add(a1, e1), first1);
        }

        // 4 kernel rows x 2 vectors: 8 accumulators, per sample 2 gradient loads and 4 broadcast inputs for 8 multiply-adds.
        private static void KernelGradient4x2<T, V>(ref float x, ref float dz, ref float g, int n, int inputs, int units, nint o0, int first0, nint o1, int first1)
            where T : struct, ISimd<V> where V : struct
        {
            V a00 = T.Zero, a01 = T.Zero, a10 = T.Zero, a11 = T.Zero, a20 = T.Zero, a21 = T.Zero, a30 = T.Zero, a31 = T.Zero;
            ref float xs = ref x;
            ref float dzs = ref dz;
            for (int s = 0; s < n; s++)
            {
                V d0 = T.Load(ref dzs, o0), d1 = T.Load(ref dzs, o1);
                V c = T.Broadcast(xs);
                a00 = T.MultiplyAdd(c, d0, a00);
                a01 = T.MultiplyAdd(c, d1, a01);
                c = T.Broadcast(Unsafe.Add(ref xs, 1));
                a10 = T.MultiplyAdd(c, d0, a10);
                a11 = T.MultiplyAdd(c, d1, a11);
                c = T.Broadcast(Unsafe.Add(ref xs, 2));
                a20 = T.MultiplyAdd(c, d0, a20);
                a21 = T.MultiplyAdd(c, d1, a21);
                c = T.Broadcast(Unsafe.Add(ref xs, 3));
                a30 = T.MultiplyAdd(c, d0, a30);
                a31 = T.MultiplyAdd(c, d1, a31);
                xs = ref Unsafe.Add(ref xs, inputs);
                dzs = ref Unsafe.Add(ref dzs, units);
            }
            Accumulate<T, V>(ref g, o0, a00, first0);
            Accumulate<T, V>(ref g, o1, a01, first1);
            Accumulate<T, V>(ref g, units + o0, a10, first0);
            Accumulate<T, V>(ref g, units + o1, a11, first1);
            Accumulate<T, V>(ref g, 2 * units + o0, a20, first0);
            Accumulate<T, V>(ref g, 2 * units + o1, a21, first1);
            Accumulate<T, V>(ref g, 3 * units + o0, a30, first0);
            Accumulate<T, V>(ref g, 3 * units + o1, a31, first1);
        }

        // 1 kernel row x 2 vectors (rows past the last multiple of 4), two chains per vector.
        private static void KernelGradient1x2<T, V>(ref float x, ref float dz, ref float g, int n, int inputs, int units, nint o0, int first0, nint o1, int first1)
            where T : struct, ISimd<V> where V : struct
        {
            V a0 = T.Zero, a1 = T.Zero, e0 = T.Zero, e1 = T.Zero;
            ref float xs = ref x;
            ref float dzs = ref dz;
            int s = 0;
            for (; s <= n - 2; s += 2)
            {
                V c = T.Broadcast(xs);
                a0 = T.MultiplyAdd(c, T.Load(ref dzs, o0), a0);
                a1 = T.MultiplyAdd(c, T.Load(ref dzs, o1), a1);
                c = T.Broadcast(Unsafe.Add(ref xs, inputs));
                e0 = T.MultiplyAdd(c, T.Load(ref dzs, units + o0), e0);
                e1 = T.MultiplyAdd(c, T.Load(ref dzs, units + o1), e1);
                xs = ref Unsafe.Add(ref xs, 2 * inputs);
                dzs = ref Unsafe.Add(ref dzs, 2 * units);
            }
            if (s < n)
            {
                V c = T.Broadcast(xs);
                a0 = T.MultiplyAdd(c, T.Load(ref dzs, o0), a0);
                a1 = T.MultiplyAdd(c, T.Load(ref dzs, o1), a1);
            }
            Accumulate<T, V>(ref g, o0, T.Add(a0, e0), first0);
            Accumulate<T, V>(ref g, o1, T.Add(a1, e1), first1);
        }

        internal static void KernelGradientScalar(ref float x, ref float dz, ref float g, ref float gb, bool hasBias, int n, int inputs, int units)
        {
            for (int s = 0; s < n; s++)
            {
                ref float xs = ref Unsafe.Add(ref x, s * inputs);
                ref float dzs = ref Unsafe.Add(ref dz, s * units);
                for (int i = 0; i < inputs; i++)
                {
                    float xi = Unsafe.Add(ref xs, i);
                    ref float row = ref Unsafe.Add(ref g, i * units);
                    for (int j = 0; j < units; j++) Unsafe.Add(ref row, j) += xi * Unsafe.Add(ref dzs, j);
                }
                if (hasBias)
                {
                    for (int j = 0; j < units; j++) Unsafe.Add(ref gb, j) += Unsafe.Add(ref dzs, j);
                }
            }
        }

        // ---------------------------------------------------------------------------------------------------------------
        // Input gradient: dx = dz w^T
        // ---------------------------------------------------------------------------------------------------------------

        /// <summary>The vector kernel of <see cref="InputGradient"/> on one width (units at least <c>T.Lanes</c>).</summary>
        internal static void InputGradient<T, V>(ref float dz, ref float w, ref float dx, int n, int inputs, int units)
            where T : struct, ISimd<V> where V : struct
        {
            int lanes = T.Lanes;
            if (units < 2 * lanes && inputs >= 2 * lanes)
            {
                // Few units (a classifier's last layer): dot products over them would be one or two vectors each, half
                // masked, plus a reduction. Instead transpose the small kernel and run the forward tiles, whose vectors
                // lie along the inputs: dx = dz (w^T), a [n x units] by [units x inputs] product.
                float[]? transposed = s_transposed;
                if (transposed is null || transposed.Length < inputs * units) s_transposed = transposed = new float[Math.Max(inputs * units, 1024)];
                ref float t = ref MemoryMarshal.GetArrayDataReference(transposed);
                for (int row = 0; row < inputs; row++)
                {
                    for (int j = 0; j < units; j++) Unsafe.Add(ref t, j * inputs + row) = Unsafe.Add(ref w, row * units + j);
                }
                Forward<T, V>(ref dz, ref t, ref t, false, ref dx, n, units, inputs);
                return;
            }
            // Full vectors up to `body`, then one vector ending at the last unit whose lanes below `first` were counted already.
            nint body = (units - 1) / lanes * lanes;
            nint last = units - lanes;
            int first = (int)(body - last);
            int i = 0;
            for (; i <= inputs - 4; i += 4)
            {
                ref float rows = ref Unsafe.Add(ref w, i * units);
                int s = 0;
                for (; s <= n - 2; s += 2) InputGradient4x2<T, V>(ref Unsafe.Add(ref dz, s * units), ref rows, ref Unsafe.Add(ref dx, s * inputs + i), inputs, units, body, last, first);
                if (s < n) InputGradient4x1<T, V>(ref Unsafe.Add(ref dz, s * units), ref rows, ref Unsafe.Add(ref dx, s * inputs + i), units, body, last, first);
            }
            for (; i < inputs; i++)
            {
                ref float row = ref Unsafe.Add(ref w, i * units);
                for (int s = 0; s < n; s++) Unsafe.Add(ref dx, s * inputs + i) = Dot<T, V>(ref Unsafe.Add(ref dz, s * units), ref row, body, last, first);
            }
        }

        // 4 kernel rows x 2 samples: 8 dot products, per vector 4 weight loads and 2 gradient loads for 8 multiply-adds.
        private static void InputGradient4x2<T, V>(ref float dz, ref float w, ref float dx, int inputs, int units, nint body, nint last, int first)
            where T : struct, ISimd<V> where V : struct
        {
            V c00 = T.Zero, c10 = T.Zero, c20 = T.Zero, c30 = T.Zero, c01 = T.Zero, c11 = T.Zero, c21 = T.Zero, c31 = T.Zero;
            ref float w1 = ref Unsafe.Add(ref w, units);
            ref float w2 = ref Unsafe.Add(ref w, 2 * units);
            ref float w3 = ref Unsafe.Add(ref w, 3 * units);
            ref float dz1 = ref Unsafe.Add(ref dz, units);
            nint j = 0;
            V z0, z1;
            while (true)
            {
                if (j < body)
                {
                    z0 = T.Load(ref dz, j);
                    z1 = T.Load(ref dz1, j);
                }
                else
                {
                    j = last;
                    z0 = T.KeepFrom(T.Load(ref dz, j), first);
                    z1 = T.KeepFrom(T.Load(ref dz1, j), first);
                }
                V k = T.Load(ref w, j);
                c00 = T.MultiplyAdd(k, z0, c00);
                c01 = T.MultiplyAdd(k, z1, c01);
                k = T.Load(ref w1, j);
                c10 = T.MultiplyAdd(k, z0, c10);
                c11 = T.MultiplyAdd(k, z1, c11);
                k = T.Load(ref w2, j);
                c20 = T.MultiplyAdd(k, z0, c20);
                c21 = T.MultiplyAdd(k, z1, c21);
                k = T.Load(ref w3, j);
                c30 = T.MultiplyAdd(k, z0, c30);
                c31 = T.MultiplyAdd(k, z1, c31);
                if (j == last) break;
                j += T.Lanes;
            }
            T.Sum4(c00, c10, c20, c30).StoreUnsafe(ref dx);
            T.Sum4(c01, c11, c21, c31).StoreUnsafe(ref Unsafe.Add(ref dx, inputs));
        }

        // 4 kernel rows x 1 sample (an odd last sample).
        private static void InputGradient4x1<T, V>(ref float dz, ref float w, ref float dx, int units, nint body, nint last, int first)
            where T : struct, ISimd<V> where V : struct
        {
            V c0 = T.Zero, c1 = T.Zero, c2 = T.Zero, c3 = T.Zero;
            ref float w1 = ref Unsafe.Add(ref w, units);
            ref float w2 = ref Unsafe.Add(ref w, 2 * units);
            ref float w3 = ref Unsafe.Add(ref w, 3 * units);
            nint j = 0;
            for (; j < body; j += T.Lanes)
            {
                V z = T.Load(ref dz, j);
                c0 = T.MultiplyAdd(T.Load(ref w, j), z, c0);
                c1 = T.MultiplyAdd(T.Load(ref w1, j), z, c1);
                c2 = T.MultiplyAdd(T.Load(ref w2, j), z, c2);
                c3 = T.MultiplyAdd(T.Load(ref w3, j), z, c3);
            }
            V zl = T.KeepFrom(T.Load(ref dz, last), first);
            c0 = T.MultiplyAdd(T.Load(ref w, last), zl, c0);
            c1 = T.MultiplyAdd(T.Load(ref w1, last), zl, c1);
            c2 = T.MultiplyAdd(T.Load(ref w2, last), zl, c2);
            c3 = T.MultiplyAdd(T.Load(ref w3, last), zl, c3);
            T.Sum4(c0, c1, c2, c3).StoreUnsafe(ref dx);
        }

        // One dot product of a gradient row and a kernel row (rows past the last multiple of 4).
        private static float Dot<T, V>(ref float dz, ref float w, nint body, nint last, int first)
            where T : struct, ISimd<V> where V : struct
        {
            V c = T.Zero;
            for (nint j = 0; j < body; j += T.Lanes) c = T.MultiplyAdd(T.Load(ref w, j), T.Load(ref dz, j), c);
            c = T.MultiplyAdd(T.Load(ref w, last), T.KeepFrom(T.Load(ref dz, last), first), c);
            return T.Sum4(c, c, c, c).ToScalar();
        }

        internal static void InputGradientScalar(ref float dz, ref float w, ref float dx, int n, int inputs, int units)
        {
            for (int s = 0; s < n; s++)
            {
                ref float dzs = ref Unsafe.Add(ref dz, s * units);
                for (int i = 0; i < inputs; i++)
                {
                    ref float row = ref Unsafe.Add(ref w, i * units);
                    float sum = 0f;
                    for (int j = 0; j < units; j++) sum += Unsafe.Add(ref row, j) * Unsafe.Add(ref dzs, j);
                    Unsafe.Add(ref dx, s * inputs + i) = sum;
                }
            }
        }
    }
}
