using System;
using System.IO;
using ModelGen.Fuzz;
using ModelGen.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Reliability
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
        [InlineData("zip", CorpusKind.Binary, 1000)]
        [InlineData("hdf5", CorpusKind.Binary, 1000)]
        [InlineData("keras", CorpusKind.Binary, 500)]
        [InlineData("onnx", CorpusKind.Binary, 1500)]
        public void MutatedCorpusKeepsTheContract(string target, CorpusKind kind, int cases)
        {
            long ms = Mutations.Run(FuzzDirectory(), target, kind, cases, Target(target));
            _output.WriteLine($"{target}: {cases} cases in {ms} ms");
        }

        [Theory]
        [InlineData("safetensors")]
        [InlineData("mgw")]
        [InlineData("raw")]
        [InlineData("zip")]
        [InlineData("hdf5")]
        [InlineData("keras")]
        [InlineData("onnx")]
        public void CommittedCrashesStayFixed(string target) => Mutations.Replay(FuzzDirectory(), target, Target(target));

        private static Action<byte[]> Target(string target) => target switch
        {
            "safetensors" => RuntimeFuzzTargets.Safetensors,
            "mgw" => RuntimeFuzzTargets.Mgw,
            "raw" => RuntimeFuzzTargets.Raw,
            "zip" => FormatFuzzTargets.Zip,
            "hdf5" => FormatFuzzTargets.Hdf5,
            "keras" => FormatFuzzTargets.Keras,
            "onnx" => FormatFuzzTargets.Onnx,
            _ => throw new ArgumentException("unknown target " + target),
        };

        private static string FuzzDirectory() => TestData.InRepository("tests", "ModelGen.Fuzz");
    }
}
