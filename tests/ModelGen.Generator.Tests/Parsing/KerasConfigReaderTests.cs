using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Parsing
{
    /// <summary>
    /// <see cref="KerasConfigReader"/>, the entry point the <c>.keras</c> and <c>.h5</c> readers share: Keras 1.x configs
    /// (written by hand after Keras 1.2.2's <c>get_config</c> and <c>save_model</c>: <c>output_dim</c>, <c>init</c>,
    /// <c>bias</c>, <c>W_regularizer</c>, <c>p</c>, <c>input_dim</c>, <c>batch_input_shape</c>), the version passed in
    /// beside the config, the Dense layer names, and locations in the file the config came from.
    /// </summary>
    public sealed class KerasConfigReaderTests
    {
        private static string FixtureDirectory() => Path.Combine(TestPaths.ProjectDirectory, "Parsing", "Json");

        private static string Fixture(string name) => File.ReadAllText(Path.Combine(FixtureDirectory(), name));

        private static JsonModelFile ReadConfig(string json, string? kerasVersion, string path = "models/model.h5") =>
            KerasConfigReader.Read(path, SourceText.From(json), kerasVersion, CancellationToken.None);

        private static string Render(DeclaredLayer layer)
        {
            ActivationSpec a = layer.Activation;
            string activation = a.Kind.ToString()
                + (float.IsNaN(a.Alpha) ? "" : " alpha=" + a.Alpha.ToString("R", CultureInfo.InvariantCulture))
                + (float.IsNaN(a.NegativeSlope) ? "" : " slope=" + a.NegativeSlope.ToString("R", CultureInfo.InvariantCulture));
            return layer.Kind switch
            {
                LayerKind.Dense => $"Dense {layer.Units} {activation} bias={(layer.UseBias ? "yes" : "no")} {layer.KernelInitializer}/{layer.BiasInitializer}",
                LayerKind.Dropout => "Dropout " + layer.Rate.ToString("R", CultureInfo.InvariantCulture),
                _ => "Activation " + activation,
            };
        }

        private static string Ids(JsonModelFile file) => string.Join(" ", file.Diagnostics.Select(d => d.Descriptor.Id));

        [Fact]
        public void Keras1SequentialToJson_ThroughTheJsonReader()
        {
            JsonModelFile file = JsonModelReader.Read("models/model.json", SourceText.From(Fixture("keras1-sequential.json")), CancellationToken.None);
            Assert.True(file.Usable, Ids(file));
            Assert.Equal("Keras 1", file.Format);
            Assert.Equal(4, file.InputSize);
            Assert.Equal(
                new[]
                {
                    "Dense 16 Relu bias=yes GlorotUniform/Zeros",
                    "Dropout 0.25",
                    // Keras 1's hard_sigmoid is clip(0.2x + 0.5, 0, 1), as in Keras 2.
                    "Dense 8 HardSigmoidKeras2 bias=no HeNormal/Zeros",
                    "Activation LeakyRelu slope=0.1",
                    // Keras 1's "uniform" is U(-0.05, 0.05): Keras 2's RandomUniform defaults.
                    "Dense 3 Linear bias=yes RandomUniform/Zeros",
                    "Activation Softmax",
                },
                file.Layers.Select(Render).ToArray());
            Assert.Equal(0, file.Diagnostics.Count);
            Assert.Equal(new[] { "dense_1", "dense_2", "dense_3" }, file.DenseLayerNames.ToArray());
        }

        [Fact]
        public void Keras1H5ModelConfig_VersionFromTheFile()
        {
            // save_model writes model_config without keras_version; the .h5 reader passes the file's keras_version attribute.
            string json = Fixture("keras1-functional-model_config.json");
            JsonModelFile file = ReadConfig(json, "1.2.2");
            Assert.True(file.Usable, Ids(file));
            Assert.Equal("Keras 1", file.Format);
            Assert.Equal(6, file.InputSize);
            Assert.Equal(
                new[] { "Dense 5 Tanh bias=yes GlorotNormal/Zeros", "Activation Elu alpha=0.5", "Dense 2 Sigmoid bias=yes Zeros/Zeros" },
                file.Layers.Select(Render).ToArray());
            Assert.Equal(new[] { "hidden", "out" }, file.DenseLayerNames.ToArray());

            // The L2 regularizer only affects training: MGEN031, located at its key in the .h5 file's config text.
            DiagnosticInfo warning = Assert.Single(file.Diagnostics);
            Assert.Equal("MGEN031", warning.Descriptor.Id);
            Assert.Equal("models/model.h5", warning.Location!.Value.Path);
            Assert.Equal("\"W_regularizer\"", json.Substring(warning.Location.Value.Start, warning.Location.Value.Length));
        }

        [Theory]
        [InlineData("1.2.2", "HardSigmoidKeras2", "Keras 1")]
        [InlineData("2.2.4", "HardSigmoidKeras2", "tf.keras 2")]
        [InlineData("3.3.3", "HardSigmoid", "Keras 3")]
        [InlineData(null, "HardSigmoidKeras2", "tf.keras 2")]
        public void TheVersionPassedInDecidesTheDialect(string? version, string hardSigmoid, string format)
        {
            string json = "{\"class_name\": \"Sequential\", \"config\": {\"layers\": [{\"class_name\": \"Dense\", \"config\": "
                + "{\"name\": \"d\", \"units\": 2, \"activation\": \"hard_sigmoid\", \"batch_input_shape\": [null, 3]}}]}}";
            JsonModelFile file = ReadConfig(json, version);
            Assert.True(file.Usable, Ids(file));
            Assert.Equal(format, file.Format);
            Assert.Equal(hardSigmoid, file.Layers[0].Activation.Kind.ToString());
        }

        [Fact]
        public void Keras1InputDimWithoutBatchShape()
        {
            string json = "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": "
                + "{\"name\": \"dense_1\", \"output_dim\": 3, \"input_dim\": 7, \"init\": \"lecun_uniform\", \"activation\": \"linear\", \"bias\": true}}]}";
            JsonModelFile file = ReadConfig(json, "1.1.0");
            Assert.True(file.Usable, Ids(file));
            Assert.Equal(7, file.InputSize);
            Assert.Equal("Dense 3 Linear bias=yes LecunUniform/Zeros", Render(Assert.Single(file.Layers)));
        }

        [Theory]
        // Keras 1 keys keep their own names in messages.
        [InlineData("\"output_dim\": 0, \"input_dim\": 2", "MGEN027", "'output_dim' of Dense layer 'dense_1'")]
        [InlineData("\"output_dim\": 2, \"input_dim\": 2, \"bias\": \"yes\"", "MGEN027", "'bias' of Dense layer 'dense_1'")]
        [InlineData("\"output_dim\": 2, \"input_dim\": -2", "MGEN027", "'input_dim' of Dense layer 'dense_1'")]
        [InlineData("\"output_dim\": 2", "MGEN028", "model.h5")]
        [InlineData("\"output_dim\": 2, \"input_dim\": 2, \"input_dtype\": \"float64\"", "MGEN030", "float64")]
        [InlineData("\"output_dim\": 2, \"input_dim\": 2, \"b_constraint\": {\"name\": \"MaxNorm\", \"m\": 2}", "MGEN031", "b_constraint")]
        public void Keras1Problems(string dense, string id, string messagePart)
        {
            string json = "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", " + dense + "}}]}";
            JsonModelFile file = ReadConfig(json, "1.2.2");
            DiagnosticInfo diagnostic = Assert.Single(file.Diagnostics);
            Assert.Equal(id, diagnostic.Descriptor.Id);
            Assert.Contains(messagePart, diagnostic.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture));
        }

        [Fact]
        public void Keras1DropoutRateOutOfRange()
        {
            string json = "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"output_dim\": 2, \"batch_input_shape\": [null, 2]}}, "
                + "{\"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout_1\", \"p\": 1.5}}]}";
            JsonModelFile file = ReadConfig(json, "1.2.2");
            DiagnosticInfo diagnostic = Assert.Single(file.Diagnostics);
            Assert.Equal("MGEN027", diagnostic.Descriptor.Id);
            Assert.Contains("'p' of Dropout layer 'dropout_1'", diagnostic.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture));
            Assert.False(file.Usable);
        }

        [Fact]
        public void InvalidConfigTextIsLocatedInTheSourceFile()
        {
            JsonModelFile file = ReadConfig("{\"class_name\": \"Sequential\", ", "2.2.4", "weights/model.h5");
            DiagnosticInfo diagnostic = Assert.Single(file.Diagnostics);
            Assert.Equal("MGEN021", diagnostic.Descriptor.Id);
            Assert.Equal("weights/model.h5", diagnostic.Location!.Value.Path);
            Assert.False(file.Usable);
        }

        [Fact]
        public void DenseLayerNamesOfTheOtherFormats()
        {
            JsonModelFile keras3 = JsonModelReader.Read("m.json", SourceText.From(Fixture("keras3-functional.json")), CancellationToken.None);
            Assert.Equal(new[] { "dense", "dense_1" }, keras3.DenseLayerNames.ToArray());
            JsonModelFile tfjs = JsonModelReader.Read("m.json", SourceText.From(Fixture("tfjs-layers-model.json")), CancellationToken.None);
            Assert.Equal(new[] { "dense_Dense1", "dense_Dense2", "dense_Dense3" }, tfjs.DenseLayerNames.ToArray());
            JsonModelFile modelGen = JsonModelReader.Read("m.json", SourceText.From(Fixture("modelgen-basic.json")), CancellationToken.None);
            Assert.Equal(0, modelGen.DenseLayerNames.Count);
        }
    }
}
