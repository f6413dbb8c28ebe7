using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ModelGen.Kernels;

namespace ModelGen.Benchmarks
{
    // The generated batch tiles (x4 forms, values before the activation) of two reference models, reachable from the kernel
    // benchmark: what the trace's forward ran before it called DenseKernels.Forward.
    public partial class MnistNet
    {
        internal static void GeneratedForward(int layer, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> z, int n)
        {
            for (int s = 0; s + 4 <= n; s += 4)
            {
                if (layer == 0) Layer0x4<LinearActivation>(w, x.Slice(s * 784, 4 * 784), z.Slice(s * 128, 4 * 128));
                else if (layer == 1) Layer1x4<LinearActivation>(w, x.Slice(s * 128, 4 * 128), z.Slice(s * 64, 4 * 64));
                else Layer2Linearx4(w, x.Slice(s * 64, 4 * 64), z.Slice(s * 10, 40));
            }
        }
    }

    public partial class WideNet
    {
        internal static void GeneratedForward(int layer, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> z, int n)
        {
            for (int s = 0; s + 4 <= n; s += 4)
            {
                if (layer == 0) Layer0x4<LinearActivation>(w, x.Slice(s * 256, 4 * 256), z.Slice(s * 512, 4 * 512));
                else if (layer == 1) Layer1x4<LinearActivation>(w, x.Slice(s * 512, 4 * 512), z.Slice(s * 512, 4 * 512));
                else Layer2Linearx4(w, x.Slice(s * 512, 4 * 512), z.Slice(s * 10, 40));
            }
        }
    }

    /// <summary>
    /// <c>-- --kernels [rounds]</c>: the runtime dense kernels (<see cref="DenseKernels"/>) for every layer of mnist and wide
    /// at batch 32. Forward (values before the activation): beside the generated x4 tiles, which the inference path still
    /// uses. Backward (kernel and bias gradient, plus the input gradient where the model computes it: not for the first
    /// layer): the kernels alone, since the generated LayerNDenseBackward of these layers now calls them (the comparison
    /// with the former generated bodies is in the commit that wired them in). An in-process interleaved loop, not
    /// BenchmarkDotNet: each round times both back to back, so load from other processes hits both alike; the figures are
    /// the fastest round of each, the median of the per-round ratios, and GFLOP/s (2 per multiply-add) from the fastest round.
    /// </summary>
    public static class KernelBenchmarks
    {
        private delegate void Forward(int layer, ReadOnlySpan<float> w, ReadOnlySpan<float> x, Span<float> z, int n);

        public static int Run(string[] args)
        {
            int rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 41;
            const int n = 32;
            Console.WriteLine($"batch {n}, {rounds} interleaved rounds; Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}");
            Console.WriteLine("layer                      pass        generated µs  kernel µs  kernel/generated  generated GF/s  kernel GF/s");
            Layers("mnist", new MnistNet(1), new[] { 784, 128, 64, 10 }, MnistNet.GeneratedForward, n, rounds);
            Layers("wide", new WideNet(1), new[] { 256, 512, 512, 10 }, WideNet.GeneratedForward, n, rounds);
            return 0;
        }

        private static void Layers(string model, IModel m, int[] sizes, Forward generatedForward, int n, int rounds)
        {
            float[] w = m.Parameters.ToArray();
            var g = new float[w.Length];
            int offset = 0;
            for (int l = 0; l + 1 < sizes.Length; l++)
            {
                int inputs = sizes[l], units = sizes[l + 1];
                int layer = l, kernelAt = offset, biasAt = offset + inputs * units;
                offset = biasAt + units;
                float[] x = Random(n * inputs, 1 + l), dz = Random(n * units, 2 + l);
                var z = new float[n * units];
                var dx = l == 0 ? Array.Empty<float>() : new float[n * inputs];
                double macsForward = (double)n * inputs * units, macsBackward = macsForward * (l == 0 ? 1 : 2);
                string name = $"{model} L{l} {inputs}->{units}";
                Compare(name, "forward", macsForward, rounds,
                    () => generatedForward(layer, w, x, z, n),
                    () => DenseKernels.Forward(x, w.AsSpan(kernelAt, inputs * units), w.AsSpan(biasAt, units), z, n, inputs, units));
                Compare(name, l == 0 ? "dW db" : "dW db dX", macsBackward, rounds,
                    null,
                    () =>
                    {
                        DenseKernels.KernelGradient(x, dz, g.AsSpan(kernelAt, inputs * units), g.AsSpan(biasAt, units), n, inputs, units);
                        if (dx.Length > 0) DenseKernels.InputGradient(dz, w.AsSpan(kernelAt, inputs * units), dx, n, inputs, units);
                    });
            }
        }

        private static void Compare(string name, string pass, double macs, int rounds, Action? generated, Action kernel)
        {
            // Enough calls per timing for about 2 ms of work, after a warm-up that gets both to tier 1.
            for (int k = 0; k < 300; k++)
            {
                generated?.Invoke();
                kernel();
            }
            var probe = Stopwatch.StartNew();
            kernel();
            int calls = Math.Clamp((int)(2e-3 / Math.Max(probe.Elapsed.TotalSeconds, 1e-7)), 3, 2000);
            var a = new List<double>();
            var b = new List<double>();
            var ratio = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                double ta = generated is null ? double.NaN : Time(generated, calls), tb = Time(kernel, calls);
                a.Add(ta);
                b.Add(tb);
                ratio.Add(tb / ta);
            }
            double ma = a.Min(), mb = b.Min();
            string kernelTime = $"{mb,10:F2}";
            string ratioText = generated is null ? "-" : Median(ratio).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
            string gGflops = generated is null ? "-" : (2 * macs / ma / 1e3).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine($"{name,-26} {pass,-10} {(generated is null ? $"{"-",12}" : $"{ma,12:F2}")} {kernelTime} {ratioText,17} {gGflops,15} {2 * macs / mb / 1e3,12:F1}");
        }

        private static double Time(Action action, int calls)
        {
            var watch = Stopwatch.StartNew();
            for (int k = 0; k < calls; k++) action();
            return watch.Elapsed.TotalMicroseconds / calls;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted[sorted.Count / 2];
        }

        private static float[] Random(int count, int seed)
        {
            var random = new SeededRandom(seed);
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)(2 * random.NextDouble() - 1);
            return values;
        }
    }
}
