using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using ModelGen.Fuzz;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests
{
    /// <summary>
    /// The bounded, deterministic half of the fuzzing of the runtime's weight loaders (issue 13): seeded structured
    /// mutations of the fuzz corpus through <see cref="RuntimeFuzzTargets"/>, which require every load to succeed with
    /// finite parameters or throw <see cref="InvalidDataException"/> leaving the parameters bit-identical (checksum).
    /// </summary>
    public sealed class FuzzMutationTests
    {
        private readonly ITestOutputHelper _output;

        public FuzzMutationTests(ITestOutputHelper output) => _output = output;

        [Theory]
        [InlineData("safetensors", CorpusKind.Safetensors, 1500)]
        [InlineData("mgw", CorpusKind.Mgw, 1000)]
        [InlineData("raw", CorpusKind.Raw, 1000)]
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
        [InlineData("safetensors")]
        [InlineData("mgw")]
        [InlineData("raw")]
        public void CommittedCrashesStayFixed(string target)
        {
            string[] files = Mutations.Regressions(FuzzDirectory(), target).ToArray();
            if (files.Length == 0) files = Directory.GetFiles(Path.Combine(FuzzDirectory(), "corpus", target));
            foreach (string file in files) Target(target)(File.ReadAllBytes(file));
        }

        private static Action<byte[]> Target(string target) => target switch
        {
            "safetensors" => RuntimeFuzzTargets.Safetensors,
            "mgw" => RuntimeFuzzTargets.Mgw,
            "raw" => RuntimeFuzzTargets.Raw,
            _ => throw new ArgumentException("unknown target " + target),
        };

        private static string FuzzDirectory([CallerFilePath] string path = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "ModelGen.Fuzz"));
    }
}
