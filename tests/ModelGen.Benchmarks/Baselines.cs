using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Benchmarks
{
    /// <summary>The activations the reference models use.</summary>
    public enum Act { Linear, Relu, Tanh, Sigmoid, Silu, Softmax }

    /// <summary>One dense layer with run-time sizes.</summary>
    public readonly record struct Layer(int In, int Out, Act Act);

    /// <summary>
    /// A hand-written network with run-time sizes and the same flat parameter layout as a generated model (per layer,
    /// kernel [in x out] row-major, then bias). It owns every buffer, so after construction Forward and TrainStep allocate
    /// nothing. The loss matches ComputeGradients: cross-entropy from logits after softmax (categorical) or sigmoid
    /// (binary), else mean squared error; the optimizer is <see cref="BaselineAdam"/>. Nothing here calls ModelGen's
    /// runtime (its optimizers, losses, activations or buffers): the comparison covers the whole step.
    /// </summary>
    public abstract class BaselineNet
    {
        private readonly int[] _kernel, _bias;
        private readonly float[][] _z, _y, _dz, _dy;
        private readonly float[] _parameters, _gradientArray, _scratchA, _scratchB;
        private readonly int _parametersStart, _gradientStart, _count;
        private readonly int _maxBatch;

        protected BaselineNet(int maxBatch, params Layer[] layers)
        {
            Layers = layers;
            _maxBatch = maxBatch;
            _kernel = new int[layers.Length];
            _bias = new int[layers.Length];
            int offset = 0, widest = 0;
            for (int l = 0; l < layers.Length; l++)
            {
                _kernel[l] = offset;
                offset += layers[l].In * layers[l].Out;
                _bias[l] = offset;
                offset += layers[l].Out;
                widest = Math.Max(widest, Math.Max(layers[l].In, layers[l].Out));
            }
            // Parameters and gradient start on 64-byte boundaries, as the generated models' do (ModelGen.Aligned).
            _count = offset;
            _parameters = AlignedArray(offset, out _parametersStart);
            _gradientArray = AlignedArray(offset, out _gradientStart);
            _z = new float[layers.Length][];
            _y = new float[layers.Length][];
            _dz = new float[layers.Length][];
            _dy = new float[layers.Length][];
            for (int l = 0; l < layers.Length; l++)
            {
                _z[l] = new float[maxBatch * layers[l].Out];
                _y[l] = new float[maxBatch * layers[l].Out];
                _dz[l] = new float[maxBatch * layers[l].Out];
                _dy[l] = new float[maxBatch * layers[l].In];
            }
            _scratchA = new float[maxBatch * widest];
            _scratchB = new float[maxBatch * widest];
        }

        // A pinned array with a 64-byte aligned run of the length from start (this code's own, not ModelGen's Aligned).
        private static unsafe float[] AlignedArray(int length, out int start)
        {
            float[] array = GC.AllocateArray<float>(length + 16, pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
            start = (int)((64 - (address & 63)) & 63) / sizeof(float);
            return array;
        }

        public Layer[] Layers { get; }
        public Span<float> Parameters => _shared is null ? _parameters.AsSpan(_parametersStart, _count) : _shared.Span;

        // When set, the parameters are another model's memory (see ShareParameters).
        private SharedParameters? _shared;

        /// <summary>
        /// Reads its parameters from <paramref name="model"/>'s own parameter memory (the generated models keep it pinned, so
        /// it never moves): then both implementations read the very same bytes, and where the pages happen to land in the
        /// cache affects them alike. For forward-only comparisons.
        /// </summary>
        public unsafe void ShareParameters(IModel model)
        {
            Span<float> span = model.Parameters;
            _shared = new SharedParameters((float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(span)), span.Length);
        }

        private sealed unsafe class SharedParameters(float* pointer, int length)
        {
            public Span<float> Span => new(pointer, length);
        }
        public float[] Gradient => GradientSpan.ToArray();
        private Span<float> GradientSpan => _gradientArray.AsSpan(_gradientStart, _count);
        public int InputSize => Layers[0].In;
        public int OutputSize => Layers[^1].Out;

        protected ReadOnlySpan<float> Kernel(int l) => Parameters.Slice(_kernel[l], Layers[l].In * Layers[l].Out);
        protected ReadOnlySpan<float> Bias(int l) => Parameters.Slice(_bias[l], Layers[l].Out);

        /// <summary>y = act(x W + b) for n samples.</summary>
        protected abstract void Dense(int l, ReadOnlySpan<float> x, Span<float> z, int n);

        /// <summary>Applies the activation of layer l over n samples (z to y; may be in place).</summary>
        protected abstract void Activate(Act act, ReadOnlySpan<float> z, Span<float> y, int n, int width);

        /// <summary>dz = dy * act'(z, y) over n samples (elementwise activations only).</summary>
        protected abstract void ActivationBackward(Act act, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int count);

        /// <summary>dW += x^T dz, db += colsum(dz), dx = dz W^T (dx empty: skipped).</summary>
        protected abstract void DenseBackward(int l, ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dW, Span<float> db, Span<float> dx, int n);

        /// <summary>Inference for n = x.Length / InputSize samples (at most the batch size given to the constructor).</summary>
        public void Forward(ReadOnlySpan<float> x, Span<float> output)
        {
            int n = x.Length / InputSize;
            ReadOnlySpan<float> current = x;
            for (int l = 0; l < Layers.Length; l++)
            {
                Span<float> next = l == Layers.Length - 1 ? output : (l % 2 == 0 ? _scratchA : _scratchB).AsSpan(0, n * Layers[l].Out);
                Dense(l, current, next, n);
                Activate(Layers[l].Act, next, next, n, Layers[l].Out);
                current = next;
            }
        }

        /// <summary>One training step on n samples: forward with trace, loss gradient, backward, Adam. Returns the loss.</summary>
        public float TrainStep(ReadOnlySpan<float> x, ReadOnlySpan<float> targets, BaselineAdam adam)
        {
            int n = x.Length / InputSize;
            ReadOnlySpan<float> current = x;
            for (int l = 0; l < Layers.Length; l++)
            {
                Span<float> z = _z[l].AsSpan(0, n * Layers[l].Out), y = _y[l].AsSpan(0, n * Layers[l].Out);
                Dense(l, current, z, n);
                Activate(Layers[l].Act, z, y, n, Layers[l].Out);
                current = y;
            }
            int last = Layers.Length - 1, width = OutputSize;
            Span<float> g = _dz[last].AsSpan(0, n * width);
            float loss = LossGradient(Layers[last].Act, _z[last], _y[last], targets, g, n, width);
            GradientSpan.Clear();
            for (int l = last; l >= 0; l--)
            {
                Span<float> dz = _dz[l].AsSpan(0, n * Layers[l].Out);
                if (l != last && Layers[l].Act != Act.Linear)
                {
                    ActivationBackward(Layers[l].Act, _z[l].AsSpan(0, dz.Length), _y[l].AsSpan(0, dz.Length), dz, dz, dz.Length);
                }
                ReadOnlySpan<float> input = l == 0 ? x : _y[l - 1].AsSpan(0, n * Layers[l].In);
                Span<float> dx = l == 0 ? default : _dz[l - 1].AsSpan(0, n * Layers[l].In);
                DenseBackward(l, input, dz, GradientSpan.Slice(_kernel[l], Layers[l].In * Layers[l].Out), GradientSpan.Slice(_bias[l], Layers[l].Out), dx, n);
            }
            adam.Step(Parameters, GradientSpan);
            return loss;
        }

        // Softmax + categorical cross-entropy and sigmoid + binary cross-entropy from logits (gradient (p - y) / n per
        // output, divided by the width for binary); mean squared error otherwise.
        private static float LossGradient(Act act, float[] z, float[] y, ReadOnlySpan<float> t, Span<float> g, int n, int width)
        {
            double total = 0;
            for (int i = 0; i < n * width; i++)
            {
                float p = y[i];
                switch (act)
                {
                    case Act.Softmax:
                        total -= t[i] * Math.Log(Math.Max(p, 1e-30));
                        g[i] = (p - t[i]) / n;
                        break;
                    case Act.Sigmoid:
                        total += Math.Max(z[i], 0) - z[i] * t[i] + Math.Log(1 + Math.Exp(-Math.Abs(z[i])));
                        g[i] = (p - t[i]) / (n * width);
                        break;
                    default:
                        total += (p - t[i]) * (p - t[i]);
                        g[i] = 2 * (p - t[i]) / (n * width);
                        break;
                }
            }
            return (float)(act == Act.Softmax ? total / n : total / (n * width));
        }
    }

    /// <summary>(a) Plain nested loops, scalar math.</summary>
    public sealed class NaiveNet : BaselineNet
    {
        public NaiveNet(int maxBatch, params Layer[] layers) : base(maxBatch, layers) { }

        protected override void Dense(int l, ReadOnlySpan<float> x, Span<float> z, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            ReadOnlySpan<float> w = Kernel(l), b = Bias(l);
            for (int s = 0; s < n; s++)
            {
                for (int j = 0; j < outSize; j++)
                {
                    float sum = b[j];
                    for (int i = 0; i < inSize; i++) sum += x[s * inSize + i] * w[i * outSize + j];
                    z[s * outSize + j] = sum;
                }
            }
        }

        protected override void Activate(Act act, ReadOnlySpan<float> z, Span<float> y, int n, int width)
        {
            if (act == Act.Softmax)
            {
                for (int s = 0; s < n; s++)
                {
                    float max = float.NegativeInfinity, sum = 0;
                    for (int j = 0; j < width; j++) max = MathF.Max(max, z[s * width + j]);
                    for (int j = 0; j < width; j++) sum += y[s * width + j] = MathF.Exp(z[s * width + j] - max);
                    for (int j = 0; j < width; j++) y[s * width + j] /= sum;
                }
                return;
            }
            for (int i = 0; i < n * width; i++) y[i] = Scalar.Apply(act, z[i]);
        }

        protected override void ActivationBackward(Act act, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int count)
        {
            for (int i = 0; i < count; i++) dz[i] = dy[i] * Scalar.Derivative(act, z[i], y[i]);
        }

        protected override void DenseBackward(int l, ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dW, Span<float> db, Span<float> dx, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            ReadOnlySpan<float> w = Kernel(l);
            for (int s = 0; s < n; s++)
            {
                for (int j = 0; j < outSize; j++) db[j] += dz[s * outSize + j];
                for (int i = 0; i < inSize; i++)
                {
                    float xi = x[s * inSize + i], sum = 0;
                    for (int j = 0; j < outSize; j++)
                    {
                        dW[i * outSize + j] += xi * dz[s * outSize + j];
                        sum += w[i * outSize + j] * dz[s * outSize + j];
                    }
                    if (!dx.IsEmpty) dx[s * inSize + i] = sum;
                }
            }
        }
    }

    /// <summary>(b) System.Numerics.Tensors.TensorPrimitives: a row of the kernel at a time (axpy), dot products for dx.</summary>
    public sealed class TensorPrimitivesNet : BaselineNet
    {
        private readonly float[] _sigmoid;

        public TensorPrimitivesNet(int maxBatch, params Layer[] layers) : base(maxBatch, layers)
        {
            int widest = 0;
            foreach (Layer layer in layers) widest = Math.Max(widest, layer.Out);
            _sigmoid = new float[maxBatch * widest];
        }

        protected override void Dense(int l, ReadOnlySpan<float> x, Span<float> z, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            ReadOnlySpan<float> w = Kernel(l), b = Bias(l);
            for (int s = 0; s < n; s++)
            {
                Span<float> zs = z.Slice(s * outSize, outSize);
                b.CopyTo(zs);
                for (int i = 0; i < inSize; i++) TensorPrimitives.MultiplyAdd(w.Slice(i * outSize, outSize), x[s * inSize + i], zs, zs);
            }
        }

        protected override void Activate(Act act, ReadOnlySpan<float> z, Span<float> y, int n, int width)
        {
            switch (act)
            {
                case Act.Relu: TensorPrimitives.Max(z, 0f, y); break;
                case Act.Tanh: TensorPrimitives.Tanh(z, y); break;
                case Act.Sigmoid: TensorPrimitives.Sigmoid(z, y); break;
                case Act.Silu:
                    Span<float> sigmoid = _sigmoid.AsSpan(0, z.Length);
                    TensorPrimitives.Sigmoid(z, sigmoid);
                    TensorPrimitives.Multiply(z, sigmoid, y);
                    break;
                case Act.Softmax:
                    for (int s = 0; s < n; s++) TensorPrimitives.SoftMax(z.Slice(s * width, width), y.Slice(s * width, width));
                    break;
                default:
                    if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(y))) z.CopyTo(y);
                    break;
            }
        }

        protected override void ActivationBackward(Act act, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz, int count)
        {
            // TensorPrimitives has no derivative kernels; these are the elementwise compositions a user would write.
            for (int i = 0; i < count; i++) dz[i] = dy[i] * Scalar.Derivative(act, z[i], y[i]);
        }

        protected override void DenseBackward(int l, ReadOnlySpan<float> x, ReadOnlySpan<float> dz, Span<float> dW, Span<float> db, Span<float> dx, int n)
        {
            int inSize = Layers[l].In, outSize = Layers[l].Out;
            ReadOnlySpan<float> w = Kernel(l);
            for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> dzs = dz.Slice(s * outSize, outSize);
                TensorPrimitives.Add(db, dzs, db);
                for (int i = 0; i < inSize; i++)
                {
                    Span<float> row = dW.Slice(i * outSize, outSize);
                    TensorPrimitives.MultiplyAdd(dzs, x[s * inSize + i], row, row);
                    if (!dx.IsEmpty) dx[s * inSize + i] = TensorPrimitives.Dot(w.Slice(i * outSize, outSize), dzs);
                }
            }
        }
    }

    /// <summary>
    /// The baselines' own Keras Adam (lr, beta1 0.9, beta2 0.999, eps 1e-7, no decay): one fused pass with the widest
    /// vectors and FMA, bias corrections once per step. Written independently of ModelGen's optimizers.
    /// </summary>
    public sealed class BaselineAdam(float learningRate)
    {
        private float[] _m = Array.Empty<float>(), _v = Array.Empty<float>();
        private long _t;

        public void Step(Span<float> p, ReadOnlySpan<float> g)
        {
            if (_m.Length != p.Length)
            {
                _m = GC.AllocateArray<float>(p.Length, pinned: true);
                _v = GC.AllocateArray<float>(p.Length, pinned: true);
                _t = 0;
            }
            _t++;
            float alpha = (float)(learningRate * Math.Sqrt(1 - Math.Pow(0.999, _t)) / (1 - Math.Pow(0.9, _t)));
            const float c1 = 1 - 0.9f, c2 = 1 - 0.999f, eps = 1e-7f;
            ref float pr = ref MemoryMarshal.GetReference(p);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float mr = ref MemoryMarshal.GetArrayDataReference(_m);
            ref float vr = ref MemoryMarshal.GetArrayDataReference(_v);
            nuint n = (nuint)p.Length, i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= n; i += 16)
                {
                    Vector512<float> gv = Vector512.LoadUnsafe(ref gr, i), m = Vector512.LoadUnsafe(ref mr, i), v = Vector512.LoadUnsafe(ref vr, i);
                    m = Vector512.FusedMultiplyAdd(gv - m, Vector512.Create(c1), m);
                    v = Vector512.FusedMultiplyAdd(gv * gv - v, Vector512.Create(c2), v);
                    m.StoreUnsafe(ref mr, i);
                    v.StoreUnsafe(ref vr, i);
                    (Vector512.LoadUnsafe(ref pr, i) - Vector512.Create(alpha) * m / (Vector512.Sqrt(v) + Vector512.Create(eps))).StoreUnsafe(ref pr, i);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; i + 8 <= n; i += 8)
                {
                    Vector256<float> gv = Vector256.LoadUnsafe(ref gr, i), m = Vector256.LoadUnsafe(ref mr, i), v = Vector256.LoadUnsafe(ref vr, i);
                    m = Vector256.FusedMultiplyAdd(gv - m, Vector256.Create(c1), m);
                    v = Vector256.FusedMultiplyAdd(gv * gv - v, Vector256.Create(c2), v);
                    m.StoreUnsafe(ref mr, i);
                    v.StoreUnsafe(ref vr, i);
                    (Vector256.LoadUnsafe(ref pr, i) - Vector256.Create(alpha) * m / (Vector256.Sqrt(v) + Vector256.Create(eps))).StoreUnsafe(ref pr, i);
                }
            }
            for (; i < n; i++)
            {
                float gi = Unsafe.Add(ref gr, i);
                ref float m = ref Unsafe.Add(ref mr, i);
                ref float v = ref Unsafe.Add(ref vr, i);
                m += (gi - m) * c1;
                v += (gi * gi - v) * c2;
                Unsafe.Add(ref pr, i) -= alpha * m / (MathF.Sqrt(v) + eps);
            }
        }
    }

    internal static class Scalar
    {
        /// <summary>Row-wise softmax of n rows of width values (max-shifted, one reciprocal per row); may be in place.</summary>
        public static void Softmax(ReadOnlySpan<float> z, Span<float> y, int n, int width)
        {
            for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> zs = z.Slice(s * width, width);
                Span<float> ys = y.Slice(s * width, width);
                float max = float.NegativeInfinity, sum = 0;
                foreach (float v in zs) max = MathF.Max(max, v);
                for (int j = 0; j < width; j++) sum += ys[j] = MathF.Exp(zs[j] - max);
                float inv = 1f / sum;
                for (int j = 0; j < width; j++) ys[j] *= inv;
            }
        }

        public static float Apply(Act act, float v) => act switch
        {
            Act.Relu => MathF.Max(v, 0f),
            Act.Tanh => MathF.Tanh(v),
            Act.Sigmoid => 1f / (1f + MathF.Exp(-v)),
            Act.Silu => v / (1f + MathF.Exp(-v)),
            _ => v,
        };

        public static float Derivative(Act act, float z, float y)
        {
            switch (act)
            {
                case Act.Relu: return z > 0 ? 1f : 0f;
                case Act.Tanh: return 1f - y * y;
                case Act.Sigmoid: return y * (1f - y);
                case Act.Silu:
                    float s = 1f / (1f + MathF.Exp(-z));
                    return s * (1f + z * (1f - s));
                default: return 1f;
            }
        }
    }
}
