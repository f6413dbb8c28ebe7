using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator.Tests.Emit;
using ModelGen.Generator.Tests.Infrastructure;
using ModelGen.Generator.Tests.Pipeline;
using Xunit;
using static Microsoft.CodeAnalysis.IncrementalStepRunReason;

namespace ModelGen.Generator.Tests.Weights
{
    /// <summary>
    /// <c>[Model(Weights = ...)]</c> in the generator: every format decodes to the exact floats, which the output holds as a
    /// constant-data span; bad files give MGEN037 naming the problem; paths resolve from the project directory; and edits
    /// re-run only what they touch.
    /// </summary>
    public sealed class WeightsTests
    {
        private const string Source = """
            using ModelGen;

            [Model(2, Weights = "models/tiny.bin")]
            [Dense(2, Activation.Tanh)]
            [Dense(1)]
            public partial class Tiny { }
            """;

        // 2x2 kernel, 2 bias, 2x1 kernel, 1 bias: awkward values included (-0, subnormal, extremes, non-terminating decimals).
        private static readonly float[] s_values = { -0f, float.Epsilon, float.MaxValue, -float.MaxValue, 0.1f, 1f / 3, 1e-38f, -123456.789f, 2.5f };

        /// <summary>The floats of the ModelGenWeights initializer, parsed back from the generated text.</summary>
        private static float[] EmbeddedValues(GeneratorRun run, string hint)
        {
            string text = run.Source(hint);
            int start = text.IndexOf('{', text.IndexOf("ModelGenWeights => new float[", StringComparison.Ordinal));
            int end = text.IndexOf("};", start, StringComparison.Ordinal);
            return text.Substring(start + 1, end - start - 1)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(v => float.Parse(v.TrimEnd('f'), NumberStyles.Float, CultureInfo.InvariantCulture))
                .ToArray();
        }

        public static TheoryData<string, byte[]> Formats() => new()
        {
            { "raw float32", AdditionalFiles.Raw(s_values) },
            { "MGW1", AdditionalFiles.Mgw(2, 1, s_values) },
            { "safetensors", AdditionalFiles.Safetensors(("dense/kernel", new[] { 2, 2 }, s_values[..4]), ("dense/bias", new[] { 2 }, s_values[4..6]), ("dense_1/kernel", new[] { 2, 1 }, s_values[6..8]), ("dense_1/bias", new[] { 1 }, s_values[8..])) },
        };

        [Theory]
        [MemberData(nameof(Formats))]
        public void EveryFormat_EmbedsTheExactFloats(string format, byte[] file)
        {
            _ = format;
            GeneratorRun run = GeneratorHarness.Run(Source, new[] { AdditionalFiles.Weights("models/tiny.bin", file) });
            float[] embedded = EmbeddedValues(run, "Tiny.Weights.g.cs");
            Assert.Equal(s_values.Select(BitConverter.SingleToInt32Bits), embedded.Select(BitConverter.SingleToInt32Bits)); // -0 stays -0
            string surface = run.Source("Tiny.g.cs");
            Assert.Contains("public static void Predict(global::System.ReadOnlySpan<float> input, global::System.Span<float> output)", surface);
            Assert.Contains("ModelGenWeights.CopyTo(Parameters);", surface);
            Assert.Contains("private static global::System.ReadOnlySpan<float> ModelGenWeights => new float[9]", run.Source("Tiny.Weights.g.cs"));
        }

        [Fact]
        public void WithoutWeights_NoPredictAndNoWeightsFile()
        {
            GeneratorRun run = GeneratorHarness.Run(SnapshotTests.IrisNetSource);
            Assert.DoesNotContain(run.Sources, s => s.HintName.EndsWith(".Weights.g.cs", StringComparison.Ordinal));
            Assert.DoesNotContain("Predict", run.Source("IrisNet.g.cs"));
        }

        public static TheoryData<string, byte[], string> BadFiles()
        {
            byte[] mgw = AdditionalFiles.Mgw(2, 1, s_values);
            mgw[^1] ^= 0x40;
            byte[] f16 = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(AdditionalFiles.Safetensors(("w", new[] { 9 }, s_values))).Replace("\"F32\"", "\"F16\""));
            byte[] shortHeader = AdditionalFiles.Safetensors(("w", new[] { 9 }, s_values));
            shortHeader[20] = (byte)'!';
            float[] withNaN = (float[])s_values.Clone();
            withNaN[3] = float.NaN;
            return new()
            {
                { "odd length", new byte[] { 1, 2, 3, 4, 5, 6, 7 }, "not a whole number of float32 values" },
                { "mgw damaged", mgw, "checksum does not match" },
                { "mgw cut", mgw[..20], "MGW1 header is cut short" },
                { "mgw version", AdditionalFiles.Mgw(2, 1, s_values).Select((b, i) => i == 4 ? (byte)7 : b).ToArray(), "version 7" },
                { "safetensors F16", f16, "dtype F16" },
                { "safetensors bad header", shortHeader, "safetensors header is not valid" },
                { "NaN", AdditionalFiles.Raw(withNaN), "value 3 is NaN" },
                { "infinity", AdditionalFiles.Raw(1, 2, 3, 4, float.NegativeInfinity, 6, 7, 8, 9), "value 4 is -infinity" },
            };
        }

        [Theory]
        [MemberData(nameof(BadFiles))]
        public void BadFile_Mgen037NamesTheProblem(string label, byte[] file, string problem)
        {
            _ = label;
            GeneratorRun run = GeneratorHarness.Run(Source, new[] { AdditionalFiles.Weights("models/tiny.bin", file) }, expectDiagnostics: true);
            Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("MGEN037", diagnostic.Id);
            Assert.Contains(problem, diagnostic.GetMessage(CultureInfo.InvariantCulture));
            Assert.Equal("Model.cs", diagnostic.Location.GetLineSpan().Path);
            Assert.Equal(2, diagnostic.Location.GetLineSpan().StartLinePosition.Line); // the [Model] attribute
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void CorruptBase64_Mgen037AsksForARebuild()
        {
            var text = new InMemoryAdditionalText("/proj/obj/modelgen/tiny.bin.1.modelgen-weights", "ModelGen weights 1: /proj/models/tiny.bin\n@@not base64@@\n");
            GeneratorRun run = GeneratorHarness.Run(Source, new AdditionalText[] { text }, expectDiagnostics: true);
            Assert.Contains("rebuild", Assert.Single(run.GeneratorDiagnostics, d => d.Id == "MGEN037").GetMessage(CultureInfo.InvariantCulture));
        }

        [Theory]
        [InlineData("models/tiny.bin")]
        [InlineData("./models/tiny.bin")]
        [InlineData("models\\\\tiny.bin")]
        [InlineData("other/../models/tiny.bin")]
        [InlineData("/proj/models/tiny.bin")]
        public void PathForms_ResolveToTheSameFile(string path)
        {
            GeneratorRun run = GeneratorHarness.Run(Source.Replace("models/tiny.bin", path), new[] { AdditionalFiles.Weights("models/tiny.bin", AdditionalFiles.Raw(s_values)) });
            Assert.Equal(9, EmbeddedValues(run, "Tiny.Weights.g.cs").Length);
        }

        [Fact]
        public void TfjsShards_AreJoinedInOrder()
        {
            // A TF.js export split into three shards; Weights names any one of them. Listed out of order on purpose.
            string source = Source.Replace("models/tiny.bin", "models/group1-shard2of3.bin");
            var files = new[]
            {
                AdditionalFiles.Weights("models/group1-shard3of3.bin", AdditionalFiles.Raw(s_values[7..])),
                AdditionalFiles.Weights("models/group1-shard1of3.bin", AdditionalFiles.Raw(s_values[..4])),
                AdditionalFiles.Weights("models/group1-shard2of3.bin", AdditionalFiles.Raw(s_values[4..7])),
            };
            GeneratorRun run = GeneratorHarness.Run(source, files);
            Assert.Equal(s_values.Select(BitConverter.SingleToInt32Bits), EmbeddedValues(run, "Tiny.Weights.g.cs").Select(BitConverter.SingleToInt32Bits));
        }

        [Fact]
        public void TfjsShards_AMissingShardIsNamed()
        {
            string source = Source.Replace("models/tiny.bin", "models/group1-shard1of2.bin");
            var files = new[] { AdditionalFiles.Weights("models/group1-shard1of2.bin", AdditionalFiles.Raw(s_values[..4])) };
            GeneratorRun run = GeneratorHarness.Run(source, files, expectDiagnostics: true);
            string message = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "MGEN036").GetMessage(CultureInfo.InvariantCulture);
            Assert.Contains("\"models/group1-shard2of2.bin\"", message);
        }

        [Theory]
        [InlineData("[2, 1]", "float32", ", \"quantization\": {\"dtype\": \"uint8\", \"min\": -1, \"scale\": 0.01}", "quantized to uint8")]
        [InlineData("[2, 1]", "int32", "", "as int32")]
        public void TfjsManifest_NonFloat32WeightsAreRejected(string shape, string dtype, string quantization, string expected)
        {
            GeneratorRun run = GeneratorHarness.Run(
                "using ModelGen;\n[Model(Json = \"model.json\", Weights = \"w.bin\")]\npublic partial class Quantized { }\n",
                new[] { AdditionalFiles.Json("model.json", DiagnosticsTests.TfjsJson(shape, dtype, quantization)), AdditionalFiles.Weights("w.bin", AdditionalFiles.Raw(1, 2, 3)) },
                expectDiagnostics: true);
            Assert.Contains(expected, Assert.Single(run.GeneratorDiagnostics, d => d.Id == "MGEN044").GetMessage(CultureInfo.InvariantCulture));
        }

        [Fact]
        public void TfjsManifest_ThatFitsLoads()
        {
            GeneratorRun run = GeneratorHarness.Run(
                "using ModelGen;\n[Model(Json = \"model.json\", Weights = \"w.bin\")]\npublic partial class Fits { }\n",
                new[] { AdditionalFiles.Json("model.json", DiagnosticsTests.TfjsJson("[2, 1]", "float32")), AdditionalFiles.Weights("w.bin", AdditionalFiles.Raw(1, 2, 3)) });
            Assert.Equal(new[] { 1f, 2f, 3f }, EmbeddedValues(run, "Fits.Weights.g.cs"));
        }

        [Fact]
        public void ProjectDirectoryMatch_WinsOverSuffixMatches()
        {
            // Both files end with models/tiny.bin; the one under the project directory is meant.
            var files = new[]
            {
                AdditionalFiles.Weights("lib/models/tiny.bin", AdditionalFiles.Raw(Enumerable.Repeat(7f, 9).ToArray())),
                AdditionalFiles.Weights("models/tiny.bin", AdditionalFiles.Raw(s_values)),
            };
            GeneratorRun run = GeneratorHarness.Run(Source, files);
            Assert.Equal(s_values, EmbeddedValues(run, "Tiny.Weights.g.cs"));
        }

        [Fact]
        public void WeightsFileEdited_OnlyTheWeightsConsumerReEmitted()
        {
            AdditionalText before = AdditionalFiles.Weights("models/tiny.bin", AdditionalFiles.Raw(s_values));
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(GeneratorHarness.Parse(Source), GeneratorHarness.Parse(SnapshotTests.IrisNetSource, "Iris.cs"));
            GeneratorRun first = GeneratorHarness.Run(compilation, driver: GeneratorHarness.CreateDriver(new[] { before }));

            float[] changed = (float[])s_values.Clone();
            changed[8] = 42f;
            AdditionalText after = AdditionalFiles.Weights("models/tiny.bin", AdditionalFiles.Raw(changed));
            GeneratorRun second = GeneratorHarness.Run(first.Input, driver: first.Driver.ReplaceAdditionalText(before, after));

            Assert.Equal(new[] { Modified }, GeneratorHarness.Reasons(second.Result, Steps.WeightsFiles));
            Assert.Equal(new[] { Modified }, GeneratorHarness.Reasons(second.Result, Steps.ResolvedSpecs));
            Assert.Equal(new[] { Cached }, GeneratorHarness.Reasons(second.Result, Steps.ModelSpecs)); // IrisNet untouched
            Assert.Equal(42f, EmbeddedValues(second, "Tiny.Weights.g.cs")[8]);
            Assert.Equal(first.Source("IrisNet.g.cs"), second.Source("IrisNet.g.cs"));
        }

        [Fact]
        public void UnrelatedAdditionalFileAdded_ResolvedOutputCached()
        {
            AdditionalText weights = AdditionalFiles.Weights("models/tiny.bin", AdditionalFiles.Raw(s_values));
            GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Source), driver: GeneratorHarness.CreateDriver(new[] { weights }));
            GeneratorRun second = GeneratorHarness.Run(first.Input, driver: first.Driver.AddAdditionalTexts(ImmutableArrayOf(new InMemoryAdditionalText("/proj/appsettings.json", "{\"Logging\": {}}"))));
            Assert.Equal(new[] { Unchanged }, GeneratorHarness.Reasons(second.Result, Steps.ResolvedModels));
            Assert.All(GeneratorHarness.OutputReasons(second.Result, Steps.ResolvedSpecs), r => Assert.Equal(Cached, r));
        }

        [Fact]
        public void TorchStyleSafetensors_SquareWeightIsTransposed()
        {
            // Tiny: Dense 2 -> 2 (square, so only the name tells the layouts apart) then Dense 2 -> 1. PyTorch stores weight[out, in].
            float[] kernel0 = { 1, 2, 3, 4 };          // kernel[i, j]: i input, j unit
            float[] weight0 = { 1, 3, 2, 4 };          // weight[j, i]
            byte[] file = AdditionalFiles.Safetensors(
                ("0.bias", new[] { 2 }, new float[] { 5, 6 }), ("0.weight", new[] { 2, 2 }, weight0),
                ("2.bias", new[] { 1 }, new float[] { 9 }), ("2.weight", new[] { 1, 2 }, new float[] { 7, 8 }));
            GeneratorRun run = GeneratorHarness.Run(Source, new[] { AdditionalFiles.Weights("models/tiny.bin", file) });
            Assert.Equal(kernel0.Concat(new float[] { 5, 6, 7, 8, 9 }), EmbeddedValues(run, "Tiny.Weights.g.cs"));
        }

        [Fact]
        public void SafetensorsThatDoNotFit_Mgen037ListsBothShapes()
        {
            // The right number of values, but a kernel of the wrong shape: never silently reinterpreted.
            byte[] file = AdditionalFiles.Safetensors(
                ("dense/kernel", new[] { 1, 4 }, new float[] { 1, 2, 3, 4 }), ("dense/bias", new[] { 2 }, new float[] { 5, 6 }),
                ("dense_1/kernel", new[] { 2, 1 }, new float[] { 7, 8 }), ("dense_1/bias", new[] { 1 }, new float[] { 9 }));
            GeneratorRun run = GeneratorHarness.Run(Source, new[] { AdditionalFiles.Weights("models/tiny.bin", file) }, expectDiagnostics: true);
            string message = Assert.Single(run.GeneratorDiagnostics, d => d.Id == "MGEN037").GetMessage(CultureInfo.InvariantCulture);
            Assert.Contains("the model needs [2, 2], [2], [2, 1], [1]", message);
            Assert.Contains("dense/kernel [1, 4]", message);
        }

        [Fact]
        public void GarbageWeights_NeverThrow()
        {
            // Mutations of every valid format and random bytes: the decoder returns an error or values, and never throws.
            var random = new Random(1234);
            byte[][] valid = { AdditionalFiles.Raw(s_values), AdditionalFiles.Mgw(2, 1, s_values), AdditionalFiles.Safetensors(("w", new[] { 9 }, s_values)) };
            for (int round = 0; round < 3000; round++)
            {
                byte[] file;
                if (round % 4 == 3)
                {
                    file = new byte[random.Next(0, 200)];
                    random.NextBytes(file);
                }
                else
                {
                    byte[] source = valid[round % 3];
                    file = source[..random.Next(0, source.Length + 1)];
                    for (int flips = random.Next(0, 4); flips > 0 && file.Length > 0; flips--) file[random.Next(file.Length)] = (byte)random.Next(256);
                }
                var decoded = ModelGen.Generator.Parsing.WeightsReader.Decode("w.bin", file, default);
                Assert.True(decoded.Error is not null || decoded.Values.Count * 4 <= file.Length, $"round {round}");
            }
        }

        [Fact]
        public void JsonFileEdited_OnlyItsModelReEmitted()
        {
            const string models = """
                using ModelGen;

                [Model(Json = "a.json")]
                public partial class FromA { }

                [Model(Json = "b.json")]
                public partial class FromB { }
                """;
            AdditionalText a = AdditionalFiles.Json("a.json", DiagnosticsTests.SmallJson);
            AdditionalText b = AdditionalFiles.Json("b.json", DiagnosticsTests.SmallJson.Replace("\"dense\": 1", "\"dense\": 3"));
            GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(models), driver: GeneratorHarness.CreateDriver(new[] { a, b }));
            AdditionalText edited = AdditionalFiles.Json("b.json", DiagnosticsTests.SmallJson.Replace("\"dense\": 1", "\"dense\": 5"));
            GeneratorRun second = GeneratorHarness.Run(first.Input, driver: first.Driver.ReplaceAdditionalText(b, edited));

            // Only b.json is parsed again; both requests re-resolve (the join sees every file), but only FromB's spec changes.
            Assert.Equal(new[] { Cached, Modified }.OrderBy(r => r), GeneratorHarness.Reasons(second.Result, Steps.JsonFiles).OrderBy(r => r).ToArray());
            Assert.Equal(new[] { Unchanged, Modified }.OrderBy(r => r), GeneratorHarness.Reasons(second.Result, Steps.ResolvedModels).OrderBy(r => r).ToArray());
            Assert.Equal(first.Source("FromA.g.cs"), second.Source("FromA.g.cs"));
            Assert.Contains("public const int OutputSize = 5;", second.Source("FromB.g.cs"));
        }

        private static System.Collections.Immutable.ImmutableArray<AdditionalText> ImmutableArrayOf(params AdditionalText[] texts) => System.Collections.Immutable.ImmutableArray.Create(texts);
    }
}
