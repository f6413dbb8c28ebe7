using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// This core's limits, measured in C#: peak FMA throughput (12 independent FMA chains on the widest accelerated vector,
    /// enough to cover a 4-5 cycle latency on two pipes) and read bandwidth from L1, L2, L3 and memory (four independent
    /// vector-add chains streaming over a buffer that fills half of each level: 16 KB, 512 KB and 8 MB on a Zen 4 core,
    /// 16 KB, 256 KB and 4 MB on a Zen 1; a buffer the size of the level itself spills into the next one, reads slower,
    /// and would make the bound no floor at all). Cache sizes come from Linux's sysfs. Best of several repetitions.
    /// </summary>
    internal sealed class Limits
    {
        public double FmaPerSecond { get; private init; }
        public double L1 { get; private init; }
        public double L2 { get; private init; }
        public double L3 { get; private init; }
        public double Memory { get; private init; }

        // Cache sizes of core 0 (Zen 4's as a fallback when sysfs does not say).
        private static readonly long s_l1 = CacheSize(1, 32 << 10), s_l2 = CacheSize(2, 1 << 20), s_l3 = CacheSize(3, 32 << 20);

        public static Limits Measure() => new()
        {
            FmaPerSecond = PeakFma(),
            L1 = ReadBandwidth((int)Math.Min(16 << 10, s_l1 / 2)),
            L2 = ReadBandwidth((int)(s_l2 / 2)),
            L3 = ReadBandwidth((int)(s_l3 / 2)),
            Memory = ReadBandwidth((int)Math.Max(64L << 20, 8 * s_l3)),
        };

        /// <summary>Bytes per second for data of this size: the level it fits in (sizes of this machine), else memory.</summary>
        public double BandwidthFor(double bytes) => bytes <= s_l1 ? L1 : bytes <= s_l2 ? L2 : bytes <= s_l3 ? L3 : Memory;

        public static string LevelFor(double bytes) => bytes <= s_l1 ? "L1" : bytes <= s_l2 ? "L2" : bytes <= s_l3 ? "L3" : "DRAM";

        public override string ToString() =>
            $"peak FMA {FmaPerSecond * 2 / 1e9:F1} GFLOP/s ({Vectors.Widest}); read bandwidth L1 {L1 / 1e9:F1} GB/s, L2 {L2 / 1e9:F1} GB/s, L3 {L3 / 1e9:F1} GB/s, DRAM {Memory / 1e9:F1} GB/s "
            + $"(caches {s_l1 >> 10} KB, {s_l2 >> 10} KB, {s_l3 >> 20} MB, each read over half its size)";

        private static long CacheSize(int level, long fallback)
        {
            try
            {
                for (int index = 0; index < 8; index++)
                {
                    string dir = $"/sys/devices/system/cpu/cpu0/cache/index{index}/";
                    if (!System.IO.File.Exists(dir + "level")) break;
                    if (System.IO.File.ReadAllText(dir + "level").Trim() != level.ToString(System.Globalization.CultureInfo.InvariantCulture)) continue;
                    if (System.IO.File.ReadAllText(dir + "type").Trim() == "Instruction") continue;
                    string size = System.IO.File.ReadAllText(dir + "size").Trim();
                    long value = long.Parse(size.TrimEnd('K', 'M'), System.Globalization.CultureInfo.InvariantCulture);
                    return size.EndsWith('M') ? value << 20 : size.EndsWith('K') ? value << 10 : value;
                }
            }
            catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or FormatException)
            {
            }
            return fallback;
        }

        /// <summary>Lane-FMAs per second.</summary>
        private static double PeakFma()
        {
            const int Iterations = 2_000_000;
            double best = double.MaxValue;
            int lanes = Vector512.IsHardwareAccelerated ? 16 : 8;
            for (int rep = 0; rep < 7; rep++)
            {
                long start = Stopwatch.GetTimestamp();
                float sink = Vector512.IsHardwareAccelerated ? Fma512(Iterations) : Fma256(Iterations);
                double seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
                if (sink == 42) Console.Write("");
                best = Math.Min(best, seconds);
            }
            return (double)Iterations * 12 * lanes / best;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Fma256(int iterations)
        {
            Vector256<float> m = Vector256.Create(0.999999f), c = Vector256.Create(1e-7f);
            Vector256<float> a0 = Vector256.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (int i = 0; i < iterations; i++)
            {
                a0 = Vector256.FusedMultiplyAdd(a0, m, c); a1 = Vector256.FusedMultiplyAdd(a1, m, c); a2 = Vector256.FusedMultiplyAdd(a2, m, c);
                a3 = Vector256.FusedMultiplyAdd(a3, m, c); a4 = Vector256.FusedMultiplyAdd(a4, m, c); a5 = Vector256.FusedMultiplyAdd(a5, m, c);
                a6 = Vector256.FusedMultiplyAdd(a6, m, c); a7 = Vector256.FusedMultiplyAdd(a7, m, c); a8 = Vector256.FusedMultiplyAdd(a8, m, c);
                a9 = Vector256.FusedMultiplyAdd(a9, m, c); a10 = Vector256.FusedMultiplyAdd(a10, m, c); a11 = Vector256.FusedMultiplyAdd(a11, m, c);
            }
            return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Fma512(int iterations)
        {
            Vector512<float> m = Vector512.Create(0.999999f), c = Vector512.Create(1e-7f);
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
            for (int i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c); a2 = Vector512.FusedMultiplyAdd(a2, m, c);
                a3 = Vector512.FusedMultiplyAdd(a3, m, c); a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c); a8 = Vector512.FusedMultiplyAdd(a8, m, c);
                a9 = Vector512.FusedMultiplyAdd(a9, m, c); a10 = Vector512.FusedMultiplyAdd(a10, m, c); a11 = Vector512.FusedMultiplyAdd(a11, m, c);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
        }

        /// <summary>Bytes per second read from a buffer of <paramref name="bytes"/>, best of the repetitions.</summary>
        private static double ReadBandwidth(int bytes)
        {
            var buffer = new Buffer(bytes / sizeof(float), 1f);
            long target = 256L << 20; // about 256 MB read per repetition
            int passes = (int)Math.Max(1, target / bytes);
            double best = double.MaxValue;
            for (int rep = 0; rep < 7; rep++)
            {
                long start = Stopwatch.GetTimestamp();
                float sink = 0;
                for (int p = 0; p < passes; p++) sink += Sum(ref buffer.Ref, buffer.Length);
                double seconds = (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;
                if (sink == 42) Console.Write("");
                best = Math.Min(best, seconds);
            }
            return (double)bytes * passes / best;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static float Sum(ref float r, int length)
        {
            nuint n = (nuint)length, i = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<float> a = default, b = default, c = default, d = default;
                for (; i + 64 <= n; i += 64)
                {
                    a += Vector512.LoadUnsafe(ref r, i); b += Vector512.LoadUnsafe(ref r, i + 16);
                    c += Vector512.LoadUnsafe(ref r, i + 32); d += Vector512.LoadUnsafe(ref r, i + 48);
                }
                return Vector512.Sum(a + b + c + d);
            }
            Vector256<float> e = default, f = default, g = default, h = default;
            for (; i + 32 <= n; i += 32)
            {
                e += Vector256.LoadUnsafe(ref r, i); f += Vector256.LoadUnsafe(ref r, i + 8);
                g += Vector256.LoadUnsafe(ref r, i + 16); h += Vector256.LoadUnsafe(ref r, i + 24);
            }
            return Vector256.Sum(e + f + g + h);
        }
    }
}
