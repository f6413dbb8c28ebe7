using System;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Numerics
{
    /// <summary>Constants, constructors, seeds, argument errors, stability and allocation of generated models.</summary>
    public class BehaviourTests
    {
        [Fact]
        public void ConstantsFollowTheDeclaration()
        {
            Assert.Equal(4, IrisLike.InputSize);
            Assert.Equal(3, IrisLike.OutputSize);
            Assert.Equal(4 * 16 + 16 + 16 * 3 + 3, IrisLike.ParameterCount);
            Assert.Equal(8 * 8 + 8 * 1 + 1, Scorer.ParameterCount); // first Dense has no bias
            Assert.Equal(4, Act_Glu.OutputSize);                   // glu halves 8
            IModel model = new IrisLike(1);
            Assert.Equal(IrisLike.ParameterCount, model.Parameters.Length);
            Assert.Equal(Activation.Softmax, model.OutputActivation);
        }

        [Fact]
        public void SameSeedGivesSameParametersAndDifferentSeedsDiffer()
        {
            Assert.Equal(new Mnist(42).Parameters.ToArray(), new Mnist(42).Parameters.ToArray());
            Assert.NotEqual(new Mnist(42).Parameters.ToArray(), new Mnist(43).Parameters.ToArray());
            Assert.NotEqual(new IrisLike().Parameters.ToArray(), new IrisLike().Parameters.ToArray());
        }

        [Fact]
        public void DefaultInitializationIsGlorotUniformKernelsAndZeroBiases()
        {
            var model = new Mnist(3);
            ReadOnlySpan<float> kernel = model.Parameters.Slice(0, 784 * 128);
            ReadOnlySpan<float> bias = model.Parameters.Slice(784 * 128, 128);
            double limit = Math.Sqrt(6.0 / (784 + 128));
            double sum = 0, squares = 0;
            foreach (float w in kernel)
            {
                Assert.InRange(w, -limit, limit);
                sum += w;
                squares += (double)w * w;
            }
            double mean = sum / kernel.Length, variance = squares / kernel.Length - mean * mean;
            Assert.InRange(mean, -0.01 * limit, 0.01 * limit);
            Assert.InRange(variance, limit * limit / 3 * 0.97, limit * limit / 3 * 1.03); // uniform(-l, l) has variance l^2 / 3
            foreach (float b in bias) Assert.Equal(0f, b);
        }

        [Fact]
        public void TruncatedNormalInitializersMatchKerasVarianceScaling()
        {
            var values = new float[200_000];
            var random = new SeededRandom(5);
            Initializers.Fill(values, Initializer.HeNormal, 50, 10, ref random);
            double stddev = Math.Sqrt(2.0 / 50) / Initializers.TruncatedNormalCorrection;
            double squares = 0;
            foreach (float v in values)
            {
                Assert.InRange(v, -2 * stddev, 2 * stddev);
                squares += (double)v * v;
            }
            // The correction factor makes the truncated draw's variance equal scale / fan_in.
            Assert.InRange(squares / values.Length, 2.0 / 50 * 0.98, 2.0 / 50 * 1.02);
        }

        [Fact]
        public void SplitMix64_MatchesPublishedTestVector()
        {
            // SplitMix64 seeded with 1234567 (reference values from Vigna's splitmix64.c as commonly published).
            ulong state = 1234567;
            Assert.Equal(6457827717110365317UL, SeededRandom.SplitMix(ref state));
            Assert.Equal(3203168211198807973UL, SeededRandom.SplitMix(ref state));
            Assert.Equal(9817491932198370423UL, SeededRandom.SplitMix(ref state));
        }

        [Fact]
        public void DeterministicLogAgreesWithMathLog()
        {
            var random = new SeededRandom(1);
            for (int i = 0; i < 100_000; i++)
            {
                double x = Math.Exp(80 * random.NextDouble() - 40);
                double expected = Math.Log(x);
                Assert.True(Math.Abs(DeterministicMath.Log(x) - expected) <= 4e-16 * Math.Max(1, Math.Abs(expected)), $"log({x})");
            }
            Assert.Equal(Math.Log(double.Epsilon), DeterministicMath.Log(double.Epsilon), 12);
        }

        [Theory]
        [InlineData(5, 3)]
        [InlineData(0, 0)]
        [InlineData(8, 5)]
        public void WrongSpanLengthsThrowNamingTheExpectedLength(int inputLength, int outputLength)
        {
            var model = new IrisLike(1);
            var ex = Assert.Throws<ArgumentException>(() => model.Forward(new float[inputLength], new float[outputLength]));
            if (inputLength % 4 != 0 || inputLength == 0)
            {
                Assert.Equal("input", ex.ParamName);
                Assert.Contains("multiple of 4", ex.Message);
            }
            else
            {
                Assert.Equal("output", ex.ParamName);
                Assert.Contains($"expected {inputLength / 4 * 3}", ex.Message);
            }
        }

        [Fact]
        public void WrongGradientLengthsThrow()
        {
            var model = new IrisLike(1);
            var ex = Assert.Throws<ArgumentException>(() => model.ComputeGradients(new float[8], new float[6], Loss.MeanSquaredError, new float[10]));
            Assert.Equal("parameterGradient", ex.ParamName);
            Assert.Contains($"expected {IrisLike.ParameterCount}", ex.Message);
            ex = Assert.Throws<ArgumentException>(() => model.ComputeGradients(new float[8], new float[6], Loss.MeanSquaredError, new float[IrisLike.ParameterCount], new float[3]));
            Assert.Equal("inputGradient", ex.ParamName);
            Assert.Throws<InvalidOperationException>(() => new IrisLike(1).Backward(new float[3], false, new float[IrisLike.ParameterCount], default));
        }

        [Fact]
        public void SoftmaxAndLogSoftmaxAreStableAtPlusMinus1000()
        {
            float[] x = { 1000f, -1000f, 0f, 999f, -999f, 1000f, 3f };
            var y = new float[7];
            new Act_Softmax(1).Forward(x, y);
            float sum = 0;
            foreach (float v in y)
            {
                Assert.True(float.IsFinite(v));
                sum += v;
            }
            Assert.Equal(1f, sum, 5);
            new Act_LogSoftmax(1).Forward(x, y);
            foreach (float v in y) Assert.True(float.IsFinite(v));
            Assert.Equal(-MathF.Log(2 + MathF.Exp(-1)), y[0], 5); // max 1000: exp terms 1, e^-1 (from 999), 1
        }

        [Fact]
        public void ForwardAllocatesNothing()
        {
            AssertNoAllocation(new IrisLike(1), 10_000);
            AssertNoAllocation(new Mnist(1), 10_000);
            AssertNoAllocation(new HeapScratch(1), 2_000);
            AssertNoAllocation(new Act_Sparsemax(1), 10_000);
        }

        private static void AssertNoAllocation(IModel model, int calls)
        {
            var input = Numbers.Random(2 * model.InputSize, 1, 1f);
            var output = new float[2 * model.OutputSize];
            AssertSteadyStateAllocationFree(model.GetType().Name + " Forward", calls, () => model.Forward(input, output));
        }

        /// <summary>
        /// Warm-up first (JIT, tier-up and its one-time runtime bookkeeping, per-thread scratch), then requires a window of
        /// <paramref name="calls"/> calls that allocates 0 bytes; a window that catches the runtime's own tier-up work is
        /// retried, at most four times.
        /// </summary>
        internal static void AssertSteadyStateAllocationFree(string what, int calls, Action call)
        {
            for (int i = 0; i < 1000; i++) call();
            long allocated = 0;
            for (int window = 0; window < 5; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < calls; i++) call();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated == 0) return;
            }
            Assert.Fail($"{what}: {allocated} bytes allocated over {calls} calls in each of 5 windows after warm-up");
        }

        [Fact]
        public void TrainingStepAllocatesNothingAfterTheFirst()
        {
            foreach (IModel model in new IModel[] { new IrisLike(1), new Mnist(1), new Deep(1) })
            {
                const int n = 32;
                float[] x = Numbers.Random(n * model.InputSize, 2, 1f);
                float[] t = FiniteDifferenceTests.Targets(Loss.CategoricalCrossentropy, n, model.OutputSize, 3);
                var g = new float[model.ParameterCount];
                AssertSteadyStateAllocationFree(model.GetType().Name + " ComputeGradients", 200, () => model.ComputeGradients(x, t, Loss.CategoricalCrossentropy, g));
            }
        }

        [Fact]
        public void ForwardIsThreadSafe()
        {
            var model = new Wide(2);
            float[] input = Numbers.Random(4 * Wide.InputSize, 3, 1f);
            var expected = new float[4 * Wide.OutputSize];
            model.Forward(input, expected);
            System.Threading.Tasks.Parallel.For(0, 64, _ =>
            {
                var output = new float[expected.Length];
                for (int i = 0; i < 50; i++) model.Forward(input, output);
                Assert.Equal(expected, output);
            });
        }
    }
}
