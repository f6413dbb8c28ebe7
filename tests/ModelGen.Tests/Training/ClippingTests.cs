using System;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Training
{
    /// <summary>
    /// Gradient clipping against Keras 3's formulas (tests/reference/make_clipping.py, float64 torch): per-tensor clipnorm,
    /// global_clipnorm, clipvalue, one rule per step. The step is plain SGD with learning rate 1 from zero parameters, so
    /// the parameters after it are minus the clipped gradient.
    /// </summary>
    public class ClippingTests
    {
        public static TheoryData<int> Cases()
        {
            var data = new TheoryData<int>();
            using JsonDocument doc = TestData.Load("clipping.json");
            for (int i = 0; i < doc.RootElement.GetProperty("cases").GetArrayLength(); i++) data.Add(i);
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void ClippingMatchesKeras(int index)
        {
            using JsonDocument doc = TestData.Load("clipping.json");
            int[] sizes = doc.RootElement.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            float[] gradient = TestData.Floats(doc.RootElement.GetProperty("gradient"));
            JsonElement c = doc.RootElement.GetProperty("cases")[index];
            string mode = c.GetProperty("mode").GetString()!;
            float limit = (float)c.GetProperty("c").GetDouble();
            double[] expected = TestData.Doubles(c.GetProperty("clipped"));

            var sgd = new Sgd(learningRate: 1f);
            // A clip value beside a norm clip is not applied: Keras clips by one rule.
            switch (mode)
            {
                case "clipnorm": sgd.ClipNorm = limit; sgd.ClipValue = 1e-3f; break;
                case "global_clipnorm": sgd.GlobalClipNorm = limit; sgd.ClipValue = 1e-3f; break;
                default: sgd.ClipValue = limit; break;
            }
            var parameters = new float[gradient.Length];
            sgd.Step(parameters, gradient, sizes);
            double[] clipped = parameters.Select(p => -(double)p).ToArray();
            Numbers.Close(expected, clipped.Select(v => (float)v).ToArray(), 1e-6, 1e-9, $"{mode} {limit}");
        }

        [Fact]
        public void TensorSizes_AreTheKernelsAndBiasesInParameterOrder()
        {
            IModel iris = new IrisLike(1);
            Assert.Equal(new[] { 4 * 16, 16, 16 * 3, 3 }, iris.TensorSizes.ToArray());
            IModel scorer = new Scorer(1); // first Dense without bias
            Assert.Equal(new[] { 8 * 8, 8, 1 }, scorer.TensorSizes.ToArray());
            Assert.Equal(Scorer.ParameterCount, scorer.TensorSizes.ToArray().Sum());
        }

        [Fact]
        public void ClipNorm_NeedsTheTensorSizes()
        {
            var adam = new Adam { ClipNorm = 1f };
            var p = new float[10];
            var g = new float[10];
            var error = Assert.Throws<InvalidOperationException>(() => adam.Step(p, g));
            Assert.Contains("TensorSizes", error.Message);
            Assert.Throws<ArgumentException>(() => adam.Step(p, g, new[] { 4, 5 }));
            adam.Step(p, g, new[] { 4, 6 });
            Assert.Equal(1, adam.Iterations);
        }

        [Fact]
        public void OnlyOneNormClipAndPositiveLimits()
        {
            var sgd = new Sgd { ClipNorm = 1f };
            Assert.Throws<InvalidOperationException>(() => sgd.GlobalClipNorm = 1f);
            sgd.ClipNorm = null;
            sgd.GlobalClipNorm = 1f;
            Assert.Throws<InvalidOperationException>(() => sgd.ClipNorm = 1f);
            Assert.Throws<ArgumentOutOfRangeException>(() => sgd.ClipValue = 0f);
            Assert.Throws<ArgumentOutOfRangeException>(() => sgd.GlobalClipNorm = float.NaN);
        }

        [Fact]
        public void FitClipsEachTensor()
        {
            // With a tiny clipnorm every tensor's update has norm lr * c at the first SGD step: Fit passes the tensor sizes.
            var model = new IrisLike(3);
            float[] before = model.Parameters.ToArray();
            float[] x = Numbers.Random(8 * 4, 1, 1f);
            var labels = new float[8];
            for (int i = 0; i < 8; i++) labels[i] = i % 3;
            model.Fit(x, labels, Loss.SparseCategoricalCrossentropy, new Sgd(learningRate: 0.5f) { ClipNorm = 1e-3f },
                new TrainingOptions { Epochs = 1, BatchSize = 8, Shuffle = false });
            int at = 0;
            foreach (int size in ((IModel)model).TensorSizes.ToArray())
            {
                double squares = 0;
                for (int i = at; i < at + size; i++) squares += Math.Pow(model.Parameters[i] - before[i], 2);
                Assert.Equal(0.5e-3, Math.Sqrt(squares), 1e-7);
                at += size;
            }
        }
    }
}
