using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// (c) Hand-written Vector512 + FMA with run-time sizes: accumulators over 16-unit vectors in tiles (8 per tile for one
    /// sample, 4 x 4 samples for the batch path, so each loaded weight vector serves four samples), an overlapping last
    /// vector instead of a scalar tail, Vector256 for 8-15 units, vectorized activations and derivatives. Requires
    /// Vector512 hardware (this machine has it); the benchmark checks.
    /// </summary>
    public sealed class VectorNet : BaselineNet
    {
        public VectorNet(int maxBatch, params Layer[] layers) : base(maxBatch, layers)
        {
            if (!Vector512.IsHardwareAccelerated) throw new PlatformNotSupportedException("VectorNet needs Vector512.");
        }

        protected override void Dense(int l, ReadOnlySpan<float> x, Span<float> z, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            ref float w = ref MemoryMarshal.GetReference(Kernel(l));
            ref float b = ref MemoryMarshal.GetReference(Bias(l));
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float zr = ref MemoryMarshal.GetReference(z);
            int s = 0;
            if (outSize >= 16)
            {
                for (; s + 4 <= n; s += 4) Dense4(ref w, ref b, ref Unsafe.Add(ref xr, s * inSize), ref Unsafe.Add(ref zr, s * outSize), inSize, outSize);
            }
            for (; s < n; s++) Dense1(ref w, ref b, ref Unsafe.Add(ref xr, s * inSize), ref Unsafe.Add(ref zr, s * outSize), inSize, outSize);
        }

        private static void Dense4(ref float w, ref float b, ref float x, ref float z, int inSize, int outSize)
        {
            int vectors = (outSize + 15) / 16;
            for (int v0 = 0; v0 < vectors; v0 += 4)
            {
                int count = Math.Min(4, vectors - v0);
                // Offsets of this tile's vectors; the last vector of the layer may overlap the one before it.
                int o0 = Off(v0, outSize), o1 = Off(v0 + 1, outSize), o2 = Off(v0 + 2, outSize), o3 = Off(v0 + 3, outSize);
                Vector512<float> bias0 = Vector512.LoadUnsafe(ref b, (nuint)o0), bias1 = count > 1 ? Vector512.LoadUnsafe(ref b, (nuint)o1) : default;
                Vector512<float> bias2 = count > 2 ? Vector512.LoadUnsafe(ref b, (nuint)o2) : default, bias3 = count > 3 ? Vector512.LoadUnsafe(ref b, (nuint)o3) : default;
                Vector512<float> a00 = bias0, a01 = bias1, a02 = bias2, a03 = bias3, a10 = bias0, a11 = bias1, a12 = bias2, a13 = bias3;
                Vector512<float> a20 = bias0, a21 = bias1, a22 = bias2, a23 = bias3, a30 = bias0, a31 = bias1, a32 = bias2, a33 = bias3;
                ref float row = ref w;
                for (int i = 0; i < inSize; i++, row = ref Unsafe.Add(ref row, outSize))
                {
                    Vector512<float> x0 = Vector512.Create(Unsafe.Add(ref x, i)), x1 = Vector512.Create(Unsafe.Add(ref x, inSize + i));
                    Vector512<float> x2 = Vector512.Create(Unsafe.Add(ref x, 2 * inSize + i)), x3 = Vector512.Create(Unsafe.Add(ref x, 3 * inSize + i));
                    Vector512<float> k = Vector512.LoadUnsafe(ref row, (nuint)o0);
                    a00 = Vector512.FusedMultiplyAdd(x0, k, a00); a10 = Vector512.FusedMultiplyAdd(x1, k, a10);
                    a20 = Vector512.FusedMultiplyAdd(x2, k, a20); a30 = Vector512.FusedMultiplyAdd(x3, k, a30);
                    if (count > 1)
                    {
                        k = Vector512.LoadUnsafe(ref row, (nuint)o1);
                        a01 = Vector512.FusedMultiplyAdd(x0, k, a01); a11 = Vector512.FusedMultiplyAdd(x1, k, a11);
                        a21 = Vector512.FusedMultiplyAdd(x2, k, a21); a31 = Vector512.FusedMultiplyAdd(x3, k, a31);
                    }
                    if (count > 2)
                    {
                        k = Vector512.LoadUnsafe(ref row, (nuint)o2);
                        a02 = Vector512.FusedMultiplyAdd(x0, k, a02); a12 = Vector512.FusedMultiplyAdd(x1, k, a12);
                        a22 = Vector512.FusedMultiplyAdd(x2, k, a22); a32 = Vector512.FusedMultiplyAdd(x3, k, a32);
                    }
                    if (count > 3)
                    {
                        k = Vector512.LoadUnsafe(ref row, (nuint)o3);
                        a03 = Vector512.FusedMultiplyAdd(x0, k, a03); a13 = Vector512.FusedMultiplyAdd(x1, k, a13);
                        a23 = Vector512.FusedMultiplyAdd(x2, k, a23); a33 = Vector512.FusedMultiplyAdd(x3, k, a33);
                    }
                }
                Store(ref z, o0, outSize, a00, a10, a20, a30);
                if (count > 1) Store(ref z, o1, outSize, a01, a11, a21, a31);
                if (count > 2) Store(ref z, o2, outSize, a02, a12, a22, a32);
                if (count > 3) Store(ref z, o3, outSize, a03, a13, a23, a33);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Off(int vector, int outSize) => Math.Min(vector * 16, outSize - 16);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref float z, int offset, int stride, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3)
        {
            s0.StoreUnsafe(ref z, (nuint)offset);
            s1.StoreUnsafe(ref z, (nuint)(stride + offset));
            s2.StoreUnsafe(ref z, (nuint)(2 * stride + offset));
            s3.StoreUnsafe(ref z, (nuint)(3 * stride + offset));
        }

        private static void Dense1(ref float w, ref float b, ref float x, ref float z, int inSize, int outSize)
        {
            if (outSize >= 16)
            {
                int vectors = (outSize + 15) / 16;
                Span<int> offsets = stackalloc int[8];
                Span<Vector512<float>> acc = stackalloc Vector512<float>[8];
                Span<Vector512<float>> odd = stackalloc Vector512<float>[8];
                for (int v0 = 0; v0 < vectors; v0 += 8)
                {
                    int count = Math.Min(8, vectors - v0);
                    for (int v = 0; v < count; v++)
                    {
                        offsets[v] = Off(v0 + v, outSize);
                        acc[v] = Vector512.LoadUnsafe(ref b, (nuint)offsets[v]);
                    }
                    ref float row = ref w;
                    if (count == 8 && offsets[7] == offsets[0] + 112)
                    {
                        Vector512<float> a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5], a6 = acc[6], a7 = acc[7];
                        int o = offsets[0];
                        for (int i = 0; i < inSize; i++, row = ref Unsafe.Add(ref row, outSize))
                        {
                            Vector512<float> xi = Vector512.Create(Unsafe.Add(ref x, i));
                            ref float r = ref Unsafe.Add(ref row, o);
                            a0 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 0), a0);
                            a1 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 16), a1);
                            a2 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 32), a2);
                            a3 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 48), a3);
                            a4 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 64), a4);
                            a5 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 80), a5);
                            a6 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 96), a6);
                            a7 = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref r, 112), a7);
                        }
                        acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5; acc[6] = a6; acc[7] = a7;
                    }
                    else
                    {
                        // Fewer vectors: two accumulator sets over alternating inputs hide the FMA latency.
                        odd.Clear();
                        int i = 0;
                        for (; i + 1 < inSize; i += 2, row = ref Unsafe.Add(ref row, 2 * outSize))
                        {
                            Vector512<float> x0 = Vector512.Create(Unsafe.Add(ref x, i)), x1 = Vector512.Create(Unsafe.Add(ref x, i + 1));
                            for (int v = 0; v < count; v++)
                            {
                                acc[v] = Vector512.FusedMultiplyAdd(x0, Vector512.LoadUnsafe(ref row, (nuint)offsets[v]), acc[v]);
                                odd[v] = Vector512.FusedMultiplyAdd(x1, Vector512.LoadUnsafe(ref row, (nuint)(outSize + offsets[v])), odd[v]);
                            }
                        }
                        if (i < inSize)
                        {
                            Vector512<float> xi = Vector512.Create(Unsafe.Add(ref x, i));
                            for (int v = 0; v < count; v++) acc[v] = Vector512.FusedMultiplyAdd(xi, Vector512.LoadUnsafe(ref row, (nuint)offsets[v]), acc[v]);
                        }
                        for (int v = 0; v < count; v++) acc[v] += odd[v];
                    }
                    for (int v = 0; v < count; v++) acc[v].StoreUnsafe(ref z, (nuint)offsets[v]);
                }
            }
            else if (outSize >= 8)
            {
                int o1 = outSize - 8;
                Vector256<float> a0 = Vector256.LoadUnsafe(ref b), a1 = Vector256.LoadUnsafe(ref b, (nuint)o1), c0 = default, c1 = default;
                int i = 0;
                ref float row = ref w;
                for (; i + 1 < inSize; i += 2, row = ref Unsafe.Add(ref row, 2 * outSize))
                {
                    Vector256<float> x0 = Vector256.Create(Unsafe.Add(ref x, i)), x1 = Vector256.Create(Unsafe.Add(ref x, i + 1));
                    a0 = Vector256.FusedMultiplyAdd(x0, Vector256.LoadUnsafe(ref row), a0);
                    a1 = Vector256.FusedMultiplyAdd(x0, Vector256.LoadUnsafe(ref row, (nuint)o1), a1);
                    c0 = Vector256.FusedMultiplyAdd(x1, Vector256.LoadUnsafe(ref row, (nuint)outSize), c0);
                    c1 = Vector256.FusedMultiplyAdd(x1, Vector256.LoadUnsafe(ref row, (nuint)(outSize + o1)), c1);
                }
                if (i < inSize)
                {
                    Vector256<float> xi = Vector256.Create(Unsafe.Add(ref x, i));
                    a0 = Vector256.FusedMultiplyAdd(xi, Vector256.LoadUnsafe(ref row), a0);
                    a1 = Vector256.FusedMultiplyAdd(xi, Vector256.LoadUnsafe(ref row, (nuint)o1), a1);
                }
                (a0 + c0).StoreUnsafe(ref z);
                (a1 + c1).StoreUnsafe(ref z, (nuint)o1);
            }
            else
            {
                for (int j = 0; j < outSize; j++)
                {
                    float p0 = 0, p1 = 0, p2 = 0, p3 = 0;
                    int i = 0;
                    for (; i + 4 <= inSize; i += 4)
                    {
                        p0 += Unsafe.Add(ref x, i) * Unsafe.Add(ref w, i * outSize + j);
                        p1 += Unsafe.Add(ref x, i + 1) * Unsafe.Add(ref w, (i + 1) * outSize + j);
                        p2 += Unsafe.Add(ref x, i + 2) * Unsafe.Add(ref w, (i + 2) * outSize + j);
                        p3 += Unsafe.Add(ref x, i + 3) * Unsafe.Add(ref w, (i + 3) * outSize + j);
                    }
                    for (; i < inSize; i++) p0 += Unsafe.Add(ref x, i) * Unsafe.Add(ref w, i * outSize + j);
                    Unsafe.Add(ref z, j) = Unsafe.Add(ref b, j) + ((p0 + p1) + (p2 + p3));
                }
            }
        }

        protected override void Activate(Act act, ReadOnlySpan<float> z, Span<float> y, int n, int width)
        {
            if (act == Act.Linear)
            {
                if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(y))) z.CopyTo(y);
                return;
            }
            if (act == Act.Softmax)
            {
                Scalar.Softmax(z, y, n, width);
                return;
            }
            int count = n * width;
            // Exponential-based activations: TensorPrimitives (System.Numerics.Tensors), silu with the BCL's Vector512.Exp.
            if (act == Act.Tanh) { TensorPrimitives.Tanh(z.Slice(0, count), y); return; }
            if (act == Act.Sigmoid) { TensorPrimitives.Sigmoid(z.Slice(0, count), y); return; }
            ref float zr = ref MemoryMarshal.GetReference(z);
            ref float yr = ref MemoryMarshal.GetReference(y);
            int i = 0;
            for (; i + 16 <= count; i += 16)
            {
                Vector512<float> v = Vector512.LoadUnsafe(ref zr, (nuint)i);
                Vector512<float> r = act == Act.Relu ? Vector512.Max(v, Vector512<float>.Zero) : v / (Vector512<float>.One + Vector512.Exp(-v));
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
            for (; i + 16 <= count; i += 16)
            {
                Vector512<float> zv = Vector512.LoadUnsafe(ref zr, (nuint)i), yv = Vector512.LoadUnsafe(ref yr, (nuint)i);
                Vector512<float> d = act switch
                {
                    Act.Relu => Vector512.ConditionalSelect(Vector512.GreaterThan(zv, Vector512<float>.Zero), Vector512<float>.One, Vector512<float>.Zero),
                    Act.Tanh => Vector512<float>.One - yv * yv,
                    Act.Sigmoid => yv * (Vector512<float>.One - yv),
                    _ => SiluDerivative(zv),
                };
                (Vector512.LoadUnsafe(ref dyr, (nuint)i) * d).StoreUnsafe(ref dzr, (nuint)i);
            }
            for (; i < count; i++) Unsafe.Add(ref dzr, i) = Unsafe.Add(ref dyr, i) * Scalar.Derivative(act, Unsafe.Add(ref zr, i), Unsafe.Add(ref yr, i));
        }

        // silu'(z) = s (1 + z (1 - s)), s = 1 / (1 + e^-z).
        private static Vector512<float> SiluDerivative(Vector512<float> z)
        {
            Vector512<float> s = Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-z));
            return s * (Vector512<float>.One + z * (Vector512<float>.One - s));
        }

        protected override void DenseBackward(int l, ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dW, Span<float> db, Span<float> dx, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            ref float w = ref MemoryMarshal.GetReference(Kernel(l));
            ref float xr = ref MemoryMarshal.GetReference(x);
            ref float dzr = ref MemoryMarshal.GetReference(dz);
            ref float gr = ref MemoryMarshal.GetReference(dW);
            int vectorEnd = outSize / 16 * 16;
            Span<Vector512<float>> acc = stackalloc Vector512<float>[8];
            // Kernel gradient: a row's gradient vectors (8 at a time) stay in registers while all samples add to them.
            for (int i = 0; i < inSize; i++)
            {
                ref float gRow = ref Unsafe.Add(ref gr, i * outSize);
                for (int j0 = 0; j0 < vectorEnd; j0 += 128)
                {
                    int count = Math.Min(8, (vectorEnd - j0) / 16);
                    for (int v = 0; v < count; v++) acc[v] = Vector512.LoadUnsafe(ref gRow, (nuint)(j0 + 16 * v));
                    for (int s = 0; s < n; s++)
                    {
                        Vector512<float> xs = Vector512.Create(Unsafe.Add(ref xr, s * inSize + i));
                        ref float dzs = ref Unsafe.Add(ref dzr, s * outSize + j0);
                        for (int v = 0; v < count; v++) acc[v] = Vector512.FusedMultiplyAdd(xs, Vector512.LoadUnsafe(ref dzs, (nuint)(16 * v)), acc[v]);
                    }
                    for (int v = 0; v < count; v++) acc[v].StoreUnsafe(ref gRow, (nuint)(j0 + 16 * v));
                }
                for (int j = vectorEnd; j < outSize; j++)
                {
                    float g = Unsafe.Add(ref gRow, j);
                    for (int s = 0; s < n; s++) g += Unsafe.Add(ref xr, s * inSize + i) * Unsafe.Add(ref dzr, s * outSize + j);
                    Unsafe.Add(ref gRow, j) = g;
                }
            }
            for (int j = 0; j < outSize; j++)
            {
                float sum = 0;
                for (int s = 0; s < n; s++) sum += Unsafe.Add(ref dzr, s * outSize + j);
                db[j] += sum;
            }
            if (dx.IsEmpty) return;
            ref float dxr = ref MemoryMarshal.GetReference(dx);
            for (int s = 0; s < n; s++)
            {
                ref float dzs = ref Unsafe.Add(ref dzr, s * outSize);
                for (int i = 0; i < inSize; i++)
                {
                    ref float wRow = ref Unsafe.Add(ref w, i * outSize);
                    Vector512<float> d0 = Vector512<float>.Zero, d1 = Vector512<float>.Zero;
                    int j = 0;
                    for (; j + 32 <= vectorEnd; j += 32)
                    {
                        d0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wRow, (nuint)j), Vector512.LoadUnsafe(ref dzs, (nuint)j), d0);
                        d1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wRow, (nuint)(j + 16)), Vector512.LoadUnsafe(ref dzs, (nuint)(j + 16)), d1);
                    }
                    for (; j < vectorEnd; j += 16) d0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref wRow, (nuint)j), Vector512.LoadUnsafe(ref dzs, (nuint)j), d0);
                    float sum = Vector512.Sum(d0 + d1);
                    for (; j < outSize; j++) sum += Unsafe.Add(ref wRow, j) * Unsafe.Add(ref dzs, j);
                    Unsafe.Add(ref dxr, s * inSize + i) = sum;
                }
            }
        }
    }
}
