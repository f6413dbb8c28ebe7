using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// Paired, interleaved batch-1 timing: <c>--paired [models...]</c>. BenchmarkDotNet measures one benchmark after the
    /// other, so a change in the machine between them (another tenant on the core's L2, a page-placement difference) lands
    /// in the ratio. Here the contenders alternate in short blocks inside one process (ABCCBA order, so neither always goes
    /// first), each round gives one ratio per contender against (c) on the same memory, and the report is the median ratio
    /// with a bootstrap 95% confidence interval of that median. Contenders: the generated model, (c) reading the model's
    /// own parameter memory, and (c) on its own copy.
    /// </summary>
    internal static class Paired
    {
        private const int Rounds = 301;

        /// <summary>Target block length; the calls per block are sized from a trial run.</summary>
        private static readonly TimeSpan Block = TimeSpan.FromMilliseconds(2);

        public static int Run(string[] models)
        {
            if (models.Length == 0) models = Subject.Names;
            Console.WriteLine($"paired batch-1 forward, {Rounds} rounds of ~{Block.TotalMilliseconds} ms blocks per contender; ratios of per-round times, medians with bootstrap 95% intervals");
            Console.WriteLine("model    ModelGen ns   (c) same ns   (c) own ns   ModelGen/(c) same [95% CI]   ModelGen/(c) own [95% CI]");
            foreach (string name in models)
            {
                Subject s = Subject.Create(name);
                if (s.Vector is null || s.VectorShared is null)
                {
                    Console.WriteLine("--paired compares against (c), which needs Vector512 hardware; this machine has none.");
                    return 1;
                }
                var x = new float[s.Model.InputSize];
                var random = new SeededRandom(5);
                for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * random.NextDouble() - 1);
                var y = new float[s.Model.OutputSize];
                Action[] contenders =
                {
                    () => s.Model.Forward(x, y),
                    () => s.VectorShared!.Forward(x, y),
                    () => s.Vector!.Forward(x, y),
                };
                // Warm up past tiered compilation (tier 0, OSR, instrumented tier, tier 1) for every contender.
                var warm = Stopwatch.StartNew();
                while (warm.ElapsedMilliseconds < 1500) foreach (Action a in contenders) for (int k = 0; k < 100; k++) a();
                int calls = Math.Max(1, (int)(Block.TotalSeconds / (Time(contenders[1], 1000) / 1000.0 / Stopwatch.Frequency)));
                var t = new double[contenders.Length, Rounds];
                int[] order = { 0, 1, 2, 2, 1, 0 };
                for (int r = 0; r < Rounds; r++)
                {
                    foreach (int c in r % 2 == 0 ? order.Take(3) : order.Skip(3)) t[c, r] = Time(contenders[c], calls) * 1e9 / Stopwatch.Frequency / calls;
                }
                double[] Ratios(int c, int baseline) => Enumerable.Range(0, Rounds).Select(r => t[c, r] / t[baseline, r]).ToArray();
                double Median(int c) => MedianOf(Enumerable.Range(0, Rounds).Select(r => t[c, r]).ToArray());
                double[] same = Ratios(0, 1), own = Ratios(0, 2);
                (double lo, double hi) = BootstrapMedian(same);
                (double ownLo, double ownHi) = BootstrapMedian(own);
                Console.WriteLine($"{name,-8} {Median(0),11:F1} {Median(1),13:F1} {Median(2),12:F1}   {MedianOf(same),8:F3} [{lo:F3}, {hi:F3}]   {MedianOf(own),8:F3} [{ownLo:F3}, {ownHi:F3}]");
            }
            return 0;
        }

        private static long Time(Action action, int calls)
        {
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < calls; k++) action();
            return Stopwatch.GetTimestamp() - start;
        }

        private static double MedianOf(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }

        /// <summary>95% percentile-bootstrap interval of the median (2,000 resamples, fixed seed).</summary>
        private static (double Low, double High) BootstrapMedian(double[] values)
        {
            var random = new Random(1);
            var medians = new List<double>();
            var sample = new double[values.Length];
            for (int b = 0; b < 2000; b++)
            {
                for (int i = 0; i < sample.Length; i++) sample[i] = values[random.Next(values.Length)];
                medians.Add(MedianOf(sample));
            }
            medians.Sort();
            return (medians[49], medians[1949]);
        }
    }
}
