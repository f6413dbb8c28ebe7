using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using ModelGen.Fuzz;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Generator.Tests
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
            byte[][] seeds = Mutations.Corpus(FuzzDirectory(), target);
            Assert.NotEmpty(seeds);
            Action<byte[]> run = Target(target);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < cases; i++)
            {
                byte[] input = Mutations.Case(seeds, kind, i);
                try
                {
                    run(input);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException($"{target} case {i} ({input.Length} bytes) broke the contract: {e}\ninput (base64): {(input.Length <= 8192 ? Convert.ToBase64String(input) : "(too long; regenerate with Mutations.Case)")}");
                }
            }
            _output.WriteLine($"{target}: {cases} cases in {clock.ElapsedMilliseconds} ms");
        }

        [Theory]
        [InlineData("json")]
        [InlineData("model")]
        [InlineData("tfjs")]
        [InlineData("safetensors")]
        [InlineData("mgw")]
        [InlineData("raw")]
        public void CommittedCrashesStayFixed(string target)
        {
            // Folders without crashes replay the corpus instead, so that the test always runs the target on real files.
            string[] files = Mutations.Regressions(FuzzDirectory(), target).ToArray();
            if (files.Length == 0) files = Directory.GetFiles(Path.Combine(FuzzDirectory(), "corpus", target));
            foreach (string file in files) Target(target)(File.ReadAllBytes(file));
        }

        /// <summary>The generator's side of each fuzz.sh target (ModelGen.Tests runs the runtime's side).</summary>
        private static Action<byte[]> Target(string target) => target switch
        {
            "json" => GeneratorFuzzTargets.Json,
            "model" => GeneratorFuzzTargets.Model,
            "tfjs" => GeneratorFuzzTargets.Tfjs,
            "safetensors" or "mgw" => GeneratorFuzzTargets.Weights,
            "raw" => data => { GeneratorFuzzTargets.WeightsText(data); GeneratorFuzzTargets.Weights(data); },
            _ => throw new ArgumentException("unknown target " + target),
        };

        private static string FuzzDirectory([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "ModelGen.Fuzz"));
    }
}
