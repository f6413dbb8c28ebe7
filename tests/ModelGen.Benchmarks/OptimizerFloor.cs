using System;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// <c>--optimizers</c>: each optimizer's step beside the time to stream its arrays once (the floor: a kernel that reads
    /// the gradient and every state array and writes the state back, one pass, the same bytes), interleaved in one process,
    /// for mnist's and wide's parameter counts. Prints step time, floor, their ratio and the step's bytes per parameter.
    /// </summary>
    internal static class OptimizerFloor
    {
        public static int Run(string[] args)
        {
            if (args.Contains("--arithmetic")) return Arithmetic();
            (string Model, int Count)[] sizes = { ("mnist", MnistNet.ParameterCount), ("wide", WideNet.ParameterCount) };
            (string Name, Func<Optimizer> Create, int Arrays)[] optimizers =
            {
                // Arrays: read-write arrays besides the read-only gradient (the parameters and each state vector).
                ("Sgd", () => new Sgd(1e-6f), 1),
                ("Sgd momentum", () => new Sgd(1e-6f, momentum: 0.9f), 2),
                ("Sgd nesterov + decay", () => new Sgd(1e-6f, momentum: 0.9f, nesterov: true, weightDecay: 1e-4f), 2),
                ("Adam", () => new Adam(1e-6f), 3),
                ("Adam clipvalue", () => new Adam(1e-6f) { ClipValue = 0.5f }, 3),
                ("Adam global_clipnorm", () => new Adam(1e-6f) { GlobalClipNorm = 1f }, 3),
                ("Adam clipnorm", () => new Adam(1e-6f) { ClipNorm = 1f }, 3),
                ("AMSGrad", () => new Adam(1e-6f, amsgrad: true), 4),
                ("AdamW", () => new AdamW(1e-6f), 3),
                ("RmsProp", () => new RmsProp(1e-6f), 2),
                ("RmsProp centered+momentum", () => new RmsProp(1e-6f, momentum: 0.9f, centered: true), 4),
            };
            Console.WriteLine($"optimizer step vs one streaming pass over the same arrays (median of interleaved rounds), {Vectors.Widest}");
            Console.WriteLine("| params | optimizer | B/param | step µs | floor µs | step/floor | GB/s |");
            Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
            foreach ((string model, int count) in sizes)
            {
                IModel sizesOf = model == "mnist" ? new MnistNet(1) : new WideNet(1);
                int[] tensorSizes = sizesOf.TensorSizes.ToArray();
                foreach ((string name, Func<Optimizer> create, int arrays) in optimizers)
                {
                    if (args.Length > 0 && !Array.Exists(args, a => name.Contains(a, StringComparison.OrdinalIgnoreCase))) continue;
                    var p = new Buffer(count, 0.5f);
                    var g = new Buffer(count, 1e-3f);
                    Optimizer optimizer = create();
                    var stream = new Buffer[arrays];
                    for (int k = 0; k < arrays; k++) stream[k] = new Buffer(count, 0.25f);
                    var gs = new Buffer(count, 1e-3f);
                    (double[] ns, double[] ratio) = Interleaved.Measure(new Action[]
                    {
                        () => optimizer.Step(p.Span, g.Span, tensorSizes),
                        () => Stream(gs, stream),
                    });
                    int bytes = 4 * (1 + 2 * arrays);
                    Console.WriteLine($"| {model} {count:N0} | {name} | {bytes} | {ns[0] / 1000:F1} | {ns[1] / 1000:F1} | {1 / ratio[1]:F2} | {(double)bytes * count / ns[0]:F1} |");
                }
            }
            return 0;
        }

        /// <summary>
        /// <c>--optimizers --arithmetic</c>: what Adam's square root and division cost on this core. Adam's update written here
        /// on Vector256 (sharing nothing with ModelGen) four ways, all with the same loads and stores: as Keras computes it,
        /// a m / (sqrt(v) + eps); without the square root (a m / (v + eps)); without the division (a m (sqrt(v) + eps));
        /// with neither. Beside the streaming floor over the same 28 bytes per parameter, interleaved in one process, at
        /// 8,192 parameters (L1 and L2) and at mnist's and wide's counts. The last two forms compute something else:
        /// they only show how far each operation keeps the step from the floor.
        /// </summary>
        private static int Arithmetic()
        {
            if (!Vector256.IsHardwareAccelerated)
            {
                Console.WriteLine("--arithmetic needs Vector256.");
                return 1;
            }
            Console.WriteLine("Adam's update on Vector256 four ways beside one streaming pass (µs, median of interleaved rounds)");
            Console.WriteLine("| params | a m / (sqrt(v) + eps) | no sqrt | no division | neither | floor | Keras form / floor |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (int count in new[] { 8192, MnistNet.ParameterCount, WideNet.ParameterCount })
            {
                var p = new Buffer(count, 0.5f);
                var g = new Buffer(count, 1e-3f);
                var m = new Buffer(count, 0f);
                var v = new Buffer(count, 0f);
                var gs = new Buffer(count, 1e-3f);
                var stream = new[] { new Buffer(count, 0.25f), new Buffer(count, 0.25f), new Buffer(count, 0.25f) };
                (double[] ns, _) = Interleaved.Measure(new Action[]
                {
                    () => AdamForm<Yes, Yes>(p, g, m, v),
                    () => AdamForm<No, Yes>(p, g, m, v),
                    () => AdamForm<Yes, No>(p, g, m, v),
                    () => AdamForm<No, No>(p, g, m, v),
                    () => Stream(gs, stream),
                });
                Console.WriteLine($"| {count:N0} | {ns[0] / 1000:F1} | {ns[1] / 1000:F1} | {ns[2] / 1000:F1} | {ns[3] / 1000:F1} | {ns[4] / 1000:F1} | {ns[0] / ns[4]:F2} |");
            }
            return 0;
        }

        private interface IOn
        {
            static abstract bool On { get; }
        }

        private readonly struct Yes : IOn
        {
            public static bool On => true;
        }

        private readonly struct No : IOn
        {
            public static bool On => false;
        }

        // Adam's moments and update (beta1 0.9, beta2 0.999, bias corrections folded into the step size), with or without
        // the square root and the division.
        private static void AdamForm<TSqrt, TDivide>(Buffer p, Buffer g, Buffer m, Buffer v) where TSqrt : struct, IOn where TDivide : struct, IOn
        {
            ref float pr = ref p.Ref, gr = ref g.Ref, mr = ref m.Ref, vr = ref v.Ref;
            nuint n = (nuint)p.Length;
            Vector256<float> a = Vector256.Create(1e-6f), c1 = Vector256.Create(0.1f), c2 = Vector256.Create(0.001f), eps = Vector256.Create(1e-7f);
            for (nuint i = 0; i + 8 <= n; i += 8)
            {
                Vector256<float> gi = Vector256.LoadUnsafe(ref gr, i);
                Vector256<float> mi = Vector256.LoadUnsafe(ref mr, i);
                mi += (gi - mi) * c1;
                mi.StoreUnsafe(ref mr, i);
                Vector256<float> vi = Vector256.LoadUnsafe(ref vr, i);
                vi += (gi * gi - vi) * c2;
                vi.StoreUnsafe(ref vr, i);
                Vector256<float> d = (TSqrt.On ? Vector256.Sqrt(vi) : vi) + eps;
                Vector256<float> u = TDivide.On ? a * mi / d : a * mi * d;
                (Vector256.LoadUnsafe(ref pr, i) - u).StoreUnsafe(ref pr, i);
            }
        }

        /// <summary>One pass: reads g and every array, writes every array (a += g), widest accelerated vectors.</summary>
        public static void Stream(Buffer g, Buffer[] arrays)
        {
            switch (arrays.Length)
            {
                case 1: Stream1(g, arrays[0]); break;
                case 2: Stream2(g, arrays[0], arrays[1]); break;
                case 3: Stream3(g, arrays[0], arrays[1], arrays[2]); break;
                default: Stream4(g, arrays[0], arrays[1], arrays[2], arrays[3]); break;
            }
        }

        private static void Stream1(Buffer g, Buffer a)
        {
            ref float gr = ref g.Ref;
            ref float ar = ref a.Ref;
            nuint n = (nuint)g.Length, i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= n; i += 16) (Vector512.LoadUnsafe(ref ar, i) + Vector512.LoadUnsafe(ref gr, i)).StoreUnsafe(ref ar, i);
            }
            else
            {
                for (; i + 8 <= n; i += 8) (Vector256.LoadUnsafe(ref ar, i) + Vector256.LoadUnsafe(ref gr, i)).StoreUnsafe(ref ar, i);
            }
            for (; i < n; i++) Unsafe.Add(ref ar, i) += Unsafe.Add(ref gr, i);
        }

        private static void Stream2(Buffer g, Buffer a, Buffer b)
        {
            ref float gr = ref g.Ref;
            ref float ar = ref a.Ref, br = ref b.Ref;
            nuint n = (nuint)g.Length, i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= n; i += 16)
                {
                    Vector512<float> gv = Vector512.LoadUnsafe(ref gr, i);
                    (Vector512.LoadUnsafe(ref ar, i) + gv).StoreUnsafe(ref ar, i);
                    (Vector512.LoadUnsafe(ref br, i) + gv).StoreUnsafe(ref br, i);
                }
            }
            else
            {
                for (; i + 8 <= n; i += 8)
                {
                    Vector256<float> gv = Vector256.LoadUnsafe(ref gr, i);
                    (Vector256.LoadUnsafe(ref ar, i) + gv).StoreUnsafe(ref ar, i);
                    (Vector256.LoadUnsafe(ref br, i) + gv).StoreUnsafe(ref br, i);
                }
            }
            for (; i < n; i++)
            {
                Unsafe.Add(ref ar, i) += Unsafe.Add(ref gr, i);
                Unsafe.Add(ref br, i) += Unsafe.Add(ref gr, i);
            }
        }

        private static void Stream3(Buffer g, Buffer a, Buffer b, Buffer c)
        {
            ref float gr = ref g.Ref;
            ref float ar = ref a.Ref, br = ref b.Ref, cr = ref c.Ref;
            nuint n = (nuint)g.Length, i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i + 16 <= n; i += 16)
                {
                    Vector512<float> gv = Vector512.LoadUnsafe(ref gr, i);
                    (Vector512.LoadUnsafe(ref ar, i) + gv).StoreUnsafe(ref ar, i);
                    (Vector512.LoadUnsafe(ref br, i) + gv).StoreUnsafe(ref br, i);
                    (Vector512.LoadUnsafe(ref cr, i) + gv).StoreUnsafe(ref cr, i);
                }
            }
            else
            {
                for (; i + 8 <= n; i += 8)
                {
                    Vector256<float> gv = Vector256.LoadUnsafe(ref gr, i);
                    (Vector256.LoadUnsafe(ref ar, i) + gv).StoreUnsafe(ref ar, i);
                    (Vector256.LoadUnsafe(ref br, i) + gv).StoreUnsafe(ref br, i);
                    (Vector256.LoadUnsafe(ref cr, i) + gv).StoreUnsafe(ref cr, i);
                }
            }
            for (; i < n; i++)
            {
                Unsafe.Add(ref ar, i) += Unsafe.Add(ref gr, i);
                Unsafe.Add(ref br, i) += Unsafe.Add(ref gr, i);
                Unsafe.Add(ref cr, i) += Unsafe.Add(ref gr, i);
            }
        }

        private static void Stream4(Buffer g, Buffer a, Buffer b, Buffer c, Buffer d)
        {
            Stream2(g, a, b);
            Stream2(g, c, d);
        }
    }

    /// <summary>A benchmark buffer: a run of floats starting on a 64-byte boundary inside a pinned array, filled with a value.</summary>
    internal sealed class Buffer
    {
        private readonly float[] _array;
        private readonly int _start, _length;

        public unsafe Buffer(int length, float value)
        {
            _array = GC.AllocateArray<float>(length + 16, pinned: true);
            nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            _start = (int)((64 - (address & 63)) & 63) / sizeof(float);
            _length = length;
            Span.Fill(value);
        }

        public Span<float> Span => _array.AsSpan(_start, _length);
        public ref float Ref => ref _array[_start];
        public int Length => _length;
    }

    internal static class Vectors
    {
        public static string Widest => Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128";
    }
}
