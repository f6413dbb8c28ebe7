using System;
using System.Collections.Generic;
using ModelGen.Reference;
using ModelGen.Tests.Models;
using Xunit;
using static ModelGen.Reference.ReferenceLayer;

namespace ModelGen.Tests
{
    /// <summary>
    /// Generated forward and backward code against the float64 reference network in src/ (same layout, same
    /// formulas, interpreted), on random parameters: covers the vector-loop shapes, tails and heap scratch that the
    /// PyTorch data does not.
    /// </summary>
    public class ReferenceComparisonTests
    {
        public static IEnumerable<object[]> Models() => new[]
        {
            new object[] { "IrisLike" }, new object[] { "Scorer" }, new object[] { "Deep" }, new object[] { "Wide" },
            new object[] { "Regress" }, new object[] { "Mnist" }, new object[] { "OddSizes" }, new object[] { "ActivationFirst" },
            new object[] { "HeapScratch" }, new object[] { "GluLast" }, new object[] { "TinyLogSoftmax" },
        };

        internal static (IModel Model, ReferenceNetwork Reference) Create(string name) => name switch
        {
            "IrisLike" => (new IrisLike(1), new ReferenceNetwork(4, Dense(16, Activation.Relu), Dense(3, Activation.Softmax))),
            "Scorer" => (new Scorer(1), new ReferenceNetwork(8, Dense(8, useBias: false), Act(Activation.Tanh), Dense(1, Activation.Sigmoid))),
            "Deep" => (new Deep(1), new ReferenceNetwork(6, Dense(10, Activation.Elu), Dense(7, Activation.Gelu), Dense(5, Activation.Selu), Dense(4, Activation.LogSoftmax))),
            "Wide" => (new Wide(1), new ReferenceNetwork(40, Dense(300, Activation.Silu), Dense(20, Activation.Tanh), Dense(10))),
            "Regress" => (new Regress(1), new ReferenceNetwork(8, Dense(64, Activation.Silu), Dense(64, Activation.Silu), Dense(1))),
            "Mnist" => (new Mnist(1), new ReferenceNetwork(784, Dense(128, Activation.Relu), Dense(64, Activation.Relu), Dense(10, Activation.Softmax))),
            "OddSizes" => (new OddSizes(1), new ReferenceNetwork(37, Dense(203, Activation.Tanh), Dense(19, Activation.LeakyRelu, useBias: false), Act(Activation.Softmax))),
            "ActivationFirst" => (new ActivationFirst(1), new ReferenceNetwork(5, Act(Activation.Tanh), Dense(4), Act(Activation.Relu), Act(Activation.Sigmoid))),
            "HeapScratch" => (new HeapScratch(1), new ReferenceNetwork(16, Dense(4100, Activation.Relu), Dense(3))),
            "GluLast" => (new GluLast(1), new ReferenceNetwork(5, Dense(8, Activation.Tanh), Dense(6, Activation.Glu))),
            "TinyLogSoftmax" => (new TinyLogSoftmax(1), new ReferenceNetwork(3, Dense(2, Activation.LogSoftmax))),
            _ => throw new ArgumentException(name),
        };

        /// <summary>
        /// Models over 16K parameters run batches layer-major in chunks of up to 64 samples (kernel-sized layers through
        /// DenseKernels.Forward, the others 8 at a time), then 4 at a time,
        /// then one at a time: every batch size, across every boundary, gives each sample the result it gets alone.
        /// </summary>
        [Theory]
        [InlineData("Wide")]
        [InlineData("Mnist")]
        [InlineData("HeapScratch")]
        public void Chunked_batches_give_each_sample_its_own_result(string name)
        {
            (IModel model, _) = Create(name);
            Numbers.Random(model.ParameterCount, 7, 0.3f).CopyTo(model.Parameters);
            const int most = 150;
            float[] input = Numbers.Random(most * model.InputSize, 13, 2f);
            var alone = new float[most * model.OutputSize];
            for (int s = 0; s < most; s++) model.Forward(input.AsSpan(s * model.InputSize, model.InputSize), alone.AsSpan(s * model.OutputSize, model.OutputSize));
            foreach (int n in new[] { 4, 7, 8, 9, 12, 15, 16, 63, 64, 65, 68, 71, 72, 127, 128, 129, 150 })
            {
                float[] buffer = new float[n * model.OutputSize + 64];
                buffer.AsSpan(n * model.OutputSize).Fill(12345f);
                model.Forward(input.AsSpan(0, n * model.InputSize), buffer.AsSpan(0, n * model.OutputSize));
                Assert.All(buffer.AsSpan(n * model.OutputSize).ToArray(), v => Assert.Equal(12345f, v));
                // Batched and single-sample code round differently (vector activations, accumulator splits): equal to float rounding.
                Numbers.Close(Numbers.ToDouble(alone.AsSpan(0, n * model.OutputSize)), buffer.AsSpan(0, n * model.OutputSize), 1e-5, 1e-6, $"{name} n={n}");
            }
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void Forward_matches_reference(string name)
        {
            (IModel model, ReferenceNetwork reference) = Create(name);
            Assert.Equal(reference.ParameterCount, model.ParameterCount);
            Assert.Equal(reference.OutputSize, model.OutputSize);
            // Non-zero biases so that bias bugs show.
            Numbers.Random(model.ParameterCount, 7, 0.3f).CopyTo(model.Parameters);
            const int n = 7; // one group of four and three single samples
            float[] input = Numbers.Random(n * model.InputSize, 11, 2f);
            // Sentinels after the output span: nothing may be written past it.
            float[] buffer = new float[n * model.OutputSize + 64];
            buffer.AsSpan(n * model.OutputSize).Fill(12345f);
            Span<float> output = buffer.AsSpan(0, n * model.OutputSize);
            model.Forward(input, output);
            Assert.All(buffer.AsSpan(n * model.OutputSize).ToArray(), v => Assert.Equal(12345f, v));
            double[] p = Numbers.ToDouble(model.Parameters);
            for (int s = 0; s < n; s++)
            {
                double[] expected = reference.Forward(p, Numbers.ToDouble(input.AsSpan(s * model.InputSize, model.InputSize)), out _);
                Numbers.Close(expected, output.Slice(s * model.OutputSize, model.OutputSize), 1e-5, 1e-5, $"{name} sample {s}");
            }
        }

        [Theory]
        [MemberData(nameof(Models))]
        public void Gradients_match_float64_finite_differences(string name)
        {
            (IModel model, ReferenceNetwork reference) = Create(name);
            if (model.ParameterCount > 20000) return; // Mnist, HeapScratch: covered by the trace test below; differences over 100k parameters take too long
            Numbers.Random(model.ParameterCount, 5, 0.3f).CopyTo(model.Parameters);
            const int n = 2;
            float[] input = Numbers.Random(n * model.InputSize, 13, 2f);
            float[] target = Numbers.Random(n * model.OutputSize, 17, 1f);
            var pg = new float[model.ParameterCount];
            var ig = new float[input.Length];
            float loss = model.ComputeGradients(input, target, Loss.MeanSquaredError, pg, ig);

            double[] p = Numbers.ToDouble(model.Parameters);
            double[] x = Numbers.ToDouble(input);
            double[] t = Numbers.ToDouble(target);
            Assert.Equal(reference.Loss(p, x, t, n, Loss.MeanSquaredError), loss, 1e-5);
            (double[] dp, double[] dx) = reference.NumericGradients(p, x, t, n, Loss.MeanSquaredError);
            double scale = Math.Max(Numbers.MaxAbs(dp), Numbers.MaxAbs(dx));
            Numbers.Close(dp, pg, 1e-3, 1e-5 * scale, name + " parameter gradient");
            Numbers.Close(dx, ig, 1e-3, 1e-5 * scale, name + " input gradient");
        }

        [Fact]
        public void Forward_trace_agrees_with_forward_and_backward_is_deterministic_on_large_models()
        {
            foreach (string name in new[] { "Mnist", "HeapScratch", "OddSizes" })
            {
                (IModel model, _) = Create(name);
                const int n = 4;
                float[] input = Numbers.Random(n * model.InputSize, 3, 1f);
                var plain = new float[n * model.OutputSize];
                var traced = new float[n * model.OutputSize];
                model.Forward(input, plain);
                model.ForwardTrace(input, traced, default);
                Numbers.Close(Numbers.ToDouble(plain), traced, 1e-6, 1e-7, name);
            }
        }
    }
}
