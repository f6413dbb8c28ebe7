using System;
using System.Diagnostics;
using System.Linq;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// In-process interleaved timing: the contenders alternate in short blocks (ABC, then CBA), after a warm-up past tiered
    /// compilation, so a change in the machine (another tenant, a build on the other core) lands on all of them alike.
    /// Returns each contender's median time per call and, per contender, the median of its per-round ratio to contender 0.
    /// </summary>
    internal static class Interleaved
    {
        public static (double[] Nanoseconds, double[] RatioToFirst) Measure(Action[] contenders, int rounds = 41, double blockMilliseconds = 4, double warmupMilliseconds = 600)
        {
            // Warm up past tiered compilation: at least warmupMilliseconds, then until the JIT has compiled nothing new for
            // 500 ms (at most 30 s). On a loaded machine the background tier-1 compiles of large generated methods can lag by
            // seconds; timing before they land measures tier-0 code (seen: regress training 5x slow, batch 256 2x swings).
            var warm = Stopwatch.StartNew();
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            var quiet = Stopwatch.StartNew();
            while (warm.Elapsed.TotalMilliseconds < warmupMilliseconds || (quiet.ElapsedMilliseconds < 500 && warm.Elapsed.TotalSeconds < 30))
            {
                foreach (Action a in contenders) for (int k = 0; k < 5; k++) a();
                long now = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (now != compiled)
                {
                    compiled = now;
                    quiet.Restart();
                }
            }
            var calls = new int[contenders.Length];
            for (int c = 0; c < contenders.Length; c++)
            {
                double once = Math.Max(1, Time(contenders[c], 3)) / 3.0 / Stopwatch.Frequency;
                calls[c] = Math.Max(1, (int)(blockMilliseconds / 1000 / once));
            }
            var t = new double[contenders.Length, rounds];
            for (int r = 0; r < rounds; r++)
            {
                for (int k = 0; k < contenders.Length; k++)
                {
                    int c = r % 2 == 0 ? k : contenders.Length - 1 - k;
                    t[c, r] = Time(contenders[c], calls[c]) * 1e9 / Stopwatch.Frequency / calls[c];
                }
            }
            var medians = new double[contenders.Length];
            var ratios = new double[contenders.Length];
            for (int c = 0; c < contenders.Length; c++)
            {
                medians[c] = Median(Enumerable.Range(0, rounds).Select(r => t[c, r]));
                ratios[c] = Median(Enumerable.Range(0, rounds).Select(r => t[c, r] / t[0, r]));
            }
            return (medians, ratios);
        }

        public static double Median(System.Collections.Generic.IEnumerable<double> values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        private static long Time(Action action, int calls)
        {
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < calls; k++) action();
            return Stopwatch.GetTimestamp() - start;
        }
    }
}
