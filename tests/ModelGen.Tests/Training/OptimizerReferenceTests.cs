using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Numerics;
using Xunit;

namespace ModelGen.Tests.Training
{
    /// <summary>
    /// Optimizer updates against float64 PyTorch implementations of Keras 3's rules (tests/reference/make_reference.py):
    /// three steps of each optimizer on a fixed vector, and three full training steps (generated forward and backward,
    /// loss, optimizer) of real models. Tolerance: 1e-4 relative plus 1e-6 absolute.
    /// </summary>
    public class OptimizerReferenceTests
    {
        private static readonly Lazy<JsonDocument> s_optimizers = new(() => TestData.Load("optimizers.json"));
        private static readonly Lazy<JsonDocument> s_training = new(() => TestData.Load("training.json"));

        internal static Optimizer Create(string name, JsonElement args)
        {
            float F(string key, float fallback) => args.TryGetProperty(key, out JsonElement e) ? (float)e.GetDouble() : fallback;
            bool B(string key) => args.TryGetProperty(key, out JsonElement e) && e.GetBoolean();
            return name switch
            {
                "Sgd" => new Sgd(F("learningRate", 0.01f), F("momentum", 0f), B("nesterov")),
                "Adam" => new Adam(F("learningRate", 0.001f), F("beta1", 0.9f), F("beta2", 0.999f), F("epsilon", 1e-7f), B("amsgrad")),
                "AdamW" => new AdamW(F("learningRate", 0.001f), F("weightDecay", 0.004f), F("beta1", 0.9f), F("beta2", 0.999f), F("epsilon", 1e-7f), B("amsgrad")),
                "RmsProp" => new RmsProp(F("learningRate", 0.001f), F("rho", 0.9f), F("momentum", 0f), F("epsilon", 1e-7f), B("centered")),
                _ => throw new ArgumentException("unknown optimizer " + name),
            };
        }

        public static IEnumerable<object[]> OptimizerCases() =>
            s_optimizers.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

        [Theory]
        [MemberData(nameof(OptimizerCases))]
        public void ThreeStepsMatchTorch(string id)
        {
            JsonElement c = s_optimizers.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
            Optimizer optimizer = Create(c.GetProperty("optimizer").GetString()!, c.GetProperty("args"));
            float[] p = TestData.Floats(c.GetProperty("initial"));
            JsonElement[] gradients = c.GetProperty("gradients").EnumerateArray().ToArray();
            JsonElement[] steps = c.GetProperty("steps").EnumerateArray().ToArray();
            for (int k = 0; k < 3; k++)
            {
                optimizer.Step(p, TestData.Floats(gradients[k]));
                Numbers.Close(TestData.Doubles(steps[k]), p, 1e-4, 1e-6, $"{id} after step {k + 1}");
            }
            Assert.Equal(3, optimizer.Iterations);
        }

        public static IEnumerable<object[]> TrainingCases() =>
            s_training.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

        [Theory]
        [MemberData(nameof(TrainingCases))]
        public void ThreeTrainingStepsMatchTorch(string id)
        {
            JsonElement c = s_training.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
            IModel model = TorchReferenceTests.Create(c.GetProperty("model").GetString()!);
            Loss loss = TestData.LossNamed(c.GetProperty("loss").GetString()!, null);
            Optimizer optimizer = Create(c.GetProperty("optimizer").GetString()!, c.GetProperty("args"));
            TestData.Floats(c.GetProperty("initialParameters")).CopyTo(model.Parameters);
            float[] inputs = TestData.Floats(c.GetProperty("inputs"));
            float[] targets = TestData.Floats(c.GetProperty("targets"));
            double[] losses = TestData.Doubles(c.GetProperty("losses"));
            JsonElement[] parameters = c.GetProperty("parameters").EnumerateArray().ToArray();
            var gradient = new float[model.ParameterCount];
            for (int k = 0; k < 3; k++)
            {
                float value = model.ComputeGradients(inputs, targets, loss, gradient);
                Numbers.Close(new[] { losses[k] }, new[] { value }, 1e-4, 1e-6, $"{id} loss before step {k + 1}");
                optimizer.Step(model.Parameters, gradient);
                Numbers.Close(TestData.Doubles(parameters[k]), model.Parameters, 1e-4, 1e-6, $"{id} parameters after step {k + 1}");
            }
        }

        [Fact]
        public void StepChecksLengthsAndAllocatesNothingAfterTheFirst()
        {
            var adam = new Adam();
            var p = new float[10];
            var ex = Assert.Throws<ArgumentException>(() => adam.Step(p, new float[9]));
            Assert.Contains("9", ex.Message);
            adam.Step(p, new float[10]);
            Assert.Throws<ArgumentException>(() => adam.Step(new float[11], new float[11]));
            var g = new float[10];
            BehaviourTests.AssertSteadyStateAllocationFree("Adam.Step", 1000, () => adam.Step(p, g));
        }

        [Theory]
        [InlineData(0f)]
        [InlineData(-1f)]
        [InlineData(float.NaN)]
        public void InvalidLearningRateThrows(float learningRate)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(learningRate));
            Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(learningRate));
        }
    }
}
