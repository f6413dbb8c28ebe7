using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Formats.Onnx
{
    [Model(6)]
    [Dense(12, Activation.Relu)]
    [Dense(8, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class OnnxRelu6x12x8x3 { }

    [Model(6)]
    [Dense(12, Activation.Relu)]
    [Dense(8, Activation.Relu, UseBias = false)]
    [Dense(3, Activation.Softmax)]
    public partial class OnnxRelu6x12x8x3NoBias { }

    [Model(6)]
    [Dense(12, Activation.Relu)]
    [Dense(8, Activation.Relu)]
    [Dense(3)]
    public partial class OnnxRelu6x12x8x3Linear { }

    [Model(6)]
    [Dense(12, Activation.Relu)]
    [Dense(9, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class OnnxRelu6x12x9x3 { }

    /// <summary>Run-time loading of .onnx weights into an existing model: checked against the model, all-or-nothing.</summary>
    public sealed class OnnxWeightsTests
    {
        private static string PathOf(string file) => TestData.PathOf(Path.Combine("onnx", file));

        [Theory]
        [InlineData("torch_relu_softmax_op9_fixed.onnx")]
        [InlineData("torch_relu_softmax_op13_dyn.onnx")]
        [InlineData("torch_relu_softmax_op17_dyn.onnx")]
        public void LoadedWeightsGiveTheTorchOutputs(string file)
        {
            var model = new OnnxRelu6x12x8x3(seed: 1);
            OnnxWeights.Load(model, PathOf(file));
            using JsonDocument doc = TestData.Load(Path.Combine("onnx", "references.json"));
            JsonElement c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("file").GetString() == file);
            float[] inputs = TestData.FlatFloats(c.GetProperty("inputs"));
            double[] expected = TestData.FlatDoubles(c.GetProperty("outputs"));
            var output = new float[expected.Length];
            model.Forward(inputs, output);
            Numbers.Close(expected, output, rel: 1e-5, abs: 1e-6, file);
        }

        [Theory]
        [InlineData(typeof(OnnxRelu6x12x8x3NoBias), "bias")]
        [InlineData(typeof(OnnxRelu6x12x8x3Linear), "ends in softmax; the model ends in linear")]
        [InlineData(typeof(OnnxRelu6x12x9x3), "weight tensor 2")]
        public void ADifferentArchitectureIsNamedAndChangesNothing(Type modelType, string expected)
        {
            var model = (IModel)Activator.CreateInstance(modelType, 7)!;
            float[] before = model.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => OnnxWeights.Load(model, PathOf("torch_relu_softmax_op13_dyn.onnx")));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Equal(before, model.Parameters.ToArray());
        }

        [Fact]
        public void ARefusedFileThrowsInvalidDataAndChangesNothing()
        {
            var model = new OnnxRelu6x12x8x3(seed: 3);
            float[] before = model.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => OnnxWeights.Load(model, PathOf("neg_conv.onnx")));
            Assert.Contains("Conv", e.Message, StringComparison.Ordinal);
            byte[] cut = File.ReadAllBytes(PathOf("torch_relu_softmax_op13_dyn.onnx"))[..300];
            Assert.Throws<InvalidDataException>(() => OnnxWeights.Load(model, new MemoryStream(cut)));
            Assert.Equal(before, model.Parameters.ToArray());
        }

        [Fact]
        public void ANetworkWithBatchNormalizationDoesNotFitAModelWithout()
        {
            // BatchNormalization is read now (Formats/AffineLayerTests.cs); a model without it still refuses the file, naming it.
            var model = new OnnxRelu6x12x8x3(seed: 3);
            float[] before = model.Parameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => OnnxWeights.Load(model, PathOf("torch_batchnorm_op15.onnx")));
            Assert.Contains("torch_batchnorm_op15.onnx", e.Message, StringComparison.Ordinal);
            Assert.Equal(before, model.Parameters.ToArray());
        }
    }
}
