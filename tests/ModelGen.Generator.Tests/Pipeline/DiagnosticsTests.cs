using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Pipeline
{
    /// <summary>
    /// Every descriptor has a source that triggers it. Each test asserts the exact set of generator diagnostics and their
    /// spans (marked in the source with <c>{|ID:...|}</c>), that the message names the problem, and that the output
    /// compilation has no errors of its own (the generator reports instead of emitting broken code).
    /// </summary>
    public sealed class DiagnosticsTests
    {
        /// <summary>One triggering case per descriptor: marked source and fragments its message must contain.</summary>
        private static readonly Dictionary<string, (string Markup, string[] MessageContains)> s_cases = new()
        {
            ["MGEN001"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public class {|MGEN001:Plain|} { }
                """, new[] { "'Plain'", "partial" }),
            ["MGEN002"] = ("""
                using ModelGen;

                [{|MGEN002:Model(4)|}]
                public partial class Empty { }
                """, new[] { "'Empty'", "no layers" }),
            ["MGEN003"] = ("""
                using ModelGen;

                [Model(4)]
                [{|MGEN003:Dense(-1)|}]
                public partial class NegativeUnits { }
                """, new[] { "Dense units", "-1" }),
            ["MGEN004"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial class Split { }

                [{|MGEN004:Dense(3)|}]
                public partial class Split { }
                """, new[] { "'Split'", "several partial declarations" }),
            ["MGEN005"] = ("""
                using ModelGen;

                [Model(4)]
                [{|MGEN005:Dense(3, (Activation)999)|}]
                public partial class BadActivation { }
                """, new[] { "999", "Activation" }),
            ["MGEN006"] = ("""
                using ModelGen;

                [{|MGEN006:Model(int.MaxValue)|}]
                [Dense(2)]
                public partial class Huge { }
                """, new[] { "'Huge'", "too large", "2147483647" }),
            ["MGEN007"] = ("""
                using ModelGen;

                public partial class Outer
                {
                    [Model(4)]
                    [Dense(2)]
                    public partial class {|MGEN007:Inner|} { }
                }
                """, new[] { "'Inner'", "'Outer'" }),
            ["MGEN008"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial class {|MGEN008:Generic|}<T> { }
                """, new[] { "'Generic'", "generic" }),
            ["MGEN009"] = ("""
                using ModelGen;

                [Model(4)]
                [{|MGEN009:Dense(3, Activation.Relu, Alpha = 0.5f)|}]
                public partial class Unused { }
                """, new[] { "Alpha", "Relu" }),
            ["MGEN010"] = ("""
                using ModelGen;

                [Model(4)]
                [{|MGEN010:Dense(3, Activation.Threshold, Threshold = 0.5f)|}]
                public partial class MissingDefault { }
                """, new[] { "Threshold", "DefaultValue" }),
            ["MGEN011"] = ("""
                using ModelGen;

                [Model(4)]
                [{|MGEN011:Dense(3, Activation.Celu, Alpha = 0f)|}]
                public partial class ZeroAlpha { }
                """, new[] { "Alpha = 0", "Celu", "must not be 0" }),
            ["MGEN012"] = ("""
                using ModelGen;

                [Model(4)]
                [{|MGEN012:Dense(3, Activation.Glu)|}]
                public partial class OddGlu { }
                """, new[] { "Glu", "even", "3" }),
            ["MGEN013"] = ("""
                using ModelGen;

                [{|MGEN013:Model|}]
                [Dense(2)]
                public partial class NoInputs { }
                """, new[] { "'NoInputs'", "input size" }),
            ["MGEN014"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public static partial class {|MGEN014:StaticNet|} { }
                """, new[] { "'StaticNet'", "static" }),
            ["MGEN016"] = ("""
                using ModelGen;

                [{|MGEN016:Dense(3)|}]
                public partial class Orphan { }
                """, new[] { "[Dense]", "'Orphan'" }),
            ["MGEN017"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial record {|MGEN017:Rec|};
                """, new[] { "'Rec'", "record" }),
            ["MGEN018"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                file partial class {|MGEN018:Local|} { }
                """, new[] { "'Local'", "file-local" }),
            ["MGEN019"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial class Net
                {
                    public int {|MGEN019:Parameters|} => 0;
                }
                """, new[] { "'Parameters'", "'Net'" }),
            ["MGEN020"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial class BaseNet { }

                [Model(3)]
                [Dense(1)]
                public partial class {|MGEN020:DerivedNet|} : BaseNet { }
                """, new[] { "'DerivedNet'", "'BaseNet'" }),
            ["MGEN035"] = ("""
                using ModelGen;

                [{|MGEN035:Model(Json = "models/iris.keras.json")|}]
                public partial class FromJson { }
                """, new[] { "'FromJson'", "models/iris.keras.json", "AdditionalFiles" }),
            ["MGEN036"] = ("""
                using ModelGen;

                [{|MGEN036:Model(2, Weights = "models/missing.safetensors")|}]
                [Dense(1)]
                public partial class NoWeights { }
                """, new[] { "'NoWeights'", "models/missing.safetensors", "ModelGenWeights" }),
            ["MGEN037"] = ("""
                using ModelGen;

                [{|MGEN037:Model(2, Weights = "w.bin")|}]
                [Dense(1)]
                public partial class BadWeights { }
                """, new[] { "'BadWeights'", "w.bin", "not a whole number of float32 values" }),
            ["MGEN038"] = ("""
                using ModelGen;

                [{|MGEN038:Model(2, Weights = "w.bin")|}]
                [Dense(2)]
                public partial class WrongCount { }
                """, new[] { "'WrongCount'", "6 parameters", "raw float32", "3 values" }),
            ["MGEN039"] = ("""
                using ModelGen;

                [Model(Json = "net.json")]
                [{|MGEN039:Dense(2)|}]
                public partial class Twice { }
                """, new[] { "'Twice'", "net.json", "remove" }),
            ["MGEN040"] = ("""
                using ModelGen;

                [{|MGEN040:Model(5, Json = "net.json")|}]
                public partial class Disagrees { }
                """, new[] { "'Disagrees'", "5 inputs", "net.json", "gives 2" }),
            ["MGEN041"] = ("""
                using ModelGen;

                [{|MGEN041:Model(2, Weights = "w.bin")|}]
                [Dense(1)]
                public partial class Ambiguous { }
                """, new[] { "'Ambiguous'", "/proj/a/w.bin", "/proj/b/w.bin" }),
            ["MGEN042"] = ("""
                using ModelGen;

                [{|MGEN042:Model(2, Weights = "")|}]
                [Dense(1)]
                public partial class Blank { }
                """, new[] { "'Blank'", "Weights is empty" }),
            ["MGEN044"] = ("""
                using ModelGen;

                [{|MGEN044:Model(Json = "model.json", Weights = "w.bin")|}]
                public partial class Transposed { }
                """, new[] { "'Transposed'", "model.json", "[1, 2] [1]", "[2, 1] [1]" }),
            ["MGEN043"] = ("""
                using ModelGen;

                [Model(4)]
                [Dense(8, Activation.Relu)]
                [{|MGEN043:Dropout(1f)|}]
                [Dense(1)]
                public partial class Dropless { }
                """, new[] { "Dropout rate 1", "[0, 1)" }),
        };

        private const string K3Head = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": [\n";
        private const string K3Input = "  {\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"dtype\": \"float32\"}},\n";
        private const string K3Tail = "\n]}}";

        /// <summary>
        /// One case per descriptor the JSON reader reports, run end to end through <c>[Model(Json = "model.json")]</c>: the
        /// marked span is in the JSON file (the reader's own tests cover every variant; these prove the reports reach the user).
        /// </summary>
        private static readonly Dictionary<string, (string JsonMarkup, string[] MessageContains)> s_jsonCases = new()
        {
            ["MGEN021"] = ("{\"format\": \"modelgen\", \"inputs\": 4,\n \"layers\": [{\"dense\": 3{|MGEN021:]|}}", new[] { "model.json", "not valid JSON" }),
            ["MGEN022"] = ("{|MGEN022:[|}1, 2]", new[] { "model.json", "not a model" }),
            ["MGEN023"] = ("{\"class_name\": {|MGEN023:\"MyModel\"|}, \"config\": {}}", new[] { "MyModel", "not supported" }),
            ["MGEN024"] = (K3Head + K3Input + "  {\"class_name\": {|MGEN024:\"Conv2D\"|}, \"config\": {\"name\": \"conv2d\"}}" + K3Tail, new[] { "Conv2D", "not supported" }),
            ["MGEN025"] = (K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"activation\": {|MGEN025:\"relux\"|}}}" + K3Tail, new[] { "relux" }),
            ["MGEN026"] = (K3Head + K3Input + "  {\"class_name\": {|MGEN026:\"Dense\"|}, \"config\": {\"name\": \"dense\"}}" + K3Tail, new[] { "units" }),
            ["MGEN027"] = (K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": {|MGEN027:-3|}}}" + K3Tail, new[] { "'units'", "-3" }),
            ["MGEN028"] = ("{|MGEN028:{|}\"format\": \"modelgen\", \"layers\": [{\"dense\": 3}]}", new[] { "model.json", "no input shape" }),
            ["MGEN029"] = (K3Head + "  {\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 28, 28]}},\n  {\"class_name\": {|MGEN029:\"Dense\"|}, \"config\": {\"name\": \"d\", \"units\": 3}}" + K3Tail, new[] { "(28, 28)", "Flatten" }),
            ["MGEN030"] = (K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"dtype\": {|MGEN030:\"float64\"|}}}" + K3Tail, new[] { "float64" }),
            ["MGEN031"] = (K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, {|MGEN031:\"kernel_regularizer\"|}: {\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}}}" + K3Tail, new[] { "kernel_regularizer", "training" }),
            ["MGEN032"] = (K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"kernel_initializer\": {|MGEN032:\"glorot_uniformm\"|}}}" + K3Tail, new[] { "glorot_uniformm" }),
            ["MGEN033"] = (K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"kernel_initializer\": {\"class_name\": \"RandomNormal\", \"config\": {\"mean\": 0.0, \"stddev\": {|MGEN033:1.0|}}}}}" + K3Tail, new[] { "RandomNormal" }),
            ["MGEN034"] = ("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": {|MGEN034:[|}{\"dropout\": 0.5}]}", new[] { "no layers that compute" }),
        };

        [Fact]
        public void JsonModelWithWarnings_StillGenerates()
        {
            GeneratorRun run = DiagnosticMarkup.VerifyJson(s_jsonCases["MGEN031"].JsonMarkup);
            Assert.Contains(run.Sources, s => s.HintName == "FromJson.g.cs");
            Assert.Contains("public const int InputSize = 4;", run.Source("FromJson.g.cs"));
            Assert.Empty(run.CompilerDiagnostics);
        }

        /// <summary>The AdditionalFiles of the cases that need some.</summary>
        private static readonly Dictionary<string, AdditionalText[]> s_files = new()
        {
            ["MGEN037"] = new[] { AdditionalFiles.Weights("w.bin", new byte[] { 1, 2, 3, 4, 5 }) },
            ["MGEN038"] = new[] { AdditionalFiles.Weights("w.bin", AdditionalFiles.Raw(1, 2, 3)) },
            ["MGEN040"] = new[] { AdditionalFiles.Json("net.json", SmallJson) },
            ["MGEN041"] = new[] { AdditionalFiles.Weights("a/w.bin", AdditionalFiles.Raw(1, 2, 3)), AdditionalFiles.Weights("b/w.bin", AdditionalFiles.Raw(1, 2, 3)) },
            ["MGEN044"] = new[] { AdditionalFiles.Json("model.json", TfjsJson("[1, 2]", "float32")), AdditionalFiles.Weights("w.bin", AdditionalFiles.Raw(1, 2, 3)) },
        };

        /// <summary>A TensorFlow.js model.json: 2 inputs, Dense 1, with a manifest giving the kernel's shape and dtype.</summary>
        internal static string TfjsJson(string kernelShape, string kernelDType, string quantization = "") =>
            "{\"format\": \"layers-model\", \"modelTopology\": {\"class_name\": \"Sequential\", \"config\": {\"layers\": ["
            + "{\"class_name\": \"Dense\", \"config\": {\"units\": 1, \"batch_input_shape\": [null, 2]}}]}, \"keras_version\": \"tfjs-layers 4.22.0\"},"
            + " \"weightsManifest\": [{\"paths\": [\"w.bin\"], \"weights\": ["
            + "{\"name\": \"dense/kernel\", \"shape\": " + kernelShape + ", \"dtype\": \"" + kernelDType + "\"" + quantization + "},"
            + " {\"name\": \"dense/bias\", \"shape\": [1], \"dtype\": \"float32\"}]}]}";

        /// <summary>A ModelGen-format declaration: 2 inputs, Dense 1.</summary>
        internal const string SmallJson = """{"format": "modelgen", "inputs": 2, "layers": [{"dense": 1}]}""";

        /// <summary>
        /// Reported only by PipelineGuard: MGEN085 (internal error, needs an injected fault) and MGEN086 (a JSON file over
        /// 4 MB); GeneratorReliabilityTests triggers and locates both.
        /// </summary>
        /// <remarks>
        /// The saved-model IDs need binary model files: SavedModelTests triggers MGEN050-MGEN055 (Keras files, and an ONNX
        /// file given as Weights), Pipeline/AffineLayerGeneratorTests MGEN056 and OnnxGeneratorTests MGEN065, each asserting
        /// the exact set of IDs. MGEN066 (ONNX BatchNormalization) is no longer reported: batch normalization is generated.
        /// </remarks>
        private static readonly string[] s_reliabilityIds =
        {
            "MGEN085", "MGEN086", "MGEN050", "MGEN051", "MGEN052", "MGEN053", "MGEN054", "MGEN055", "MGEN056", "MGEN065", "MGEN066",
        };

        public static TheoryData<string> DescriptorIds() => new(GeneratorInternals.Descriptors.Select(d => d.Id).Except(s_reliabilityIds));

        [Fact]
        public void EveryDescriptorHasATriggeringCase()
        {
            Assert.Equal(GeneratorInternals.Descriptors.Select(d => d.Id).Except(s_reliabilityIds), s_cases.Keys.Concat(s_jsonCases.Keys).OrderBy(k => k, StringComparer.Ordinal));
            Assert.Empty(s_cases.Keys.Intersect(s_jsonCases.Keys));
        }

        [Theory]
        [MemberData(nameof(DescriptorIds))]
        public void DescriptorIsReported(string id)
        {
            GeneratorRun run;
            string[] fragments;
            if (s_jsonCases.TryGetValue(id, out var jsonCase))
            {
                run = DiagnosticMarkup.VerifyJson(jsonCase.JsonMarkup);
                fragments = jsonCase.MessageContains;
            }
            else
            {
                Assert.True(s_cases.TryGetValue(id, out var @case), $"No triggering source for {id}: add one to s_cases");
                run = DiagnosticMarkup.Verify(@case.Markup, s_files.TryGetValue(id, out AdditionalText[]? files) ? files : Array.Empty<AdditionalText>());
                fragments = @case.MessageContains;
            }
            string message = DiagnosticMarkup.MessageOf(run, id);
            foreach (string fragment in fragments) Assert.Contains(fragment, message);
            DiagnosticDescriptor descriptor = GeneratorInternals.Descriptors.Single(d => d.Id == id);
            Assert.Equal(descriptor.DefaultSeverity, run.GeneratorDiagnostics.Single(d => d.Id == id).Severity);
            if (descriptor.DefaultSeverity == DiagnosticSeverity.Error)
            {
                // Nothing is generated for the offending class (MGEN020's case also declares a valid base model).
                string offending = id == "MGEN020" ? "DerivedNet" : "";
                Assert.DoesNotContain(run.Sources, s => offending.Length == 0 || s.HintName.StartsWith(offending, StringComparison.Ordinal));
            }
        }

        [Fact]
        public void DescriptorsFollowTheConventions()
        {
            Assert.NotEmpty(GeneratorInternals.Descriptors);
            Assert.Equal(GeneratorInternals.Descriptors.Count, GeneratorInternals.Descriptors.Select(d => d.Id).Distinct().Count());
            Assert.All(GeneratorInternals.Descriptors, d =>
            {
                Assert.Matches("^MGEN[0-9]{3}$", d.Id);
                Assert.Equal("ModelGen", d.Category);
                Assert.True(d.IsEnabledByDefault, d.Id);
                Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()), d.Id);
            });
        }

        [Fact]
        public void EveryDescriptorIsInTheReleaseTracking()
        {
            string generator = TestPaths.InRepository("generator", "ModelGen.Generator");
            string releases = File.ReadAllText(Path.Combine(generator, "AnalyzerReleases.Shipped.md")) + File.ReadAllText(Path.Combine(generator, "AnalyzerReleases.Unshipped.md"));
            foreach (DiagnosticDescriptor d in GeneratorInternals.Descriptors)
            {
                Assert.Matches(new Regex($@"^{d.Id}\s*\|\s*{d.Category}\s*\|\s*{d.DefaultSeverity}\s*\|", RegexOptions.Multiline), releases);
            }
        }

        // ---------------------------------------------------------------------------------------------------------------
        // Variants
        // ---------------------------------------------------------------------------------------------------------------

        [Fact]
        public void NoLayers_OnlyLinearActivationLayers()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [{|MGEN002:Model(4)|}]
                [Activation(Activation.Linear)]
                public partial class OnlyLinear { }
                """);
            Assert.Contains("'OnlyLinear'", DiagnosticMarkup.MessageOf(run, "MGEN002"));
        }

        [Theory]
        [InlineData("0")]
        [InlineData("-3")]
        [InlineData("int.MinValue")]
        public void NonPositiveInputs(string inputs)
        {
            GeneratorRun run = DiagnosticMarkup.Verify($$"""
                using ModelGen;

                [{|MGEN003:Model({{inputs}})|}]
                [Dense(2)]
                public partial class BadInputs { }
                """);
            string message = DiagnosticMarkup.MessageOf(run, "MGEN003");
            Assert.Contains("'BadInputs'", message);
            Assert.Contains(inputs == "int.MinValue" ? int.MinValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : inputs, message);
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void NonPositiveUnits_EachLayerReported()
        {
            DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [{|MGEN003:Dense(0)|}]
                [Dense(2)]
                [{|MGEN003:Dense(-5, Activation.Relu)|}]
                public partial class TwoBadLayers { }
                """);
        }

        [Fact]
        public void UndefinedInitializers()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [{|MGEN005:Dense(3, KernelInitializer = (Initializer)77)|}]
                [{|MGEN005:Dense(3, BiasInitializer = (Initializer)(-1))|}]
                public partial class BadInitializers { }
                """);
            string[] messages = run.GeneratorDiagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Contains(messages, m => m.Contains("77", StringComparison.Ordinal) && m.Contains("Initializer", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("-1", StringComparison.Ordinal) && m.Contains("Initializer", StringComparison.Ordinal));
        }

        [Fact]
        public void UndefinedActivationOnActivationLayer()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [Dense(3)]
                [{|MGEN005:Activation((Activation)(-1))|}]
                [{|MGEN005:Activation((Activation)int.MaxValue)|}]
                public partial class BadActivationLayer { }
                """);
            Assert.Contains(run.GeneratorDiagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("2147483647", StringComparison.Ordinal));
        }

        [Fact]
        public void TooLarge_LayerUnits()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [{|MGEN006:Dense(2000000000)|}]
                public partial class WideLayer { }
                """);
            Assert.Contains("2000000000", DiagnosticMarkup.MessageOf(run, "MGEN006"));
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void TooLarge_FiveHundredLayersOfOneHundredThousandUnits()
        {
            var source = new StringBuilder("using ModelGen;\n\n[{|MGEN006:Model(4)|}]\n");
            for (int i = 0; i < 500; i++) source.Append("[Dense(100000, Activation.Relu)]\n");
            source.Append("public partial class Deep { }\n");

            GeneratorRun run = DiagnosticMarkup.Verify(source.ToString());

            Assert.Contains("'Deep'", DiagnosticMarkup.MessageOf(run, "MGEN006"));
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void TooLarge_TooManyLayers()
        {
            var source = new StringBuilder("using ModelGen;\n\n[{|MGEN006:Model(4)|}]\n[Dense(4, Activation.Relu)]\n");
            for (int i = 0; i < 1100; i++) source.Append(i % 2 == 0 ? "[Activation(Activation.Tanh)]\n" : "[Activation(Activation.Relu)]\n");
            source.Append("public partial class ManyLayers { }\n");

            GeneratorRun run = DiagnosticMarkup.Verify(source.ToString());

            Assert.Contains("layers", DiagnosticMarkup.MessageOf(run, "MGEN006"));
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void TooLarge_TooManyParameters()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [{|MGEN006:Model(200000)|}]
                [Dense(1000)]
                public partial class ManyParameters { }
                """);
            Assert.Contains("parameters", DiagnosticMarkup.MessageOf(run, "MGEN006"));
            Assert.Empty(run.Sources);
        }

        [Fact]
        public void UnusedParameter_StillGenerates()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [{|MGEN009:Activation(Activation.Tanh, B = 2f)|}]
                [Dense(2)]
                public partial class UnusedOnActivationLayer { }
                """);
            Assert.NotEmpty(run.Sources);
        }

        [Fact]
        public void PragmaSuppressesUnusedParameterWarning()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                #pragma warning disable MGEN009 // the test: a pragma silences the warning
                [Dense(3, Activation.Relu, Alpha = 0.5f)]
                #pragma warning restore MGEN009
                [{|MGEN009:Dense(2, Activation.Tanh, NegativeSlope = 0.1f)|}]
                public partial class Suppressed { }
                """);
            // The driver keeps a pragma-suppressed diagnostic but marks it, so it never surfaces as a warning.
            Diagnostic suppressed = Assert.Single(run.GeneratorDiagnostics, d => d.Location.GetLineSpan().StartLinePosition.Line == 4);
            Assert.Equal("MGEN009", suppressed.Id);
            Assert.True(suppressed.IsSuppressed);
            Assert.NotEmpty(run.Sources);
        }

        [Fact]
        public void MissingThresholdParameters()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [Dense(3)]
                [{|MGEN010,MGEN010:Activation(Activation.Threshold)|}]
                public partial class MissingBoth { }
                """);
            string[] messages = run.GeneratorDiagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.Contains(messages, m => m.Contains("needs Threshold", StringComparison.Ordinal));
            Assert.Contains(messages, m => m.Contains("needs DefaultValue", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("Activation.Squareplus, B = -1f", "b must not be negative")]
        [InlineData("Activation.Elu, Alpha = float.PositiveInfinity", "finite")]
        [InlineData("Activation.LeakyRelu, NegativeSlope = float.NaN", "finite")]
        [InlineData("Activation.SoftShrink, Threshold = -0.5f", "must not be negative")]
        [InlineData("Activation.Threshold, Threshold = 0f, DefaultValue = float.NegativeInfinity", "finite")]
        public void InvalidParameterValues(string arguments, string reason)
        {
            GeneratorRun run = DiagnosticMarkup.Verify($$"""
                using ModelGen;

                [Model(4)]
                [{|MGEN011:Dense(3, {{arguments}})|}]
                public partial class BadParameter { }
                """);
            Assert.Contains(reason, DiagnosticMarkup.MessageOf(run, "MGEN011"));
        }

        [Fact]
        public void GluOnOddActivationLayerWidth()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [Dense(5, Activation.Relu)]
                [{|MGEN012:Activation(Activation.Glu)|}]
                public partial class OddGluLayer { }
                """);
            Assert.Contains("5", DiagnosticMarkup.MessageOf(run, "MGEN012"));
        }

        [Fact]
        public void SeveralClassProblemsAtOnce()
        {
            DiagnosticMarkup.Verify("""
                using ModelGen;

                public static class Holder
                {
                    [Model(4)]
                    [Dense(2)]
                    public class {|MGEN001,MGEN007,MGEN008:Bad|}<T> { }
                }
                """);
        }

        [Fact]
        public void OrphanLayers_OnePerAttributeKind()
        {
            DiagnosticMarkup.Verify("""
                using ModelGen;

                [{|MGEN016:Dense(3)|}]
                [{|MGEN016:Activation(Activation.Relu)|}]
                [Dense(2)]
                [{|MGEN016:Dropout(0.5f)|}]
                public class Orphan { }
                """);
        }

        [Fact]
        public void OrphanWarning_CanBeSuppressed()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                #pragma warning disable MGEN016 // deliberate: layers kept for documentation
                [Dense(3)]
                public class Documented { }
                """);
            Diagnostic suppressed = Assert.Single(run.GeneratorDiagnostics);
            Assert.Equal("MGEN016", suppressed.Id);
            Assert.True(suppressed.IsSuppressed);
        }

        [Fact]
        public void DiagnosticsOnModelsDoNotAffectOtherModels()
        {
            GeneratorRun run = DiagnosticMarkup.Verify("""
                using ModelGen;

                [Model(4)]
                [{|MGEN003:Dense(0)|}]
                public partial class Broken { }

                [Model(4)]
                [Dense(2, Activation.Softmax)]
                public partial class Fine { }
                """);
            Assert.Contains(run.Sources, s => s.HintName == "Fine.g.cs");
            Assert.DoesNotContain(run.Sources, s => s.HintName.StartsWith("Broken", StringComparison.Ordinal));
        }
    }
}
