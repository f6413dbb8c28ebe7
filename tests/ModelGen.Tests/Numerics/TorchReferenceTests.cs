using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Numerics
{
    /// <summary>
    /// Generated code against float64 PyTorch references (tests/reference/make_reference.py implements each Keras 3
    /// formula directly; the data is committed, so these tests need no torch). Tolerance: 1e-5 relative plus 1e-6
    /// absolute.
    /// </summary>
    public class TorchReferenceTests
    {
        private const double Rel = 1e-5, Abs = 1e-6;

        private static readonly Lazy<JsonDocument> s_activations = new(() => TestData.Load("activations.json"));
        private static readonly Lazy<JsonDocument> s_models = new(() => TestData.Load("models.json"));

        public static IEnumerable<object[]> ActivationCases() =>
            s_activations.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

        private static JsonElement ActivationCase(string id) =>
            s_activations.Value.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("id").GetString() == id);

        private static string KeyOf(JsonElement c)
        {
            string key = c.GetProperty("activation").GetString()!;
            foreach (JsonProperty p in c.GetProperty("params").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                string value = ((float)p.Value.GetDouble()).ToString("R", CultureInfo.InvariantCulture);
                if (!value.Contains('.') && !value.Contains('E')) value += ".0";
                key += $"|{p.Name}={value}";
            }
            return key;
        }

        [Theory]
        [MemberData(nameof(ActivationCases))]
        public void ActivationForwardAndVectorJacobianProductMatchTorch(string id)
        {
            JsonElement c = ActivationCase(id);
            string key = KeyOf(c);
            Assert.True(ActivationModels.ByKey.ContainsKey(key), $"no test model for case {id} (key {key})");
            IModel model = ActivationModels.ByKey[key].Alone();
            if (c.GetProperty("activation").GetString() == "Linear")
            {
                // Linear alone is no layer at all; the model is Dense(7) with an identity kernel and zero bias.
                model.Parameters.Clear();
                for (int i = 0; i < 7; i++) model.Parameters[i * 7 + i] = 1f;
            }
            float[] x = TestData.FlatFloats(c.GetProperty("x"));
            int rows = c.GetProperty("x").GetArrayLength();
            Assert.Equal(c.GetProperty("width").GetInt32(), model.InputSize);

            var y = new float[rows * model.OutputSize];
            model.Forward(x, y);
            Numbers.Close(TestData.FlatDoubles(c.GetProperty("y")), y, Rel, Abs, id + " forward");

            var traced = new float[y.Length];
            model.ForwardTrace(x, traced, default);
            // The trace runs whole batches through vectorized passes, the plain forward may take scalar tails: equal to float rounding.
            Numbers.Close(Numbers.ToDouble(y), traced, 1e-6, 1e-7, id + " trace");
            var inputGradient = new float[x.Length];
            model.Backward(TestData.FlatFloats(c.GetProperty("upstream")), false, new float[model.ParameterCount], inputGradient);
            Numbers.Close(TestData.FlatDoubles(c.GetProperty("grad")), inputGradient, Rel, Abs, id + " gradient");
        }

        public static IEnumerable<object[]> ModelNames() =>
            s_models.Value.RootElement.GetProperty("models").EnumerateArray().Select(m => new object[] { m.GetProperty("name").GetString()! });

        internal static IModel Create(string name) => name switch
        {
            "IrisLike" => new IrisLike(1),
            "Scorer" => new Scorer(1),
            "Deep" => new Deep(1),
            "Wide" => new Wide(1),
            "Regress" => new Regress(1),
            "SigmoidCce" => new SigmoidCce(1),
            "HardOut" => new HardOut(1),
            "Saturated" => new Saturated(1),
            "SaturatedSigmoid" => new SaturatedSigmoid(1),
            _ => throw new ArgumentException("no test model named " + name),
        };

        [Theory]
        [MemberData(nameof(ModelNames))]
        public void NetworkForwardLossAndGradientsMatchTorch(string name)
        {
            JsonElement m = s_models.Value.RootElement.GetProperty("models").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
            IModel model = Create(name);
            Assert.Equal(m.GetProperty("inputSize").GetInt32(), model.InputSize);
            Assert.Equal(m.GetProperty("parameterCount").GetInt32(), model.ParameterCount);
            TestData.Floats(m.GetProperty("parameters")).CopyTo(model.Parameters);
            float[] inputs = TestData.Floats(m.GetProperty("inputs"));
            var outputs = new float[m.GetProperty("n").GetInt32() * model.OutputSize];
            model.Forward(inputs, outputs);
            Numbers.Close(TestData.Doubles(m.GetProperty("outputs")), outputs, Rel, Abs, name + " outputs");

            foreach (JsonElement l in m.GetProperty("losses").EnumerateArray())
            {
                double? delta = l.TryGetProperty("delta", out JsonElement d) && d.ValueKind == JsonValueKind.Number ? d.GetDouble() : null;
                Loss loss = TestData.LossNamed(l.GetProperty("loss").GetString()!, delta);
                var pg = new float[model.ParameterCount];
                var ig = new float[inputs.Length];
                float value = model.ComputeGradients(inputs, TestData.Floats(l.GetProperty("targets")), loss, pg, ig);
                string label = $"{name} {loss}";
                Numbers.Close(new[] { l.GetProperty("value").GetDouble() }, new[] { value }, Rel, Abs, label + " loss");
                Numbers.Close(TestData.Doubles(l.GetProperty("parameterGradient")), pg, 1e-4, 1e-6, label + " parameter gradient");
                Numbers.Close(TestData.Doubles(l.GetProperty("inputGradient")), ig, 1e-4, 1e-6, label + " input gradient");
            }
        }
    }
}
