using System;
using System.IO;
using System.Linq;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Pipeline
{
    /// <summary>
    /// BatchNormalization, Normalization and Rescaling in the generator: the code a Keras JSON declaration with them generates
    /// (snapshot), saved files with them compile without diagnostics, and what cannot be generated is a located error that
    /// generates nothing.
    /// </summary>
    public sealed class AffineLayerGeneratorTests
    {
        /// <summary>Keras 3 JSON: Rescaling, Dense -> BatchNormalization -> relu, Dense(relu) -> BatchNormalization(center false) -> Dropout -> Dense.</summary>
        public const string AffineJson = """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 6], "dtype": "float32", "name": "input_layer"}},
              {"module": "keras.layers", "class_name": "Rescaling", "config": {"name": "rescaling", "scale": 0.00392156862745098, "offset": 0.0}},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "units": 8, "activation": "linear"}},
              {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "batch_normalization", "axis": -1, "epsilon": 0.001, "center": true, "scale": true}},
              {"module": "keras.layers", "class_name": "Activation", "config": {"name": "activation", "activation": "relu"}},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_1", "units": 4, "activation": "relu"}},
              {"module": "keras.layers", "class_name": "BatchNormalization", "config": {"name": "batch_normalization_1", "axis": -1, "epsilon": 0.01, "center": false}},
              {"module": "keras.layers", "class_name": "Dropout", "config": {"name": "dropout", "rate": 0.25}},
              {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_2", "units": 2, "activation": "softmax"}}
            ]}}
            """;

        public const string AffineSource = """
            using ModelGen;

            namespace Samples.Affine
            {
                [Model(Json = "models/affine.json")]
                public partial class Normalized { }
            }
            """;

        internal static GeneratorRun RunAffine() => GeneratorHarness.Run(AffineSource, new[] { AdditionalFiles.Json("models/affine.json", AffineJson) });

        private static byte[] DataFile(string folder, string name)
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "ModelGen.sln"))) dir = Path.GetDirectoryName(dir);
            return File.ReadAllBytes(Path.Combine(dir ?? throw new InvalidOperationException("repository root not found"), "tests", "ModelGen.Tests", "Data", folder, name));
        }

        private static string[] Ids(GeneratorRun run) => run.Result.Diagnostics.Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal).ToArray();

        private static string Messages(GeneratorRun run) => string.Join("\n", run.Result.Diagnostics.Select(d => d.GetMessage()));

        [Fact]
        public void AffineLayers() => Baseline.Verify("AffineLayers", RunAffine().Sources);

        [Fact]
        public void TheAffineLayersRunThroughAffineMathAndTheStateIsNotAParameter()
        {
            GeneratorRun run = RunAffine();
            string surface = run.Sources.Single(s => s.HintName == "Samples.Affine.Normalized.g.cs").Text;
            // 6*8+8 + 8*4+4 + 4*2+2 parameters; state: 8*4 (gamma, beta, moving_mean, moving_variance) + 4*3 (no beta).
            Assert.Contains("public const int ParameterCount = 102;", surface);
            Assert.Contains("public const int NonTrainableParameterCount = 44;", surface);
            Assert.Contains("global::ModelGen.AffineMath.Forward(st, ", surface);
            Assert.Contains("global::ModelGen.AffineMath.Backward(st, ", surface);
            Assert.Contains("values.Slice(0, 32), 8, true, true, 0.001, folded, 12, \"layer 2 (BatchNormalization 'batch_normalization')\")", surface);
            Assert.Contains("values.Slice(32, 12), 4, false, true, 0.01, folded, 28, \"layer 5 (BatchNormalization 'batch_normalization_1')\")", surface);
        }

        [Theory]
        [InlineData("affine", "torch_bn_first_mid_last_op11.onnx")]
        [InlineData("onnx", "torch_batchnorm_op15.onnx")]
        [InlineData("affine", "keras3_bn.keras")]
        [InlineData("affine", "keras3_rescaling.keras")]
        [InlineData("affine", "keras2_bn_full.h5")]
        public void SavedModelsWithNormalizationCompileWithoutDiagnostics(string folder, string file)
        {
            string name = "m" + Path.GetExtension(file);
            GeneratorRun run = GeneratorHarness.Run($"using ModelGen;\n[Model(\"{name}\")]\npublic partial class M {{ }}\n",
                new[] { AdditionalFiles.Weights(name, DataFile(folder, file)) });
            Assert.Empty(run.Result.Diagnostics);
            Assert.Contains(run.Sources, s => s.Text.Contains("AffineMath.Forward", StringComparison.Ordinal));
            Assert.Contains(run.Sources, s => s.Text.Contains("public static void Predict(", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("affine", "torch_bn_first_mid_last_op11.onnx")]
        [InlineData("affine", "keras3_bn.keras")]
        public void An_unrelated_edit_rereads_no_file_and_reemits_nothing(string folder, string file)
        {
            string name = "m" + Path.GetExtension(file);
            Microsoft.CodeAnalysis.CSharp.CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse($"using ModelGen;\n[Model(\"{name}\")]\npublic partial class M {{ }}\n"),
                GeneratorHarness.Parse("namespace App { public static class Util { public static int Two => 2; } }", "Util.cs"));
            GeneratorRun first = GeneratorHarness.Run(compilation, driver: GeneratorHarness.CreateDriver(new[] { AdditionalFiles.Weights(name, DataFile(folder, file)) }));
            Microsoft.CodeAnalysis.SyntaxTree util = first.Input.SyntaxTrees.Single(t => t.FilePath == "Util.cs");
            GeneratorRun second = GeneratorHarness.RunEdited(first, first.Input.ReplaceSyntaxTree(util, GeneratorHarness.Parse("namespace App { public static class Util { public static int Three => 3; } }", "Util.cs")));
            var cached = new[] { Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached, Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged };
            Assert.All(GeneratorHarness.Reasons(second.Result, ModelGen.Generator.TrackingNames.WeightsFiles), r => Assert.Contains(r, cached));
            Assert.All(GeneratorHarness.Reasons(second.Result, ModelGen.Generator.TrackingNames.ResolvedModels), r => Assert.Contains(r, cached));
            Assert.All(GeneratorHarness.OutputReasons(second.Result), r => Assert.Equal(Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached, r));
            Assert.Equal(first.Sources.ToArray(), second.Sources.ToArray());
        }

        [Fact]
        public void Keras_weights_only_file_with_batch_normalization_compiles_beside_its_architecture()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(Json = \"a.json\", Weights = \"w.h5\")]\npublic partial class M { }\n",
                new[]
                {
                    AdditionalFiles.Json("a.json", System.Text.Encoding.UTF8.GetString(DataFile("affine", "keras2_bn_weights.arch.json"))),
                    AdditionalFiles.Weights("w.h5", DataFile("affine", "keras2_bn_weights.h5")),
                });
            Assert.Empty(run.Result.Diagnostics);
        }

        [Fact]
        public void A_variance_that_cannot_be_folded_is_MGEN056_naming_the_layer_and_generates_nothing()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(\"m.keras\")]\npublic partial class M { }\n",
                new[] { AdditionalFiles.Weights("m.keras", DataFile("affine", "neg_bn_variance.keras")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN056" }, Ids(run));
            Assert.Contains("BatchNormalization 'batch_normalization'", Messages(run));
            Assert.Contains("moving_variance + epsilon", Messages(run));
            Assert.NotEqual(Microsoft.CodeAnalysis.LocationKind.None, run.Result.Diagnostics.Single().Location.Kind);
            Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("M.", StringComparison.Ordinal));
        }

        [Fact]
        public void Dense_only_weights_for_a_model_with_batch_normalization_are_MGEN056()
        {
            string source = AffineSource.Replace("[Model(Json = \"models/affine.json\")]", "[Model(Json = \"models/affine.json\", Weights = \"models/w.bin\")]");
            GeneratorRun run = GeneratorHarness.Run(source, new[]
            {
                AdditionalFiles.Json("models/affine.json", AffineJson),
                AdditionalFiles.Weights("models/w.bin", AdditionalFiles.Raw(Enumerable.Range(0, 102).Select(i => 0.01f * i).ToArray())),
            }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN056" }, Ids(run));
            Assert.Contains("holds the Dense weights only", Messages(run));
            Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("Samples.Affine", StringComparison.Ordinal));
        }

        [Fact]
        public void Batch_normalization_over_another_axis_is_a_located_error()
        {
            GeneratorRun run = GeneratorHarness.Run(AffineSource, new[] { AdditionalFiles.Json("models/affine.json", AffineJson.Replace("\"axis\": -1, \"epsilon\": 0.001", "\"axis\": 0, \"epsilon\": 0.001")) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN027" }, Ids(run));
            Assert.Contains("'axis' of BatchNormalization layer 'batch_normalization'", Messages(run));
            Assert.EndsWith("affine.json", run.Result.Diagnostics.Single().Location.GetLineSpan().Path, StringComparison.Ordinal);
            Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("Samples.Affine", StringComparison.Ordinal));
        }

        [Fact]
        public void Batch_normalization_on_a_non_flat_input_is_a_located_error()
        {
            string json = AffineJson.Replace("\"batch_shape\": [null, 6]", "\"batch_shape\": [null, 2, 3]")
                .Replace("{\"module\": \"keras.layers\", \"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 8, \"activation\": \"linear\"}},", "");
            GeneratorRun run = GeneratorHarness.Run(AffineSource, new[] { AdditionalFiles.Json("models/affine.json", json) }, expectDiagnostics: true);
            Assert.Contains("MGEN", string.Join(",", Ids(run)));
            Assert.Contains("BatchNormalization layer 'batch_normalization'", Messages(run));
            Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("Samples.Affine", StringComparison.Ordinal));
        }

        [Fact]
        public void A_normalization_mean_of_the_wrong_length_is_a_located_error()
        {
            string json = AffineJson.Replace(
                "{\"module\": \"keras.layers\", \"class_name\": \"Rescaling\", \"config\": {\"name\": \"rescaling\", \"scale\": 0.00392156862745098, \"offset\": 0.0}},",
                "{\"module\": \"keras.layers\", \"class_name\": \"Normalization\", \"config\": {\"name\": \"normalization\", \"axis\": [-1], \"mean\": [1, 2], \"variance\": [1, 1]}},");
            GeneratorRun run = GeneratorHarness.Run(AffineSource, new[] { AdditionalFiles.Json("models/affine.json", json) }, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN027" }, Ids(run));
            Assert.Contains("'mean' of Normalization layer 'normalization' must be a number or a list of 6 numbers", Messages(run));
        }
    }
}
