using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Parsing
{
    /// <summary>[Model("m.onnx")] through the generator: compiled-in models, and located MGEN065 for refused files (BatchNormalization is generated: Pipeline/AffineLayerGeneratorTests).</summary>
    public sealed class OnnxGeneratorTests
    {
        private const string Source = """
            using ModelGen;

            [Model("models/m.onnx")]
            public partial class FromOnnx { }
            """;

        // The ONNX test files written by tests/reference/make_onnx_files.py, found from the test binaries upward.
        internal static byte[] TestFile(string name) => TestPaths.RuntimeTestData("onnx", name);

        private static GeneratorRun Run(string file, bool expectDiagnostics) =>
            GeneratorHarness.Run(Source, new[] { AdditionalFiles.Weights("models/m.onnx", TestFile(file)) }, expectDiagnostics);

        [Theory]
        [InlineData("torch_relu_softmax_op13_dyn.onnx")]
        [InlineData("onnxmltools_ir3.onnx")]
        [InlineData("torch_view_size_op13_dyn.onnx")]
        public void AReadableFileGeneratesAModelWithItsWeights(string file)
        {
            GeneratorRun run = Run(file, expectDiagnostics: false);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Contains(run.Sources, s => s.Text.Contains("Predict(", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("neg_conv.onnx", "MGEN065", "Conv node 'conv0'")]
        [InlineData("neg_quantized.onnx", "MGEN065", "QuantizeLinear node 'quant0'")]
        [InlineData("neg_float64_weights.onnx", "MGEN065", "float64")]
        [InlineData("neg_external_data.onnx", "MGEN065", "external file")]
        [InlineData("neg_branch.onnx", "MGEN065", "branch_a")]
        public void ARefusedFileIsALocatedErrorAndGeneratesNothing(string file, string id, string names)
        {
            GeneratorRun run = Run(file, expectDiagnostics: true);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal(id, diagnostic.Id);
            Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
            Assert.Contains(names, diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Equal("Model.cs", diagnostic.Location.GetLineSpan().Path);
            Assert.Equal(2, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // the [Model] attribute
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void ATruncatedFileIsMgen065NamingTheOffset()
        {
            byte[] cut = TestFile("torch_relu_softmax_op13_dyn.onnx")[..200];
            GeneratorRun run = GeneratorHarness.Run(Source, new[] { AdditionalFiles.Weights("models/m.onnx", cut) }, expectDiagnostics: true);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("MGEN065", diagnostic.Id);
            Assert.Contains("byte", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}
