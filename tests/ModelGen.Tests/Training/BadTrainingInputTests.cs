using System;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Training
{
    /// <summary>
    /// Bad training input gives a clear exception and changes nothing: not the parameters, and not the caller's
    /// gradient buffer (ComputeGradients validates everything and evaluates the loss before it writes a gradient).
    /// </summary>
    public class BadTrainingInputTests
    {
        private static (IrisLike Model, float[] Parameters, float[] Gradient) Fresh()
        {
            var model = new IrisLike(3);
            var gradient = new float[IrisLike.ParameterCount];
            gradient.AsSpan().Fill(7f);
            return (model, model.Parameters.ToArray(), gradient);
        }

        private static void AssertUntouched(IrisLike model, float[] parameters, float[] gradient)
        {
            Assert.Equal(parameters, model.Parameters.ToArray());
            Assert.All(gradient, g => Assert.Equal(7f, g));
        }

        [Fact]
        public void MismatchedTargetLengthThrowsNamingTheExpectedLength()
        {
            var (model, parameters, gradient) = Fresh();
            var ex = Assert.Throws<ArgumentException>(() => model.ComputeGradients(new float[8], new float[5], Loss.CategoricalCrossentropy, gradient));
            Assert.Equal("targets", ex.ParamName);
            Assert.Contains("expected 6", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => model.ComputeGradients(new float[8], new float[6], Loss.SparseCategoricalCrossentropy, gradient));
            Assert.Contains("one class index per sample", ex.Message);
            AssertUntouched(model, parameters, gradient);
        }

        [Theory]
        [InlineData(3f)]
        [InlineData(-1f)]
        [InlineData(1.5f)]
        [InlineData(float.NaN)]
        public void ClassIndexOutOfRangeThrows(float badClass)
        {
            var (model, parameters, gradient) = Fresh();
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => model.ComputeGradients(new float[8], new[] { 0f, badClass }, Loss.SparseCategoricalCrossentropy, gradient));
            Assert.Contains("targets[1]", ex.Message);
            Assert.Contains("[0, 2]", ex.Message);
            AssertUntouched(model, parameters, gradient);
        }

        [Fact]
        public void NonFiniteLossThrowsAndWritesNoGradient()
        {
            var (model, parameters, gradient) = Fresh();
            // A NaN input makes every output NaN.
            float[] input = { float.NaN, 0, 0, 0 };
            var ex = Assert.Throws<ArithmeticException>(() => model.ComputeGradients(input, new float[] { 0, 1, 0 }, Loss.MeanSquaredError, gradient));
            Assert.Contains("MeanSquaredError", ex.Message);
            AssertUntouched(model, parameters, gradient);
            // A target of float.MaxValue makes the squared error overflow to infinity.
            ex = Assert.Throws<ArithmeticException>(() => model.ComputeGradients(new float[4], new[] { float.MaxValue, 0, 0 }, Loss.MeanSquaredError, gradient));
            AssertUntouched(model, parameters, gradient);
        }

        [Fact]
        public void CrossEntropyFromSaturatedLogitsStaysExactAndFinite()
        {
            var model = new Saturated(1);
            model.Parameters.Clear();
            model.Parameters[0] = 500f;  // logit 0 = 500 x0
            model.Parameters[4] = -500f; // logit 1 = -500 x1
            var gradient = new float[Saturated.ParameterCount];
            float loss = model.ComputeGradients(new[] { 2f, 2f }, new float[] { 0, 1, 0 }, Loss.CategoricalCrossentropy, gradient);
            // logits (1000, -1000, 0): the loss is log-sum-exp minus the true logit = 1000 - (-1000) = 2000, exactly.
            Assert.Equal(2000f, loss);
            Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
        }

        [Theory]
        [InlineData(1f)]       // logits within +/-80: the inline softmax skips the max subtraction
        [InlineData(100f)]     // beyond: it subtracts the max
        [InlineData(-100f)]
        public void InlineSoftmaxAndLogSoftmaxAgreeWithTheReferenceInBothRegimes(float scale)
        {
            var softmax = new IrisLike(1);
            Numbers.Random(IrisLike.ParameterCount, 3, scale).CopyTo(softmax.Parameters);
            var tiny = new TinyLogSoftmax(1);
            Numbers.Random(TinyLogSoftmax.ParameterCount, 4, scale).CopyTo(tiny.Parameters);
            foreach ((IModel model, Reference.ReferenceNetwork reference) in new (IModel, Reference.ReferenceNetwork)[]
            {
                (softmax, new Reference.ReferenceNetwork(4, Reference.ReferenceLayer.Dense(16, Activation.Relu), Reference.ReferenceLayer.Dense(3, Activation.Softmax))),
                (tiny, new Reference.ReferenceNetwork(3, Reference.ReferenceLayer.Dense(2, Activation.LogSoftmax))),
            })
            {
                float[] x = Numbers.Random(model.InputSize, 5, 3f);
                var y = new float[model.OutputSize];
                model.Forward(x, y);
                double[] expected = reference.Forward(Numbers.ToDouble(model.Parameters), Numbers.ToDouble(x), out _);
                Numbers.Close(expected, y, 1e-5, 1e-6, $"{model.GetType().Name} at scale {scale}");
            }
        }

        [Fact]
        public void NullLossThrows()
        {
            var (model, parameters, gradient) = Fresh();
            Assert.Throws<ArgumentNullException>(() => model.ComputeGradients(new float[4], new float[3], null!, gradient));
            AssertUntouched(model, parameters, gradient);
        }
    }
}
