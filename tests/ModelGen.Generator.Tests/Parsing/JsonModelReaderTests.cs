using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Formats.Json;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Parsing
{
    /// <summary>
    /// <see cref="JsonModelReader"/> and <see cref="JsonReader"/> called directly on the fixtures in <c>Json/</c> (found
    /// through <see cref="TestPaths"/>, like the baselines) and on inline documents with diagnostic markup.
    /// </summary>
    public sealed class JsonModelReaderTests
    {
        private readonly Xunit.Abstractions.ITestOutputHelper _output;

        /// <summary>Creates the test class with xunit's output sink (the timing test reports its numbers there).</summary>
        public JsonModelReaderTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

        private static readonly string[] s_fixtures =
        {
            "keras3-sequential.json", "keras3-functional.json", "tfkeras2-sequential.json", "keras22-sequential.json",
            "keras20-sequential.json", "keras2-functional.json", "tfjs-layers-model.json", "tfjs-layers-flatten.json",
            "tfjs-converted-keras3.json", "modelgen-basic.json", "modelgen-flatten.json",
        };

        // ------------------------------------------------------------------ helpers

        private static string FixtureDirectory() => Path.Combine(TestPaths.ProjectDirectory, "Parsing", "Json");

        private static string Fixture(string name) => File.ReadAllText(Path.Combine(FixtureDirectory(), name));

        private static JsonModelFile Read(string json, string path = "models/model.json") =>
            JsonModelReader.Read(path, SourceText.From(json), CancellationToken.None);

        private static string F(float value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>A compact rendering of a layer: kind, units, activation with its non-NaN parameters, bias and initializers.</summary>
        private static string Render(DeclaredLayer layer)
        {
            ActivationSpec a = layer.Activation;
            // Aliases share a value, so ToString may print either name: normalise to the canonical one.
            var activation = new StringBuilder(a.Kind.ToString() switch { "Swish" => "Silu", "HardSwish" => "HardSilu", string s => s });
            if (!float.IsNaN(a.Alpha)) activation.Append(" alpha=").Append(F(a.Alpha));
            if (!float.IsNaN(a.NegativeSlope)) activation.Append(" slope=").Append(F(a.NegativeSlope));
            if (!float.IsNaN(a.Threshold)) activation.Append(" threshold=").Append(F(a.Threshold));
            if (!float.IsNaN(a.DefaultValue)) activation.Append(" default=").Append(F(a.DefaultValue));
            if (!float.IsNaN(a.B)) activation.Append(" b=").Append(F(a.B));
            return layer.Kind switch
            {
                LayerKind.Dense => $"Dense {layer.Units} {activation} bias={(layer.UseBias ? "yes" : "no")} {layer.KernelInitializer}/{layer.BiasInitializer}",
                LayerKind.Dropout => $"Dropout {F(layer.Rate)}",
                _ => $"Activation {activation}",
            };
        }

        private static void AssertModel(JsonModelFile file, string format, int inputSize, params string[] layers)
        {
            Assert.True(file.Usable, string.Join("\n", file.Diagnostics.Select(d => d.Descriptor.Id + " " + string.Join(" | ", d.Arguments))));
            Assert.Equal(format, file.Format);
            Assert.Equal(inputSize, file.InputSize);
            Assert.Equal(layers, file.Layers.Select(Render).ToArray());
        }

        /// <summary>
        /// Reads <paramref name="markup"/> (see <see cref="DiagnosticMarkup"/>) and asserts exactly the marked diagnostics at the
        /// marked spans, with line and column checked against the marker's position counted independently.
        /// </summary>
        private static JsonModelFile Verify(string markup)
        {
            (string json, ImmutableArray<DiagnosticMarkup.Expected> expected) = DiagnosticMarkup.Parse(markup);
            JsonModelFile file = Read(json);
            var actual = file.Diagnostics.Select(d => (d.Descriptor.Id, Span: new TextSpan(d.Location!.Value.Start, d.Location.Value.Length))).ToList();
            Assert.True(
                expected.Select(e => (e.Id, e.Span)).OrderBy(e => e.Span.Start).ThenBy(e => e.Id).SequenceEqual(actual.OrderBy(e => e.Span.Start).ThenBy(e => e.Id)),
                "Expected: " + string.Join(", ", expected.Select(e => $"{e.Id}@{e.Span} '{Slice(json, e.Span)}'"))
                + "\nActual:   " + string.Join(", ", file.Diagnostics.Select(d => $"{d.Descriptor.Id}@[{d.Location!.Value.Start}..{d.Location.Value.Start + d.Location.Value.Length}) '{Slice(json, new TextSpan(d.Location.Value.Start, d.Location.Value.Length))}': {d.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture)}")));
            foreach (DiagnosticInfo info in file.Diagnostics)
            {
                LocationInfo location = info.Location!.Value;
                (int line, int column) = LineColumn(json, location.Start);
                Assert.Equal((line, column), (location.StartLine, location.StartCharacter));
                Assert.Equal("models/model.json", location.Path);
                Assert.DoesNotMatch(@"\{\d\}", info.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture));
            }
            bool hasError = file.Diagnostics.Any(d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
            Assert.Equal(!hasError, file.Usable);
            if (!file.Usable) Assert.Equal(0, file.Layers.Count);
            return file;
        }

        private static string Slice(string text, TextSpan span) => span.End <= text.Length ? text.Substring(span.Start, span.Length) : "<out of range>";

        private static (int Line, int Column) LineColumn(string text, int position)
        {
            int line = 0, start = 0;
            for (int i = 0; i < position; i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    start = i + 1;
                }
            }
            return (line, position - start);
        }

        private static string Message(JsonModelFile file, string id) =>
            file.Diagnostics.First(d => d.Descriptor.Id == id).ToDiagnostic().GetMessage(CultureInfo.InvariantCulture);

        // ------------------------------------------------------------------ formats

        [Fact]
        public void Keras3Sequential()
        {
            JsonModelFile file = Read(Fixture("keras3-sequential.json"));
            AssertModel(file, "Keras 3", 4,
                "Dense 16 Relu bias=yes GlorotUniform/Zeros",
                "Dropout 0.2",
                "Dense 8 Linear bias=yes HeNormal/Zeros",
                "Activation LeakyRelu slope=0.1",
                "Dense 8 HardSigmoid bias=no RandomNormal/Zeros",
                "Activation Relu6",
                "Activation Silu",
                "Dense 3 Softmax bias=yes GlorotUniform/Zeros");
            Assert.Equal(0, file.Diagnostics.Count);
            Assert.Equal(0, file.WeightsManifest.Count);
        }

        [Fact]
        public void Keras3FunctionalChain()
        {
            JsonModelFile file = Read(Fixture("keras3-functional.json"));
            AssertModel(file, "Keras 3", 784,
                "Dense 32 Gelu bias=yes GlorotUniform/Zeros",
                "Dense 10 LogSoftmax bias=yes GlorotUniform/Zeros");
            Assert.Equal(0, file.Diagnostics.Count);
        }

        [Fact]
        public void TfKeras2Sequential()
        {
            JsonModelFile file = Read(Fixture("tfkeras2-sequential.json"));
            AssertModel(file, "tf.keras 2", 8,
                "Dense 12 Relu bias=yes GlorotUniform/Zeros",
                "Dense 8 HardSigmoidKeras2 bias=yes HeUniform/Zeros",
                "Activation Elu alpha=0.5",
                "Dense 1 Sigmoid bias=yes GlorotUniform/Ones");
            Assert.Equal(0, file.Diagnostics.Count);
        }

        [Fact]
        public void Keras22SequentialWithVarianceScaling()
        {
            JsonModelFile file = Read(Fixture("keras22-sequential.json"));
            AssertModel(file, "tf.keras 2", 1,
                "Dense 16 Relu bias=yes GlorotUniform/Zeros",
                "Dropout 0.5",
                "Dense 32 Relu bias=yes HeNormal/Zeros",
                "Dense 2 Softmax bias=yes LecunUniform/Zeros");
            Assert.Equal(0, file.Diagnostics.Count);
        }

        [Fact]
        public void Keras20LayerList()
        {
            JsonModelFile file = Read(Fixture("keras20-sequential.json"));
            AssertModel(file, "Keras 2.0", 8,
                "Dense 12 Relu bias=yes GlorotUniform/Zeros",
                "Activation Tanh",
                "Dense 1 Sigmoid bias=yes GlorotUniform/Zeros");
        }

        [Fact]
        public void Keras2FunctionalChain()
        {
            JsonModelFile file = Read(Fixture("keras2-functional.json"));
            AssertModel(file, "tf.keras 2", 6,
                "Dense 5 Tanh bias=yes GlorotUniform/Zeros",
                "Dense 2 Linear bias=yes GlorotUniform/Zeros");
        }

        [Fact]
        public void TfjsLayersModel_RealOutput()
        {
            JsonModelFile file = Read(Fixture("tfjs-layers-model.json"));
            // TF.js's default kernel initializer is glorotNormal, written as VarianceScaling(1, fan_avg, normal).
            AssertModel(file, "TensorFlow.js", 4,
                "Dense 16 Relu bias=yes GlorotNormal/Zeros",
                "Dropout 0.2",
                "Dense 8 Tanh bias=no HeNormal/Zeros",
                "Activation LeakyRelu slope=0.1",
                "Dense 3 Linear bias=yes GlorotNormal/Zeros",
                "Activation Softmax");
            Assert.Equal(0, file.Diagnostics.Count);
            JsonWeightGroup group = Assert.Single(file.WeightsManifest);
            Assert.Equal(new[] { "./group1-shard1of1.bin" }, group.Paths.ToArray());
            Assert.Equal(
                new[] { "dense_Dense1/kernel [4,16] float32", "dense_Dense1/bias [16] float32", "dense_Dense2/kernel [16,8] float32", "dense_Dense3/kernel [8,3] float32", "dense_Dense3/bias [3] float32" },
                group.Weights.Select(w => $"{w.Name} [{string.Join(",", w.Shape)}] {w.DType}").ToArray());
        }

        [Fact]
        public void TfjsFlattenReluMaxValueAndStddevWarning_RealOutput()
        {
            string json = Fixture("tfjs-layers-flatten.json");
            JsonModelFile file = Read(json);
            AssertModel(file, "TensorFlow.js", 6,
                "Dense 5 Elu alpha=1 bias=yes GlorotNormal/Zeros",
                "Activation Relu6",
                "Dense 2 HardSigmoidKeras2 bias=yes RandomNormal/Zeros");
            DiagnosticInfo warning = Assert.Single(file.Diagnostics);
            Assert.Equal("MGEN033", warning.Descriptor.Id);
            Assert.Equal("0.1", json.Substring(warning.Location!.Value.Start, warning.Location.Value.Length));
        }

        [Fact]
        public void TfjsConvertedFromKeras3_UsesKeras3HardSigmoid()
        {
            JsonModelFile file = Read(Fixture("tfjs-converted-keras3.json"));
            AssertModel(file, "TensorFlow.js", 30,
                "Dense 64 HardSigmoid bias=yes GlorotUniform/Zeros",
                "Dense 3 Linear bias=yes GlorotUniform/Zeros");
            JsonWeightGroup group = Assert.Single(file.WeightsManifest);
            Assert.Equal(new[] { "group1-shard1of1.bin" }, group.Paths.ToArray());
            Assert.Equal(4, group.Weights.Count);
            Assert.Equal("uint8", group.Weights[2].QuantizationDType);
            Assert.Null(group.Weights[0].QuantizationDType);
        }

        [Fact]
        public void ModelGenFormat()
        {
            JsonModelFile file = Read(Fixture("modelgen-basic.json"));
            AssertModel(file, "ModelGen", 4,
                "Dense 16 Relu bias=yes GlorotUniform/Zeros",
                "Activation Tanh",
                "Dropout 0.2",
                "Dense 8 LeakyRelu slope=0.1 bias=yes HeNormal/Zeros",
                "Dense 6 Glu bias=yes GlorotUniform/Zeros",
                "Dense 3 Softmax bias=no GlorotUniform/Ones");
            Assert.Equal(0, file.Diagnostics.Count);
        }

        [Fact]
        public void ModelGenFormatWithShapeAndParameters()
        {
            JsonModelFile file = Read(Fixture("modelgen-flatten.json"));
            AssertModel(file, "ModelGen", 6,
                "Dense 4 Elu alpha=0.5 bias=yes GlorotUniform/Zeros",
                "Activation Threshold threshold=0.1 default=-1",
                "Dense 1 Linear bias=yes GlorotUniform/Zeros");
        }

        [Fact]
        public void ResultsAreEquatable()
        {
            foreach (string name in s_fixtures)
            {
                string json = Fixture(name);
                Assert.Equal(Read(json), Read(json));
                Assert.Equal(Read(json).GetHashCode(), Read(json).GetHashCode());
            }
            Assert.NotEqual(Read(Fixture("modelgen-basic.json")), Read(Fixture("modelgen-basic.json").Replace("\"dense\": 16", "\"dense\": 17")));
        }

        [Theory]
        [InlineData("\"relu\"", "Relu")]
        [InlineData("null", "Linear")]
        [InlineData("\"swish\"", "Silu")]
        [InlineData("\"hard_swish\"", "HardSilu")]
        [InlineData("\"leaky_relu\"", "LeakyRelu slope=0.2")]
        [InlineData("\"gelu_new\"", "GeluTanh")]
        [InlineData("{\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\": \"tanh\", \"registered_name\": \"function\"}", "Tanh")]
        [InlineData("{\"module\": \"keras.layers\", \"class_name\": \"LeakyReLU\", \"config\": {\"negative_slope\": 0.05}, \"registered_name\": null}", "LeakyRelu slope=0.05")]
        [InlineData("{\"class_name\": \"ELU\", \"config\": {}}", "Elu alpha=1")]
        public void DenseActivationForms(string activation, string expected)
        {
            string json = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3]}}, "
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"activation\": " + activation + "}}]}}";
            AssertModel(Read(json), "Keras 3", 3, "Dense 2 " + expected + " bias=yes GlorotUniform/Zeros");
        }

        [Theory]
        [InlineData("{\"class_name\": \"LeakyReLU\", \"config\": {\"name\": \"l\"}}", "Activation LeakyRelu slope=0.3")]
        [InlineData("{\"class_name\": \"LeakyReLU\", \"config\": {\"alpha\": 0.01}}", "Activation LeakyRelu slope=0.01")]
        [InlineData("{\"class_name\": \"ReLU\", \"config\": {\"max_value\": null, \"negative_slope\": 0.0, \"threshold\": 0.0}}", "Activation Relu")]
        [InlineData("{\"class_name\": \"ReLU\", \"config\": {\"negative_slope\": 0.25}}", "Activation LeakyRelu slope=0.25")]
        [InlineData("{\"class_name\": \"Softmax\", \"config\": {\"axis\": -1}}", "Activation Softmax")]
        [InlineData("{\"class_name\": \"ThresholdedReLU\", \"config\": {\"theta\": 0.5}}", "Activation Threshold threshold=0.5 default=0")]
        [InlineData("{\"class_name\": \"Activation\", \"config\": {\"activation\": \"hard_sigmoid\"}}", "Activation HardSigmoidKeras2")]
        public void ActivationLayers(string layer, string expected)
        {
            string json = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"batch_input_shape\": [null, 3]}}, " + layer + "]}, \"keras_version\": \"2.4.0\"}";
            AssertModel(Read(json), "tf.keras 2", 3, "Dense 2 Linear bias=yes GlorotUniform/Zeros", expected);
        }

        [Theory]
        [InlineData("\"glorot_uniform\"", "GlorotUniform")]
        [InlineData("\"glorotNormal\"", "GlorotNormal")]
        [InlineData("\"he_uniform\"", "HeUniform")]
        [InlineData("\"lecun_normal\"", "LecunNormal")]
        [InlineData("\"random_uniform\"", "RandomUniform")]
        [InlineData("\"truncated_normal\"", "TruncatedNormal")]
        [InlineData("\"ones\"", "Ones")]
        [InlineData("{\"class_name\": \"Constant\", \"config\": {\"value\": 1}}", "Ones")]
        [InlineData("{\"class_name\": \"Constant\", \"config\": {\"value\": 0.0}}", "Zeros")]
        [InlineData("{\"class_name\": \"RandomNormal\", \"config\": {\"mean\": 0.0, \"stddev\": 0.05, \"seed\": 3}}", "RandomNormal")]
        [InlineData("{\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 1.0, \"mode\": \"fan_in\", \"distribution\": \"truncated_normal\"}}", "LecunNormal")]
        [InlineData("{\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 2.0, \"mode\": \"fan_in\", \"distribution\": \"uniform\"}}", "HeUniform")]
        public void Initializers(string initializer, string expected)
        {
            string json = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"batch_input_shape\": [null, 3], \"kernel_initializer\": " + initializer + "}}]}}";
            JsonModelFile file = Read(json);
            AssertModel(file, "tf.keras 2", 3, "Dense 2 Linear bias=yes " + expected + "/Zeros");
            Assert.Equal(0, file.Diagnostics.Count);
        }

        [Fact]
        public void MixedPrecisionPolicyIsAccepted()
        {
            string json = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 3]}}, "
                + "{\"class_name\": \"Dense\", \"config\": {\"units\": 2, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": \"mixed_float16\"}, \"registered_name\": null}}}]}}";
            JsonModelFile file = Read(json);
            Assert.True(file.Usable);
            Assert.Equal(0, file.Diagnostics.Count);
        }

        [Fact]
        public void BuildInputShapeIsAFallback()
        {
            string json = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 2}}], \"build_input_shape\": [null, 5]}}";
            AssertModel(Read(json), "Keras 3", 5, "Dense 2 Linear bias=yes GlorotUniform/Zeros");
        }

        // ------------------------------------------------------------------ diagnostics

        private const string K3Head = "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": [\n";
        private const string K3Input = "  {\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 4], \"dtype\": \"float32\"}},\n";
        private const string K3Tail = "\n]}}";

        [Theory]
        // Invalid JSON: the location is the offending character (or the end of the file).
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4,\n \"layers\": [{\"dense\": 3{|MGEN021:]|}}")]
        [InlineData("{\"format\": \"modelgen\",\n \"inputs\": 4{|MGEN021:|}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 0{|MGEN021:4|}}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4,{|MGEN021:}|}")]
        [InlineData("{\"format\": \"modelgen\", {|MGEN021:'|}inputs': 4}")]
        [InlineData("{\"format\": \"model{|MGEN021:\\|}qgen\"}")]
        [InlineData("{|MGEN021:|}")]
        [InlineData("{\"a\": 1} {|MGEN021:x|}")]
        [InlineData("{\"a\": {|MGEN021:t|}ru")]
        // Not a model.
        [InlineData("{|MGEN022:[|}1, 2]")]
        [InlineData("{|MGEN022:{|}\"name\": \"x\", \"layers\": []}")]
        [InlineData("{\"format\": {|MGEN022:\"graph-model\"|}, \"weightsManifest\": []}")]
        [InlineData("{\"format\": {|MGEN022:\"keras\"|}, \"layers\": []}")]
        // Unsupported model structure.
        [InlineData("{\"class_name\": {|MGEN023:\"MyModel\"|}, \"config\": {}}")]
        [InlineData(K3Head + K3Input + "  {\"class_name\": {|MGEN023:\"Sequential\"|}, \"config\": {\"layers\": []}}" + K3Tail)]
        // Unsupported layer, unknown activation, missing and invalid values.
        [InlineData(K3Head + K3Input + "  {\"class_name\": {|MGEN024:\"Conv2D\"|}, \"config\": {\"name\": \"conv2d\", \"filters\": 8}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"activation\": {|MGEN025:\"relux\"|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"activation\": {|MGEN025:{|}\"module\": \"builtins\", \"class_name\": \"function\", \"config\": \"my_act\"}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": {|MGEN026:\"Dense\"|}, \"config\": {\"name\": \"dense\", \"activation\": \"relu\"}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": {|MGEN027:-3|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": {|MGEN027:2.5|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": {|MGEN027:\"8\"|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"use_bias\": {|MGEN027:\"yes\"|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3}},\n  {\"class_name\": \"ReLU\", \"config\": {\"max_value\": {|MGEN027:3.0|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3}},\n  {\"class_name\": \"Softmax\", \"config\": {\"axis\": {|MGEN027:0|}}}" + K3Tail)]
        [InlineData(K3Head + "  {\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, {|MGEN027:null|}]}},\n  {\"class_name\": \"Dense\", \"config\": {\"units\": 3}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3}},\n  {\"class_name\": {|MGEN026:\"Dropout\"|}, \"config\": {\"name\": \"dropout\"}},\n  {\"class_name\": \"Dense\", \"config\": {\"units\": 2}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3}},\n  {\"class_name\": \"Dropout\", \"config\": {\"rate\": {|MGEN027:1.0|}}},\n  {\"class_name\": \"Dense\", \"config\": {\"units\": 2}}" + K3Tail)]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3}, {\"dropout\": {|MGEN027:-0.5|}}, {\"dense\": 2}]}")]
        // Input shape.
        [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": {|MGEN028:\"Dense\"|}, \"config\": {\"units\": 3}}]}, \"keras_version\": \"2.4.0\"}")]
        [InlineData("{|MGEN028:{|}\"format\": \"modelgen\", \"layers\": [{\"dense\": 3}]}")]
        [InlineData(K3Head + "  {\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 28, 28]}},\n  {\"class_name\": {|MGEN029:\"Dense\"|}, \"config\": {\"units\": 3}}" + K3Tail)]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": [2, 2], \"layers\": [{\"activation\": \"relu\"}, {\"dense\": {|MGEN029:3|}}]}")]
        // Warnings: the model stays usable.
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"dtype\": {|MGEN030:\"float64\"|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"dtype\": {\"module\": \"keras\", \"class_name\": \"DTypePolicy\", \"config\": {\"name\": {|MGEN030:\"bfloat16\"|}}}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, {|MGEN031:\"kernel_regularizer\"|}: {\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"kernel_initializer\": {\"class_name\": {|MGEN032:\"Orthogonal\"|}, \"config\": {\"gain\": 1.0}}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"kernel_initializer\": {|MGEN032:\"glorot_uniformm\"|}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"kernel_initializer\": {\"class_name\": \"RandomNormal\", \"config\": {\"mean\": 0.0, \"stddev\": {|MGEN033:1.0|}}}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"bias_initializer\": {\"class_name\": \"Constant\", \"config\": {\"value\": {|MGEN033:0.1|}}}}}" + K3Tail)]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": 3, \"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 1.0, \"mode\": \"fan_avg\", \"distribution\": {|MGEN033:\"untruncated_normal\"|}}}}}" + K3Tail)]
        // No layers, too large, activation parameters, glu width.
        [InlineData("{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": {|MGEN034:[|}]}}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": {|MGEN034:[|}{\"dropout\": 0.5}]}")]
        [InlineData(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"units\": {|MGEN006:2000000|}}}" + K3Tail)]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 262144, \"layers\": [{\"dense\": {|MGEN006:262144|}}, {\"dense\": 4}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3, \"activation\": \"relu\", \"alpha\": {|MGEN009:0.5|}}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"activation\": {|MGEN010,MGEN010:\"threshold\"|}}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"activation\": \"celu\", \"alpha\": {|MGEN011:0|}}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3, \"activation\": {|MGEN012:\"glu\"|}}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 3, \"layers\": [{\"activation\": {|MGEN012:\"glu\"|}}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3}, {|MGEN026:{|}\"units\": 3}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": {|MGEN027:0|}, \"layers\": [{\"dense\": 3}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3, \"kernel_initializer\": {|MGEN032:\"orthogonal\"|}}]}")]
        public void DiagnosticIdsAndLocations(string markup) => Verify(markup);

        [Fact]
        public void MessagesArePlainEnglish()
        {
            JsonModelFile conv = Verify(K3Head + K3Input + "  {\"class_name\": {|MGEN024:\"Conv2D\"|}, \"config\": {\"name\": \"conv2d\"}}" + K3Tail);
            Assert.StartsWith("Conv2D layer 'conv2d' is not supported", Message(conv, "MGEN024"));
            JsonModelFile units = Verify(K3Head + K3Input + "  {\"class_name\": \"Dense\", \"config\": {\"name\": \"out\", \"units\": {|MGEN027:-3|}}}" + K3Tail);
            Assert.Equal("'units' of Dense layer 'out' must be a positive integer, but is -3", Message(units, "MGEN027"));
            JsonModelFile bad = Verify("{\"format\": \"modelgen\", \"inputs\": 4,\n \"layers\": [{\"dense\": 3{|MGEN021:]|}}");
            Assert.Equal("'model.json' is not valid JSON: unexpected ']': expected ',' or '}'", Message(bad, "MGEN021"));
            JsonModelFile flat = Verify(K3Head + "  {\"class_name\": \"InputLayer\", \"config\": {\"batch_shape\": [null, 28, 28]}},\n  {\"class_name\": {|MGEN029:\"Dense\"|}, \"config\": {\"name\": \"d\", \"units\": 3}}" + K3Tail);
            Assert.Equal("Dense layer 'd' receives an input of shape (28, 28), but ModelGen works on flat vectors: add a Flatten layer before it", Message(flat, "MGEN029"));
        }

        [Fact]
        public void FunctionalGraphsThatAreNotChainsAreRejected()
        {
            string json = "{\"class_name\": \"Model\", \"config\": {\"name\": \"m\", \"layers\": [\n"
                + "{\"name\": \"a\", \"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 4]}, \"inbound_nodes\": []},\n"
                + "{\"name\": \"b\", \"class_name\": \"Dense\", \"config\": {\"units\": 3}, \"inbound_nodes\": [[[\"a\", 0, 0, {}]]]},\n"
                + "{\"name\": \"c\", \"class_name\": \"Dense\", \"config\": {\"units\": 3}, \"inbound_nodes\": [[[\"a\", 0, 0, {}]]]},\n"
                + "{\"name\": \"d\", \"class_name\": \"Add\", \"config\": {}, \"inbound_nodes\": {|MGEN023:[|}[[\"b\", 0, 0, {}], [\"c\", 0, 0, {}]]]}],\n"
                + "\"input_layers\": [[\"a\", 0, 0]], \"output_layers\": [[\"d\", 0, 0]]}, \"keras_version\": \"2.2.4\"}";
            JsonModelFile file = Verify(json);
            Assert.Contains("takes 2 inputs", Message(file, "MGEN023"));

            string twoOutputs = "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {\"layers\": [], \"input_layers\": [[\"a\", 0, 0]], \"output_layers\": {|MGEN023:[|}[\"b\", 0, 0], [\"c\", 0, 0]]}}";
            Verify(twoOutputs);
        }

        // ------------------------------------------------------------------ robustness

        private static void AssertConsistent(JsonModelFile file)
        {
            Assert.NotNull(file);
            if (!file.Usable)
            {
                Assert.Equal(0, file.Layers.Count);
                Assert.Contains(file.Diagnostics, d => d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error);
            }
            else
            {
                Assert.True(file.InputSize > 0);
                Assert.True(file.Layers.Count > 0);
            }
            foreach (DiagnosticInfo info in file.Diagnostics)
            {
                Assert.NotNull(info.Location);
                _ = info.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture); // the arguments fit the template
            }
        }

        [Fact]
        public void EveryTruncationOfEveryFixtureIsHandled()
        {
            foreach (string name in s_fixtures)
            {
                string json = Fixture(name);
                for (int length = 0; length < json.Length; length++)
                {
                    JsonModelFile file = Read(json.Substring(0, length));
                    AssertConsistent(file);
                    Assert.False(file.Usable && length < json.TrimEnd().Length, $"{name} truncated to {length} should not be usable");
                }
            }
        }

        [Fact]
        public void RandomCharacterFlipsAreHandled()
        {
            var random = new Random(1234);
            const string alphabet = "{}[]:,\"\\ 0123456789.eE+-tfnulNaIiy\u0000\u001f\uD800\uFEFFabc";
            foreach (string name in s_fixtures)
            {
                string json = Fixture(name);
                for (int trial = 0; trial < 300; trial++)
                {
                    char[] chars = json.ToCharArray();
                    int flips = 1 + random.Next(4);
                    for (int f = 0; f < flips; f++) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                    AssertConsistent(Read(new string(chars)));
                }
            }
        }

        [Theory]
        [InlineData("[", 100000)]
        [InlineData("{\"a\":", 100000)]
        [InlineData("[{\"class_name\":", 50000)]
        public void DeepNestingIsReportedNotRecursed(string opener, int count)
        {
            var builder = new StringBuilder();
            for (int i = 0; i < count; i++) builder.Append(opener);
            JsonModelFile file = Read(builder.ToString());
            DiagnosticInfo info = Assert.Single(file.Diagnostics);
            Assert.Equal("MGEN021", info.Descriptor.Id);
            Assert.Contains("nested more than 256 deep", info.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture));
        }

        [Fact]
        public void NestingUpToTheLimitParses()
        {
            string json = new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth);
            Assert.NotNull(JsonReader.Parse(json, CancellationToken.None, out _));
            string deeper = new string('[', JsonReader.MaxDepth + 1) + new string(']', JsonReader.MaxDepth + 1);
            Assert.Null(JsonReader.Parse(deeper, CancellationToken.None, out JsonParseError error));
            Assert.Equal(JsonReader.MaxDepth, error.Position);
        }

        [Theory]
        [InlineData("1e999")]
        [InlineData("-1e999")]
        [InlineData("123456789012345678901234567890")]
        [InlineData("1e-999")]
        [InlineData("NaN")]
        [InlineData("Infinity")]
        [InlineData("-Infinity")]
        [InlineData("4294967300")]
        public void HugeAndSpecialNumbersAsUnits(string units)
        {
            string markup = "{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": " + units + "}]}";
            JsonModelFile file = Read(markup);
            AssertConsistent(file);
            Assert.False(file.Usable);
            DiagnosticInfo info = Assert.Single(file.Diagnostics);
            Assert.Contains(info.Descriptor.Id, new[] { "MGEN027", "MGEN006" });
            Assert.Equal(markup.IndexOf(units, StringComparison.Ordinal), info.Location!.Value.Start);
            Assert.Equal(units.Length, info.Location.Value.Length);
        }

        [Theory]
        [InlineData("")]
        [InlineData("   \n\t ")]
        [InlineData("\uFEFF")]
        [InlineData("null")]
        [InlineData("\"just a string\"")]
        [InlineData("{}")]
        [InlineData("{\"class_name\": null}")]
        [InlineData("{\"class_name\": \"Sequential\"}")]
        [InlineData("{\"class_name\": \"Sequential\", \"config\": 3}")]
        [InlineData("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [1, \"x\", null, {}]}}")]
        [InlineData("{\"modelTopology\": []}")]
        [InlineData("{\"format\": \"layers-model\"}")]
        [InlineData("{\"modelTopology\": {\"model_config\": 1}}")]
        [InlineData("{\"modelTopology\": {\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 1, \"batch_input_shape\": [null, 1]}}]}}, \"weightsManifest\": [{\"paths\": 1}]}")]
        [InlineData("{\"class_name\": \"Functional\", \"config\": {\"layers\": [{\"name\": \"a\", \"inbound_nodes\": [[[\"a\", 0, 0]]]}], \"input_layers\": [[\"a\", 0, 0]], \"output_layers\": [[\"a\", 0, 0]]}}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": [], \"layers\": [{\"dense\": 1}]}")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": [1048576, 1048576], \"layers\": [{\"flatten\": true}, {\"dense\": 1}]}")]
        public void OddDocumentsNeverThrow(string json)
        {
            JsonModelFile file = Read(json);
            AssertConsistent(file);
            Assert.False(file.Usable);
        }

        [Fact]
        public void ByteOrderMarkIsSkipped()
        {
            string json = Fixture("keras3-sequential.json");
            JsonModelFile plain = Read(json);
            JsonModelFile withBom = Read("\uFEFF" + json);
            Assert.True(withBom.Usable);
            Assert.Equal(plain.Layers, withBom.Layers);
            Assert.Equal(plain.InputSize, withBom.InputSize);
        }

        [Fact]
        public void CancellationIsHonoured()
        {
            using var source = new CancellationTokenSource();
            source.Cancel();
            string json = Fixture("keras3-sequential.json");
            Assert.ThrowsAny<OperationCanceledException>(() => JsonModelReader.Read("m.json", SourceText.From(json), source.Token));
            string big = "[" + string.Join(",", Enumerable.Repeat("1", 100000)) + "]";
            Assert.ThrowsAny<OperationCanceledException>(() => JsonReader.Parse(big, source.Token, out _));
        }

        [Fact]
        public void OneMegabyteDocumentReads()
        {
            // A TF.js-sized file: a real model plus a large weights manifest and ignored metadata.
            var builder = new StringBuilder("{\"format\": \"layers-model\", \"modelTopology\": ");
            builder.Append("{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": {\"units\": 16, \"activation\": \"relu\", \"batch_input_shape\": [null, 4]}}]}}");
            builder.Append(", \"userDefinedMetadata\": {\"values\": [");
            for (int i = 0; builder.Length < 1_000_000; i++) builder.Append(i == 0 ? "" : ", ").Append("{\"name\": \"w").Append(i).Append("\", \"value\": -1.25e-3, \"text\": \"caf\\u00e9 \\\"quoted\\\"\"}");
            builder.Append("]}}");
            string json = builder.ToString();
            SourceText text = SourceText.From(json);
            JsonModelFile warm = JsonModelReader.Read("big.json", text, CancellationToken.None);
            Assert.True(warm.Usable);
            Assert.Equal(4, warm.InputSize);
            Assert.Equal(16, Assert.Single(warm.Layers).Units);
            var watch = Stopwatch.StartNew();
            const int runs = 5;
            for (int i = 0; i < runs; i++) JsonModelReader.Read("big.json", text, CancellationToken.None);
            double perRun = watch.Elapsed.TotalMilliseconds / runs;
            _output.WriteLine($"{json.Length / 1e6:F2} MB read in {perRun:F1} ms");
            // Reported, not asserted: speed is measured in benchmarks (GeneratorBenchmarks), never in timed tests.
        }

        // ------------------------------------------------------------------ the JSON parser itself

        [Fact]
        public void ParserDecodesEscapesAndKeepsSpans()
        {
            string json = "{\"a\\u00e9\": \"x\\n\\t\\\"\\\\\\/\\ud83d\\ude00\", \"n\": -1.5e+3, \"z\": 0, \"nan\": NaN, \"inf\": -Infinity, \"a\\u00e9\": [true, false, null]}";
            JsonNode root = JsonReader.Parse(json, CancellationToken.None, out _)!;
            Assert.Equal(6, root.Properties.Length);
            Assert.Equal("a\u00e9", root.Properties[0].Name);
            Assert.Equal("\"a\\u00e9\"", json.Substring(root.Properties[0].NameSpan.Start, root.Properties[0].NameSpan.Length));
            Assert.Equal("x\n\t\"\\/\U0001F600", root.Properties[0].Value.StringValue);
            JsonNode n = root["n"]!;
            Assert.Equal("-1.5e+3", n.Text);
            Assert.Equal(-1500.0, n.Number);
            Assert.Equal("-1.5e+3", json.Substring(n.Span.Start, n.Span.Length));
            Assert.True(double.IsNaN(root["nan"]!.Number));
            Assert.Equal(double.NegativeInfinity, root["inf"]!.Number);
            // Duplicate names: the last wins, as in Python.
            Assert.Equal(JsonKind.Array, root["a\u00e9"]!.Kind);
            Assert.Equal("[true, false, null]", json.Substring(root["a\u00e9"]!.Span.Start, root["a\u00e9"]!.Span.Length));
        }

        [Theory]
        [InlineData("01", 1)]
        [InlineData("1.", 2)]
        [InlineData("-", 1)]
        [InlineData("1e", 2)]
        [InlineData("\"a\u0001\"", 2)]
        [InlineData("\"\\x\"", 1)]
        [InlineData("\"\\u12g4\"", 1)]
        [InlineData("[1,]", 3)]
        [InlineData("{\"a\" 1}", 5)]
        [InlineData("nan", 0)]
        [InlineData("Infinit", 0)]
        [InlineData("[1 2]", 3)]
        [InlineData("\"abc", 0)]
        public void ParserRejectsInvalidJsonWithPosition(string json, int position)
        {
            Assert.Null(JsonReader.Parse(json, CancellationToken.None, out JsonParseError error));
            Assert.Equal(position, error.Position);
            Assert.False(string.IsNullOrEmpty(error.Message));
        }
    }
}
