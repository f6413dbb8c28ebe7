using System;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Weights
{
    /// <summary>
    /// <c>[Model(Weights = ...)]</c>: the parameters compiled in from safetensors, raw float32 and MGW1 files give torch's
    /// outputs through the static <c>Predict</c> and through an instance made with the parameterless constructor.
    /// </summary>
    public class EmbeddedWeightsTests
    {
        private const double Rel = 1e-5, Abs = 1e-6;
        private static readonly Lazy<JsonDocument> s_models = new(() => TestData.Load("models.json"));

        private static JsonElement Reference(string name) =>
            s_models.Value.RootElement.GetProperty("models").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

        private delegate void Predictor(ReadOnlySpan<float> input, Span<float> output);

        [Theory]
        [InlineData("IrisLike")]
        [InlineData("Scorer")]
        [InlineData("Deep")]
        [InlineData("TorchIrisLike")]
        [InlineData("JsonIrisLike")]
        [InlineData("JsonScorer")]
        [InlineData("JsonDeep")]
        public void PredictAndTheDefaultInstanceGiveTorchsOutputs(string name)
        {
            (IModel embedded, Predictor predict) = name switch
            {
                "IrisLike" => ((IModel)new EmbeddedIrisLike(), (Predictor)EmbeddedIrisLike.Predict),
                "Scorer" => (new EmbeddedScorer(), EmbeddedScorer.Predict),
                "Deep" => (new EmbeddedDeep(), EmbeddedDeep.Predict),
                "TorchIrisLike" => (new TorchIrisLike(), TorchIrisLike.Predict),
                "JsonIrisLike" => (new JsonIrisLike(), JsonIrisLike.Predict),
                "JsonScorer" => (new JsonScorer(), JsonScorer.Predict),
                "JsonDeep" => (new JsonDeep(), JsonDeep.Predict),
                _ => throw new ArgumentException(name),
            };
            JsonElement m = Reference(name.Replace("Json", "").Replace("Torch", ""));
            Assert.Equal(TestData.Floats(m.GetProperty("parameters")), embedded.Parameters.ToArray());

            float[] inputs = TestData.Floats(m.GetProperty("inputs"));
            int n = m.GetProperty("n").GetInt32();
            var predicted = new float[n * embedded.OutputSize];
            predict(inputs, predicted);
            Numbers.Close(TestData.Doubles(m.GetProperty("outputs")), predicted, Rel, Abs, name + " Predict");

            var forward = new float[predicted.Length];
            embedded.Forward(inputs, forward);
            Assert.Equal(predicted, forward); // the same generated code over the same numbers

            // One sample at a time takes the scalar path: still torch's numbers.
            for (int s = 0; s < n; s++)
            {
                var one = new float[embedded.OutputSize];
                predict(inputs.AsSpan(s * embedded.InputSize, embedded.InputSize), one);
                Numbers.Close(TestData.Doubles(m.GetProperty("outputs")).Skip(s * one.Length).Take(one.Length).ToArray(), one, Rel, Abs, $"{name} sample {s}");
            }
        }

        [Fact]
        public void TrainingAnInstanceLeavesPredictUnchanged()
        {
            var model = new EmbeddedIrisLike();
            float[] x = { 5.1f, 3.5f, 1.4f, 0.2f };
            var before = new float[3];
            EmbeddedIrisLike.Predict(x, before);
            model.Parameters.Fill(0.5f);
            var after = new float[3];
            EmbeddedIrisLike.Predict(x, after);
            Assert.Equal(before, after);
            // A fresh instance starts from the embedded weights again; the seeded constructor still draws Keras initializers.
            Assert.Equal(Reference("IrisLike").GetProperty("parameters").EnumerateArray().Select(e => e.GetSingle()), new EmbeddedIrisLike().Parameters.ToArray());
            Assert.NotEqual(new EmbeddedIrisLike().Parameters.ToArray(), new EmbeddedIrisLike(7).Parameters.ToArray());
        }

        [Fact]
        public void PredictChecksItsSpansAndAllocatesNothing()
        {
            Assert.Throws<ArgumentException>(() => EmbeddedIrisLike.Predict(new float[5], new float[3]));
            Assert.Throws<ArgumentException>(() => EmbeddedIrisLike.Predict(new float[8], new float[3]));
            Assert.Throws<ArgumentException>(() => EmbeddedIrisLike.Predict(Array.Empty<float>(), Array.Empty<float>()));
            var x = new float[4 * 9];
            var y = new float[3 * 9];
            for (int i = 0; i < 100; i++) EmbeddedIrisLike.Predict(x, y);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10_000; i++) EmbeddedIrisLike.Predict(x, y);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}

namespace ModelGen.Tests.Weights
{
    /// <summary>The runtime loader matches multi-tensor safetensors files to the layers by shape, as the generator does.</summary>
    public class SafetensorsLayoutTests
    {
        private static float[] ReferenceParameters() =>
            TestData.Load("models.json").RootElement.GetProperty("models").EnumerateArray()
                .Single(e => e.GetProperty("name").GetString() == "IrisLike").GetProperty("parameters").EnumerateArray().Select(e => e.GetSingle()).ToArray();

        [Theory]
        [InlineData("iris_like.safetensors")]        // Keras names, kernels [in, units], data in layer order
        [InlineData("iris_like.torch.safetensors")]  // PyTorch state_dict: weights [out, in], 0.bias stored before 0.weight
        public void KerasAndPyTorchFilesLoadIntoTheKerasLayout(string file)
        {
            var model = new Models.IrisLike(3);
            WeightFile.LoadSafetensors(model, TestData.PathOf(System.IO.Path.Combine("weights", file)));
            Assert.Equal(ReferenceParameters(), model.Parameters.ToArray());
        }

        [Fact]
        public void TensorsThatDoNotChainThrowAndChangeNothing()
        {
            // Scorer's file holds 73 values, IrisLike has 131: and a 73-value file with IrisLike-incompatible shapes must not load.
            string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "modelgen-misfit.safetensors");
            byte[] header = System.Text.Encoding.UTF8.GetBytes("{\"a/kernel\":{\"dtype\":\"F32\",\"shape\":[16,4],\"data_offsets\":[0,256]},\"a/bias\":{\"dtype\":\"F32\",\"shape\":[16],\"data_offsets\":[256,320]},\"b/kernel\":{\"dtype\":\"F32\",\"shape\":[16,3],\"data_offsets\":[320,512]},\"b/bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[512,524]}}");
            var bytes = new byte[8 + header.Length + 524];
            BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)header.Length);
            header.CopyTo(bytes, 8);
            System.IO.File.WriteAllBytes(path, bytes);
            var model = new Models.IrisLike(3);
            float[] before = model.Parameters.ToArray();
            var error = Assert.Throws<System.IO.InvalidDataException>(() => WeightFile.LoadSafetensors(model, path));
            Assert.Contains("a/kernel [16, 4]", error.Message);
            Assert.Equal(before, model.Parameters.ToArray());
        }
    }
}
