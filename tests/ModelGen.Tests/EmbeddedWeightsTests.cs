using System;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests
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
        [InlineData("JsonIrisLike")]
        [InlineData("JsonScorer")]
        [InlineData("JsonDeep")]
        public void Predict_and_the_default_instance_give_torchs_outputs(string name)
        {
            (IModel embedded, Predictor predict) = name switch
            {
                "IrisLike" => ((IModel)new EmbeddedIrisLike(), (Predictor)EmbeddedIrisLike.Predict),
                "Scorer" => (new EmbeddedScorer(), EmbeddedScorer.Predict),
                "Deep" => (new EmbeddedDeep(), EmbeddedDeep.Predict),
                "JsonIrisLike" => (new JsonIrisLike(), JsonIrisLike.Predict),
                "JsonScorer" => (new JsonScorer(), JsonScorer.Predict),
                "JsonDeep" => (new JsonDeep(), JsonDeep.Predict),
                _ => throw new ArgumentException(name),
            };
            JsonElement m = Reference(name.Replace("Json", ""));
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
        public void Training_an_instance_leaves_Predict_unchanged()
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
        public void Predict_checks_its_spans_and_allocates_nothing()
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
