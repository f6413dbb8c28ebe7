using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// (d) Hand-written Vector256 + FMA (AVX2) with run-time sizes, the strongest baseline on machines without AVX-512.
    /// One register-tiled GEMM kernel serves the forward pass (Z = X W + b) and the kernel gradient (dW += Xᵀ dZ):
    /// 4 rows x 16 columns (8 accumulators, 2 weight loads and 4 broadcasts per k), blocked over k (256 at a time, so a
    /// 16-column panel of the right-hand matrix stays in L1 while every row tile of a block passes over it); single rows
    /// (batch 1, remainders) run 1 x 64 (8 accumulators). Column tails use masked loads and stores. dX = dZ Wᵀ is 2 x 4
    /// dot products (8 accumulators). Activations: TensorPrimitives for tanh/sigmoid, Vector256.Exp for silu, vector
    /// ReLU. Shares no code with ModelGen's runtime. Needs AVX2 + FMA (checked).
    /// </summary>
    public sealed unsafe class Vector256Net : BaselineNet
    {
        private const int KBlock = 256;

        public Vector256Net(int maxBatch, params Layer[] layers) : base(maxBatch, layers)
        {
            if (!Avx2.IsSupported || !Fma.IsSupported) throw new PlatformNotSupportedException("Vector256Net needs AVX2 and FMA.");
        }

        protected override void Dense(int l, ReadOnlySpan<float> x, Span<float> z, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            fixed (float* w = Kernel(l), b = Bias(l), xp = x, zp = z)
            {
                Gemm(xp, inSize, 1, w, outSize, zp, outSize, b, accumulate: false, n, outSize, inSize);
            }
        }

        protected override void DenseBackward(int l, ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dW, Span<float> db, Span<float> dx, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            fixed (float* w = Kernel(l), xp = x, dzp = dz, dwp = dW, dbp = db, dxp = dx)
            {
                // dW[i, j] += sum_s x[s, i] dz[s, j]: the GEMM with Xᵀ on the left (row stride 1, k stride inSize).
                Gemm(xp, 1, inSize, dzp, outSize, dwp, outSize, null, accumulate: true, inSize, outSize, n);
                BiasGradient(dzp, dbp, n, outSize);
                if (!dx.IsEmpty) InputGradient(dzp, w, dxp, n, inSize, outSize);
            }
        }

        // C[m, j] = (accumulate ? C[m, j] : init[j] or 0) + sum_k L[m * lsm + k * lsk] R[k * ldr + j], m < M, j < N, k < K.
        private static void Gemm(float* left, int lsm, int lsk, float* right, int ldr, float* c, int ldc, float* init, bool accumulate, int m, int n, int k)
        {
            for (int k0 = 0; k0 < k; k0 += KBlock)
            {
                int kc = Math.Min(KBlock, k - k0);
                bool load = accumulate || k0 > 0;
                float* lk = left + (nint)k0 * lsk;
                float* rk = right + (nint)k0 * ldr;
                int m4 = m & ~3;
                for (int j0 = 0; j0 < n; j0 += 16)
                {
                    int cols = Math.Min(16, n - j0);
                    float* bias = init is null ? null : init + j0;
                    for (int m0 = 0; m0 < m4; m0 += 4)
                    {
                        float* l0 = lk + (nint)m0 * lsm;
                        float* c0 = c + (nint)m0 * ldc + j0;
                        if (cols == 16) Tile4x16(l0, lsm, lsk, rk + j0, ldr, c0, ldc, bias, load, kc);
                        else Tile4xMasked(l0, lsm, lsk, rk + j0, ldr, c0, ldc, bias, load, kc, cols);
                    }
                }
                for (int row = m4; row < m; row++)
                {
                    for (int j0 = 0; j0 < n; j0 += 64)
                    {
                        Row(lk + (nint)row * lsm, lsk, rk + j0, ldr, c + (nint)row * ldc + j0, init is null ? null : init + j0, load, kc, Math.Min(64, n - j0));
                    }
                }
            }
        }

        private static void Tile4x16(float* l, int lsm, int lsk, float* r, int ldr, float* c, int ldc, float* init, bool load, int k)
        {
            Vector256<float> a00, a01, a10, a11, a20, a21, a30, a31;
            if (load)
            {
                a00 = Avx.LoadVector256(c); a01 = Avx.LoadVector256(c + 8);
                a10 = Avx.LoadVector256(c + ldc); a11 = Avx.LoadVector256(c + ldc + 8);
                a20 = Avx.LoadVector256(c + 2 * ldc); a21 = Avx.LoadVector256(c + 2 * ldc + 8);
                a30 = Avx.LoadVector256(c + 3 * ldc); a31 = Avx.LoadVector256(c + 3 * ldc + 8);
            }
            else
            {
                a00 = init is null ? default : Avx.LoadVector256(init);
                a01 = init is null ? default : Avx.LoadVector256(init + 8);
                a10 = a00; a20 = a00; a30 = a00;
                a11 = a01; a21 = a01; a31 = a01;
            }
            float* l1 = l + lsm, l2 = l + 2 * lsm, l3 = l + 3 * lsm;
            for (int i = 0; i < k; i++, r += ldr)
            {
                nint o = (nint)i * lsk;
                Vector256<float> w0 = Avx.LoadVector256(r), w1 = Avx.LoadVector256(r + 8);
                Vector256<float> x = Vector256.Create(l[o]);
                a00 = Fma.MultiplyAdd(x, w0, a00); a01 = Fma.MultiplyAdd(x, w1, a01);
                x = Vector256.Create(l1[o]);
                a10 = Fma.MultiplyAdd(x, w0, a10); a11 = Fma.MultiplyAdd(x, w1, a11);
                x = Vector256.Create(l2[o]);
                a20 = Fma.MultiplyAdd(x, w0, a20); a21 = Fma.MultiplyAdd(x, w1, a21);
                x = Vector256.Create(l3[o]);
                a30 = Fma.MultiplyAdd(x, w0, a30); a31 = Fma.MultiplyAdd(x, w1, a31);
            }
            Avx.Store(c, a00); Avx.Store(c + 8, a01);
            Avx.Store(c + ldc, a10); Avx.Store(c + ldc + 8, a11);
            Avx.Store(c + 2 * ldc, a20); Avx.Store(c + 2 * ldc + 8, a21);
            Avx.Store(c + 3 * ldc, a30); Avx.Store(c + 3 * ldc + 8, a31);
        }

        // The first `count` lanes set (count 0..8).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Mask(int count) =>
            Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();

        // 4 rows x `cols` (1..15) columns: the same tile with masked loads and stores.
        private static void Tile4xMasked(float* l, int lsm, int lsk, float* r, int ldr, float* c, int ldc, float* init, bool load, int k, int cols)
        {
            Vector256<float> m0 = Mask(Math.Min(cols, 8)), m1 = Mask(Math.Max(cols - 8, 0));
            Vector256<float> a00, a01, a10, a11, a20, a21, a30, a31;
            if (load)
            {
                a00 = Avx.MaskLoad(c, m0); a01 = Avx.MaskLoad(c + 8, m1);
                a10 = Avx.MaskLoad(c + ldc, m0); a11 = Avx.MaskLoad(c + ldc + 8, m1);
                a20 = Avx.MaskLoad(c + 2 * ldc, m0); a21 = Avx.MaskLoad(c + 2 * ldc + 8, m1);
                a30 = Avx.MaskLoad(c + 3 * ldc, m0); a31 = Avx.MaskLoad(c + 3 * ldc + 8, m1);
            }
            else
            {
                a00 = init is null ? default : Avx.MaskLoad(init, m0);
                a01 = init is null ? default : Avx.MaskLoad(init + 8, m1);
                a10 = a00; a20 = a00; a30 = a00;
                a11 = a01; a21 = a01; a31 = a01;
            }
            float* l1 = l + lsm, l2 = l + 2 * lsm, l3 = l + 3 * lsm;
            for (int i = 0; i < k; i++, r += ldr)
            {
                nint o = (nint)i * lsk;
                Vector256<float> w0 = Avx.MaskLoad(r, m0), w1 = Avx.MaskLoad(r + 8, m1);
                Vector256<float> x = Vector256.Create(l[o]);
                a00 = Fma.MultiplyAdd(x, w0, a00); a01 = Fma.MultiplyAdd(x, w1, a01);
                x = Vector256.Create(l1[o]);
                a10 = Fma.MultiplyAdd(x, w0, a10); a11 = Fma.MultiplyAdd(x, w1, a11);
                x = Vector256.Create(l2[o]);
                a20 = Fma.MultiplyAdd(x, w0, a20); a21 = Fma.MultiplyAdd(x, w1, a21);
                x = Vector256.Create(l3[o]);
                a30 = Fma.MultiplyAdd(x, w0, a30); a31 = Fma.MultiplyAdd(x, w1, a31);
            }
            Avx.MaskStore(c, m0, a00); Avx.MaskStore(c + 8, m1, a01);
            Avx.MaskStore(c + ldc, m0, a10); Avx.MaskStore(c + ldc + 8, m1, a11);
            Avx.MaskStore(c + 2 * ldc, m0, a20); Avx.MaskStore(c + 2 * ldc + 8, m1, a21);
            Avx.MaskStore(c + 3 * ldc, m0, a30); Avx.MaskStore(c + 3 * ldc + 8, m1, a31);
        }

        // One row x `cols` (1..64) columns: up to 8 accumulators (enough independent FMA chains to hide the latency).
        private static void Row(float* l, int lsk, float* r, int ldr, float* c, float* init, bool load, int k, int cols)
        {
            int vectors = (cols + 7) >> 3;
            Vector256<float> tail = Mask(cols - 8 * (vectors - 1));
            bool full = cols == 64;
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            float* src = load ? c : init;
            if (src is not null)
            {
                a0 = Start(src, 0, vectors, tail); a1 = Start(src, 1, vectors, tail); a2 = Start(src, 2, vectors, tail); a3 = Start(src, 3, vectors, tail);
                a4 = Start(src, 4, vectors, tail); a5 = Start(src, 5, vectors, tail); a6 = Start(src, 6, vectors, tail); a7 = Start(src, 7, vectors, tail);
            }
            if (full)
            {
                for (int i = 0; i < k; i++, r += ldr)
                {
                    Vector256<float> x = Vector256.Create(l[(nint)i * lsk]);
                    a0 = Fma.MultiplyAdd(x, Avx.LoadVector256(r), a0); a1 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 8), a1);
                    a2 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 16), a2); a3 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 24), a3);
                    a4 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 32), a4); a5 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 40), a5);
                    a6 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 48), a6); a7 = Fma.MultiplyAdd(x, Avx.LoadVector256(r + 56), a7);
                }
            }
            else
            {
                for (int i = 0; i < k; i++, r += ldr)
                {
                    Vector256<float> x = Vector256.Create(l[(nint)i * lsk]);
                    a0 = Fma.MultiplyAdd(x, Part(r, 0, vectors, tail), a0);
                    if (vectors > 1) a1 = Fma.MultiplyAdd(x, Part(r, 1, vectors, tail), a1);
                    if (vectors > 2) a2 = Fma.MultiplyAdd(x, Part(r, 2, vectors, tail), a2);
                    if (vectors > 3) a3 = Fma.MultiplyAdd(x, Part(r, 3, vectors, tail), a3);
                    if (vectors > 4) a4 = Fma.MultiplyAdd(x, Part(r, 4, vectors, tail), a4);
                    if (vectors > 5) a5 = Fma.MultiplyAdd(x, Part(r, 5, vectors, tail), a5);
                    if (vectors > 6) a6 = Fma.MultiplyAdd(x, Part(r, 6, vectors, tail), a6);
                    if (vectors > 7) a7 = Fma.MultiplyAdd(x, Part(r, 7, vectors, tail), a7);
                }
            }
            Put(c, 0, vectors, tail, a0); Put(c, 1, vectors, tail, a1); Put(c, 2, vectors, tail, a2); Put(c, 3, vectors, tail, a3);
            Put(c, 4, vectors, tail, a4); Put(c, 5, vectors, tail, a5); Put(c, 6, vectors, tail, a6); Put(c, 7, vectors, tail, a7);
        }

        // Vector v of a row of `vectors` vectors whose last one is masked by `tail`; zero past the row.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Part(float* p, int v, int vectors, Vector256<float> tail) =>
            v < vectors - 1 ? Avx.LoadVector256(p + 8 * v) : Avx.MaskLoad(p + 8 * v, tail);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Start(float* p, int v, int vectors, Vector256<float> tail) => v < vectors ? Part(p, v, vectors, tail) : default;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Put(float* p, int v, int vectors, Vector256<float> tail, Vector256<float> value)
        {
            if (v < vectors - 1) Avx.Store(p + 8 * v, value);
            else if (v == vectors - 1) Avx.MaskStore(p + 8 * v, tail, value);
        }

        // db[j] += sum_s dz[s, j].
        private static void BiasGradient(float* dz, float* db, int n, int outSize)
        {
            for (int j = 0; j < outSize; j += 8)
            {
                Vector256<float> m = Mask(Math.Min(8, outSize - j));
                Vector256<float> s0 = Avx.MaskLoad(db + j, m), s1 = default;
                int s = 0;
                for (; s + 1 < n; s += 2)
                {
                    s0 += Avx.MaskLoad(dz + (nint)s * outSize + j, m);
                    s1 += Avx.MaskLoad(dz + (nint)(s + 1) * outSize + j, m);
                }
                if (s < n) s0 += Avx.MaskLoad(dz + (nint)s * outSize + j, m);
                Avx.MaskStore(db + j, m, s0 + s1);
            }
        }

        // dx[s, i] = sum_j dz[s, j] W[i, j]: 2 samples x 4 kernel rows of dot products at a time (8 accumulators).
        private static void InputGradient(float* dz, float* w, float* dx, int n, int inSize, int outSize)
        {
            int full = outSize & ~7;
            Vector256<float> tail = Mask(outSize - full);
            bool hasTail = full < outSize;
            for (int s = 0; s < n; s += 2)
            {
                bool two = s + 1 < n;
                float* d0 = dz + (nint)s * outSize, d1 = two ? d0 + outSize : d0;
                for (int i = 0; i < inSize; i += 4)
                {
                    int rows = Math.Min(4, inSize - i);
                    float* w0 = w + (nint)i * outSize;
                    float* w1 = rows > 1 ? w0 + outSize : w0, w2 = rows > 2 ? w0 + 2 * outSize : w0, w3 = rows > 3 ? w0 + 3 * outSize : w0;
                    Vector256<float> p00 = default, p01 = default, p02 = default, p03 = default, p10 = default, p11 = default, p12 = default, p13 = default;
                    int j = 0;
                    for (; j < full; j += 8)
                    {
                        Vector256<float> x0 = Avx.LoadVector256(d0 + j), x1 = Avx.LoadVector256(d1 + j);
                        Vector256<float> k0 = Avx.LoadVector256(w0 + j), k1 = Avx.LoadVector256(w1 + j), k2 = Avx.LoadVector256(w2 + j), k3 = Avx.LoadVector256(w3 + j);
                        p00 = Fma.MultiplyAdd(x0, k0, p00); p01 = Fma.MultiplyAdd(x0, k1, p01); p02 = Fma.MultiplyAdd(x0, k2, p02); p03 = Fma.MultiplyAdd(x0, k3, p03);
                        p10 = Fma.MultiplyAdd(x1, k0, p10); p11 = Fma.MultiplyAdd(x1, k1, p11); p12 = Fma.MultiplyAdd(x1, k2, p12); p13 = Fma.MultiplyAdd(x1, k3, p13);
                    }
                    if (hasTail)
                    {
                        Vector256<float> x0 = Avx.MaskLoad(d0 + j, tail), x1 = Avx.MaskLoad(d1 + j, tail);
                        Vector256<float> k0 = Avx.MaskLoad(w0 + j, tail), k1 = Avx.MaskLoad(w1 + j, tail), k2 = Avx.MaskLoad(w2 + j, tail), k3 = Avx.MaskLoad(w3 + j, tail);
                        p00 = Fma.MultiplyAdd(x0, k0, p00); p01 = Fma.MultiplyAdd(x0, k1, p01); p02 = Fma.MultiplyAdd(x0, k2, p02); p03 = Fma.MultiplyAdd(x0, k3, p03);
                        p10 = Fma.MultiplyAdd(x1, k0, p10); p11 = Fma.MultiplyAdd(x1, k1, p11); p12 = Fma.MultiplyAdd(x1, k2, p12); p13 = Fma.MultiplyAdd(x1, k3, p13);
                    }
                    float* o0 = dx + (nint)s * inSize + i;
                    o0[0] = Vector256.Sum(p00);
                    if (rows > 1) o0[1] = Vector256.Sum(p01);
                    if (rows > 2) o0[2] = Vector256.Sum(p02);
                    if (rows > 3) o0[3] = Vector256.Sum(p03);
                    if (two)
                    {
                        float* o1 = o0 + inSize;
                        o1[0] = Vector256.Sum(p10);
                        if (rows > 1) o1[1] = Vector256.Sum(p11);
                        if (rows > 2) o1[2] = Vector256.Sum(p12);
                        if (rows > 3) o1[3] = Vector256.Sum(p13);
                    }
                }
            }
        }

        protected override void Activate(Act act, ReadOnlySpan<float> z, Span<float> y, int n, int width)
        {
            int count = n * width;
            switch (act)
            {
                case Act.Linear:
                    if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(y))) z.Slice(0, count).CopyTo(y);
                    return;
                case Act.Tanh: TensorPrimitives.Tanh(z.Slice(0, count), y); return;
                case Act.Sigmoid: TensorPrimitives.Sigmoid(z.Slice(0, count), y); return;
                case Act.Softmax: Scalar.Softmax(z, y, n, width); return;
            }
            ref float zr = ref MemoryMarshal.GetReference(z);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            for (; i + 8 <= count; i += 8)
            {
                Vector256<float> v = Vector256.LoadUnsafe(ref zr, (nuint)i);
                Vector256<float> r = act == Act.Relu ? Vector256.Max(v, Vector256<float>.Zero) : v / (Vector256<float>.One + Vector256.Exp(-v));
                r.StoreUnsafe(ref yr, (nuint)i);
            }
            for (; i < count; i++) Unsafe.Add(ref yr, i) = Scalar.Apply(act, Unsafe.Add(ref zr, i));
        }

        protected override void ActivationBackward(Act act, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int count)
        {
            ref float zr = ref MemoryMarshal.GetReference(z);
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float dyr = ref MemoryMarshal.GetReference(dy);
            ref float dzr = ref MemoryMarshal.GetReference(dz);
            int i = 0;
            for (; i + 8 <= count; i += 8)
            {
                Vector256<float> zv = Vector256.LoadUnsafe(ref zr, (nuint)i), yv = Vector256.LoadUnsafe(ref yr, (nuint)i), g = Vector256.LoadUnsafe(ref dyr, (nuint)i);
                Vector256<float> d = act switch
                {
                    Act.Relu => g & Vector256.GreaterThan(zv, Vector256<float>.Zero),
                    Act.Tanh => g * (Vector256<float>.One - yv * yv),
                    Act.Sigmoid => g * yv * (Vector256<float>.One - yv),
                    _ => g * SiluDerivative(zv),
                };
                d.StoreUnsafe(ref dzr, (nuint)i);
            }
            for (; i < count; i++) Unsafe.Add(ref dzr, i) = Unsafe.Add(ref dyr, i) * Scalar.Derivative(act, Unsafe.Add(ref zr, i), Unsafe.Add(ref yr, i));
        }

        // silu'(z) = s (1 + z (1 - s)), s = 1 / (1 + e^-z).
        private static Vector256<float> SiluDerivative(Vector256<float> z)
        {
            Vector256<float> s = Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-z));
            return s * (Vector256<float>.One + z * (Vector256<float>.One - s));
        }
    }
}
