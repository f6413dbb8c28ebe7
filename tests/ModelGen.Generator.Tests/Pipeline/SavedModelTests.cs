using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;
using static Microsoft.CodeAnalysis.IncrementalStepRunReason;

namespace ModelGen.Generator.Tests.Pipeline
{
    /// <summary>
    /// <c>[Model("m.keras")]</c> and Keras weights files in the generator: the diagnostics MGEN050-055 and caching. The Keras
    /// files are those tests/reference/make_keras_files.py wrote into tests/ModelGen.Tests/Data/keras.
    /// </summary>
    public sealed class SavedModelTests
    {
        private static byte[] KerasFile(string name) => TestPaths.RuntimeTestData("keras", name);

        private static string[] Ids(GeneratorRun run) => run.Result.Diagnostics.Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal).ToArray();

        private static string Messages(GeneratorRun run) => string.Join("\n", run.Result.Diagnostics.Select(d => d.GetMessage()));

        [Fact]
        public void KerasZipCompilesWithItsWeights()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"m.keras\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.keras", KerasFile("keras39.keras")) });
            Assert.Contains(run.Sources, s => s.Text.Contains("Predict", StringComparison.Ordinal));
        }

        [Fact]
        public void UnrelatedEditRereadsNoFileAndReemitsNothing()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse("using ModelGen;\n[Model(\"m.h5\")]\npublic partial class M { }\n"),
                GeneratorHarness.Parse("namespace App { public static class Util { public static int Two => 2; } }", "Util.cs"));
            GeneratorRun first = GeneratorHarness.Run(compilation, driver: GeneratorHarness.CreateDriver(new[] { AdditionalFiles.Weights("m.h5", KerasFile("keras2_full.h5")) }));
            SyntaxTree util = first.Input.SyntaxTrees.Single(t => t.FilePath == "Util.cs");
            GeneratorRun second = GeneratorHarness.RunEdited(first, first.Input.ReplaceSyntaxTree(util, GeneratorHarness.Parse("namespace App { public static class Util { public static int Three => 3; } }", "Util.cs")));

            Assert.All(GeneratorHarness.Reasons(second.Result, TrackingNames.WeightsFiles), r => Assert.True(r is Cached or Unchanged, r.ToString()));
            Assert.All(GeneratorHarness.Reasons(second.Result, TrackingNames.ResolvedModels), r => Assert.True(r is Cached or Unchanged, r.ToString()));
            Assert.All(GeneratorHarness.OutputReasons(second.Result), r => Assert.Equal(Cached, r));
            Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
        }

        [Fact]
        public void JsonOrLayersBesideASavedModelAreMgen050()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"m.keras\", Json = \"a.json\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.keras", KerasFile("keras39.keras")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN050" }, Ids(run));
        }

        [Fact]
        public void MissingFileIsMgen051()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"missing.keras\")]\npublic partial class M { }\n", Array.Empty<AdditionalText>(), expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN051" }, Ids(run));
        }

        [Fact]
        public void TruncatedFileIsMgen052NamingTheProblem()
        {
            byte[] bytes = KerasFile("keras2_full.h5");
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"m.h5\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.h5", bytes.AsSpan(0, bytes.Length / 2).ToArray()) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN052" }, Ids(run));
            Assert.Contains("outside the file", Messages(run));
        }

        [Fact]
        public void NeitherZipNorHdf5IsReadAsOnnxAndRefusedMgen065()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"m.onnx\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.onnx", new byte[] { 8, 7, 18, 7, 112, 121, 116, 111, 114, 99, 104 }) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN065" }, Ids(run));
        }

        [Fact]
        public void AnOnnxFileAsWeightsIsMgen053()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(4, Weights = \"m.onnx\")]\n[Dense(3)]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.onnx", Parsing.OnnxGeneratorTests.TestFile("onnxmltools_ir3.onnx")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN053" }, Ids(run));
            Assert.Contains("[Model(\"m.onnx\")]", Messages(run));
        }

        [Fact]
        public void WeightsOnlyFileAsASavedModelIsMgen054()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"w.h5\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("w.h5", KerasFile("keras2_weights.h5")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN054" }, Ids(run));
        }

        [Fact]
        public void WeightsOfAnotherArchitectureAreMgen055NamingTheLayer()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(4, Weights = \"w.h5\")]\n[Dense(7, Activation.Relu)]\n[Dense(3)]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("w.h5", KerasFile("keras2_weights.h5")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN055" }, Ids(run));
            Assert.Contains("kernel [4, 5]", Messages(run));
        }

        [Fact]
        public void Float64WeightsAreRefused()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"m.h5\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.h5", KerasFile("float64_weights.h5")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN052" }, Ids(run));
            Assert.Contains("float64", Messages(run));
        }
    }
}
