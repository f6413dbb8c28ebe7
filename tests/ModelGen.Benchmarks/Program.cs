using System;
using System.Linq;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ModelGen;
using ModelGen.Benchmarks;

// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --verify       check every baseline against ModelGen
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --smoke        one quick pass of every benchmark
// dotnet run -c Release --project tests/ModelGen.Benchmarks                    the full suite (about 10 minutes here)
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --paired wide   interleaved batch-1 ratios with confidence intervals
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --optimizers  optimizer steps vs one streaming pass over their arrays
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --optimizers --arithmetic  what Adam's sqrt and division cost here
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --limits      this core's peak FMA and L1/L2/L3/DRAM read bandwidth
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --table [models] [--out file]  README table: ModelGen | best baseline | bound
// extra arguments go to BenchmarkDotNet, e.g. --filter *Forward1*
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --write-weights rewrite weights/*.mgw (seed-1 parameters)
// dotnet run -c Release --project tests/ModelGen.Benchmarks -- --generator-cold "mnist .onnx"  generator first run in a fresh process
if (args.Contains("--verify")) return Verify.Run();
if (args.Length > 1 && args[0] == "--generator-cold") return GeneratorBenchmarks.MeasureCold(args[1]);
if (args.Length > 0 && args[0] == "--paired") return Paired.Run(args.Skip(1).ToArray());
if (args.Length > 0 && args[0] == "--kernels") return KernelBenchmarks.Run(args.Skip(1).ToArray());
if (args.Length > 0 && args[0] == "--table") return Table.Run(args.Skip(1).ToArray());
if (args.Length > 0 && args[0] == "--limits") { Console.WriteLine(Limits.Measure()); return 0; }
if (args.Length > 0 && args[0] == "--optimizers") return OptimizerFloor.Run(args.Skip(1).ToArray());
if (args.Contains("--write-weights")) return Verify.WriteWeights(args[Array.IndexOf(args, "--write-weights") + 1]);

bool smoke = args.Contains("--smoke");
Job job = smoke
    ? Job.Dry.WithToolchain(InProcessEmitToolchain.Instance)
    : Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(5).WithIterationCount(15)
        .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(150))
        .WithEnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0");
var config = DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
BenchmarkSwitcher.FromAssembly(typeof(ModelBenchmarks).Assembly).Run(args.Where(a => a != "--smoke").ToArray(), config);
return 0;

/// <summary>Every baseline computes what the generated model computes: outputs and one training step.</summary>
static class Verify
{
    public static int Run()
    {
        int failures = 0;
        foreach (string name in Subject.Names)
        {
            Subject s = Subject.Create(name);
            var random = new SeededRandom(9);
            int inSize = s.Model.InputSize, outSize = s.Model.OutputSize;
            foreach (int n in new[] { 1, 7, 256 })
            {
                var x = new float[n * inSize];
                for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * random.NextDouble() - 1);
                var expected = new float[n * outSize];
                s.Model.Forward(x, expected);
                var predicted = new float[n * outSize];
                s.Predict(x, predicted);
                failures += Compare($"{name} Predict (embedded weights) n={n}", expected, predicted);
                var onnx = new float[n * outSize];
                using (var ort = new OnnxBaseline(s.Layers, s.Model.Parameters, x, onnx, n)) ort.Run();
                failures += Compare($"{name} ONNX Runtime n={n}", expected, onnx);
                foreach ((string label, BaselineNet net) in new (string, BaselineNet)[] { ("naive", s.Naive), ("tensorprimitives", s.Primitives), ("vector", s.Vector!), ("vector on the model's memory", s.VectorShared!), ("vector256", s.Vector256!) })
                {
                    if (net is null) continue; // (c) needs Vector512
                    var actual = new float[n * outSize];
                    net.Forward(x, actual);
                    failures += Compare($"{name} {label} forward n={n}", expected, actual);
                }
            }
            // One training step from the same parameters: compare the parameter gradients.
            var xb = new float[32 * inSize];
            for (int i = 0; i < xb.Length; i++) xb[i] = (float)(2 * random.NextDouble() - 1);
            var t = new float[32 * outSize];
            for (int k = 0; k < 32; k++) t[k * outSize + random.NextInt(outSize)] = 1f;
            var g = new float[s.Model.ParameterCount];
            s.Model.ComputeGradients(xb, t, s.Loss, g);
            foreach ((string label, BaselineNet net) in new (string, BaselineNet)[] { ("naive", s.Naive), ("tensorprimitives", s.Primitives), ("vector", s.Vector!), ("vector256", s.Vector256!) })
            {
                if (net is null) continue;
                s.Model.Parameters.CopyTo(net.Parameters);
                net.TrainStep(xb, t, new BaselineAdam(1e-30f));
                failures += Compare($"{name} {label} gradient", g, net.Gradient);
            }
        }
        foreach (string models in new[] { "mnist", "wide", "all six", "mnist json+weights" })
        {
            var generator = new GeneratorBenchmarks { Models = models };
            generator.Setup(); // throws when the generator reports diagnostics or generates nothing
        }
        Console.WriteLine(failures == 0 ? "verify: every baseline agrees with ModelGen within 1e-4 relative" : $"verify: {failures} mismatches");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Writes the seed-1 parameters of every model to <paramref name="directory"/>/{name}.mgw, for the embedded twins.</summary>
    public static int WriteWeights(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        foreach (string name in Subject.Names) WeightFile.Save(Subject.Create(name).Model, System.IO.Path.Combine(directory, name + ".mgw"));
        return 0;
    }

    private static int Compare(string what, float[] expected, float[] actual)
    {
        float scale = expected.Max(MathF.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            if (MathF.Abs(expected[i] - actual[i]) > 1e-4f * MathF.Abs(expected[i]) + 1e-5f * scale)
            {
                Console.WriteLine($"MISMATCH {what}[{i}]: ModelGen {expected[i]}, baseline {actual[i]}");
                return 1;
            }
        }
        return 0;
    }
}
