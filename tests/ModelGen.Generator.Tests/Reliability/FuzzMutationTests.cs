using System;
using System.IO;
using ModelGen.Fuzz;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Generator.Tests.Reliability
{
    /// <summary>
    /// The bounded, deterministic half of the fuzzing (issue 13): seeded structured mutations of the fuzz corpus
    /// (tests/ModelGen.Fuzz/corpus) through the generator's fuzz targets, which check each reader's contract (a result or a
    /// located diagnostic, never an exception, never a location outside the input). The coverage-guided half is
    /// tests/ModelGen.Fuzz/fuzz.sh. Every committed crashing input (tests/ModelGen.Fuzz/regressions) is replayed too.
    /// </summary>
    public sealed class FuzzMutationTests
    {
        private readonly ITestOutputHelper _output;

        public FuzzMutationTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData("json", CorpusKind.Json, 2500)]
        [InlineData("model", CorpusKind.Json, 2500)]
        [InlineData("tfjs", CorpusKind.Json, 1000)]
        [InlineData("safetensors", CorpusKind.Safetensors, 1500)]
        [InlineData("mgw", CorpusKind.Mgw, 500)]
        [InlineData("raw", CorpusKind.Raw, 500)]
        public void MutatedCorpusKeepsTheContract(string target, CorpusKind kind, int cases)
        {
            long ms = Mutations.Run(FuzzDirectory(), target, kind, cases, Target(target));
            _output.WriteLine($"{target}: {cases} cases in {ms} ms");
        }

        [Theory]
        [InlineData("json")]
        [InlineData("model")]
        [InlineData("tfjs")]
        [InlineData("safetensors")]
        [InlineData("mgw")]
        [InlineData("raw")]
        public void CommittedCrashesStayFixed(string target) => Mutations.Replay(FuzzDirectory(), target, Target(target));

        private static Action<byte[]> Target(string target) => target switch
        {
            "json" => GeneratorFuzzTargets.Json,
            "model" => GeneratorFuzzTargets.Model,
            "tfjs" => GeneratorFuzzTargets.Tfjs,
            "safetensors" or "mgw" => GeneratorFuzzTargets.Weights,
            "raw" => data => { GeneratorFuzzTargets.WeightsText(data); GeneratorFuzzTargets.Weights(data); },
            _ => throw new ArgumentException("unknown target " + target),
        };

        private static string FuzzDirectory() => TestPaths.InRepository("tests", "ModelGen.Fuzz");
    }
}
