using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// <c>--table [models...] [--out file]</c>: the README table. Per model and category, ModelGen and every independent
    /// baseline this machine runs (TensorPrimitives (b); the Vector512 code (c) when there is Vector512 hardware; the AVX2 code (d); ONNX
    /// Runtime at batch 256) are timed interleaved in one process (<see cref="Interleaved"/>: medians of per-round times),
    /// beside the bound from this core's measured limits (<see cref="Limits"/>):
    /// train step (batch 32, Adam) = 3 x forward MACs x 32 / peak FMA + 28 B per parameter / bandwidth of the level the
    /// 16 B per parameter of p, g, m, v fit in; batch 1 = max(MACs / peak, weight bytes / their level's bandwidth);
    /// batch 256 per sample = max(MACs / peak, weight bytes / 256 / bandwidth).
    /// </summary>
    internal static class Table
    {
        public static int Run(string[] args)
        {
            string? output = null;
            int outIndex = Array.IndexOf(args, "--out");
            if (outIndex >= 0)
            {
                output = args[outIndex + 1];
                args = args.Where((_, i) => i != outIndex && i != outIndex + 1).ToArray();
            }
            string[] models = args.Length == 0 ? Subject.Names : args;
            var lines = new List<string>();
            void Print(string line)
            {
                Console.WriteLine(line);
                lines.Add(line);
            }

            Limits limits = Limits.Measure();
            Print($"CPU: {Cpu()}; .NET {Environment.Version}; widest vector {Vectors.Widest}; {limits}");
            Print("");
            Print("| model | train step (32, Adam) µs: ModelGen | best baseline | bound | batch-1 ns: ModelGen | best baseline | bound | batch-256 ns/sample: ModelGen | best hand-written | ONNX Runtime | bound |");
            Print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (string name in models)
            {
                Subject s = Subject.Create(name);
                int inSize = s.Model.InputSize, outSize = s.Model.OutputSize, count = s.Model.ParameterCount;
                var random = new SeededRandom(5);
                var x256 = new float[256 * inSize];
                for (int i = 0; i < x256.Length; i++) x256[i] = (float)(2 * random.NextDouble() - 1);
                float[] x1 = x256.AsSpan(0, inSize).ToArray(), x32 = x256.AsSpan(0, 32 * inSize).ToArray();
                var y1 = new float[outSize];
                var y256 = new float[256 * outSize];
                var onnxOut = new float[256 * outSize];
                var t32 = new float[32 * outSize];
                for (int k = 0; k < 32; k++) t32[k * outSize + random.NextInt(outSize)] = 1f;
                var gradient = new float[count];
                var adam = new Adam(1e-6f);
                var baselines = new List<(string Name, BaselineNet Net)> { ("(b) TensorPrimitives", s.Primitives) };
                if (s.Vector is not null) baselines.Add(("(c) Vector512", s.Vector));
                if (s.Vector256 is not null) baselines.Add(("(d) Vector256", s.Vector256));

                // Train step.
                var train = new List<Action> { () => { s.Model.ComputeGradients(x32, t32, s.Loss, gradient); adam.Step(s.Model.Parameters, gradient); } };
                foreach ((_, BaselineNet net) in baselines)
                {
                    var own = new BaselineAdam(1e-6f);
                    train.Add(() => net.TrainStep(x32, t32, own));
                }
                (double[] trainNs, _) = Interleaved.Measure(train.ToArray());

                // Batch 1 and batch 256.
                var one = new List<Action> { () => s.Model.Forward(x1, y1) };
                foreach ((_, BaselineNet net) in baselines) one.Add(() => net.Forward(x1, y1));
                (double[] oneNs, _) = Interleaved.Measure(one.ToArray());
                using var onnx = new OnnxBaseline(s.Layers, s.Model.Parameters, x256, onnxOut, 256);
                var many = new List<Action> { () => s.Model.Forward(x256, y256), onnx.Run };
                foreach ((_, BaselineNet net) in baselines) many.Add(() => net.Forward(x256, y256));
                (double[] manyNs, _) = Interleaved.Measure(many.ToArray());

                double macs = s.Layers.Sum(l => (double)l.In * l.Out);
                double peak = limits.FmaPerSecond;
                double trainBound = 3 * macs * 32 / peak + 28.0 * count / limits.BandwidthFor(16.0 * count);
                double weights = 4.0 * count;
                double oneBound = Math.Max(macs / peak, weights / limits.BandwidthFor(weights));
                double manyBound = Math.Max(macs / peak, weights / 256 / limits.BandwidthFor(weights));
                (string bestTrainName, double bestTrain) = Best(baselines, trainNs.Skip(1));
                (string bestOneName, double bestOne) = Best(baselines, oneNs.Skip(1));
                (string bestManyName, double bestMany) = Best(baselines, manyNs.Skip(2));
                Print($"| {name} | {trainNs[0] / 1000:F2} | {bestTrain / 1000:F2} {bestTrainName} | {trainBound * 1e6:F2} | {oneNs[0]:F0} | {bestOne:F0} {bestOneName} | {oneBound * 1e9:F1} ({Limits.LevelFor(weights)}) | "
                    + $"{manyNs[0] / 256:F1} | {bestMany / 256:F1} {bestManyName} | {manyNs[1] / 256:F1} | {manyBound * 1e9:F1} |");
            }
            Print("");
            Print("Times are medians of interleaved rounds in one process (ABC then CBA blocks of ~4 ms, after a warm-up until the JIT is quiet for 500 ms); (b)/(c)/(d) name the baseline that was fastest.");
            if (output is not null) File.WriteAllLines(output, lines);
            return 0;
        }

        private static (string Name, double Ns) Best(List<(string Name, BaselineNet Net)> baselines, IEnumerable<double> times)
        {
            double[] t = times.ToArray();
            int best = Array.IndexOf(t, t.Min());
            return (baselines[best].Name.Split(' ')[0], t[best]);
        }

        private static string Cpu()
        {
            try
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? "unknown" : line.Split(':', 2)[1].Trim() + $", {Environment.ProcessorCount} logical cores";
            }
            catch (IOException)
            {
                return "unknown";
            }
        }
    }
}
