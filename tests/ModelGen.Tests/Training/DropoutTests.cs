using System;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Training
{
    /// <summary>
    /// Keras <c>Dropout</c> (KERAS.md: identity at inference, inverted dropout in training): <c>Forward</c> ignores it;
    /// <c>ComputeGradients</c>, <c>ForwardTrace</c> and <c>Fit</c> drop each value with probability rate and scale the rest
    /// by 1 / (1 - rate); the gradient follows the same mask; <c>SeedDropout</c> makes the masks reproducible.
    /// </summary>
    public class DropoutTests
    {
        private static float[] Inputs(int n, int width, int seed) => Numbers.Random(n * width, seed, 1f);

        [Fact]
        public void ForwardIsTheNetworkWithoutDropout()
        {
            var with = new WithDropout(3);
            var without = new WithoutDropout(0);
            Assert.Equal(WithoutDropout.ParameterCount, WithDropout.ParameterCount);
            with.Parameters.CopyTo(without.Parameters);
            float[] x = Inputs(9, 6, 1);
            var a = new float[9 * 3];
            var b = new float[9 * 3];
            with.Forward(x, a);
            without.Forward(x, b);
            Assert.Equal(b, a);
        }

        [Fact]
        public void TrainingDropsInputsAtTheRateAndScalesTheSurvivors()
        {
            var probe = new InputDropoutProbe(0);
            probe.Parameters.Fill(1f); // y = the sum of the dropped-out input
            var x = Enumerable.Repeat(1f, InputDropoutProbe.InputSize).ToArray();
            var target = new float[1];
            var g = new float[InputDropoutProbe.ParameterCount];
            var dx = new float[InputDropoutProbe.InputSize];
            double sumOfY = 0;
            const int draws = 20;
            for (int seed = 0; seed < draws; seed++)
            {
                probe.SeedDropout(seed);
                float loss = probe.ComputeGradients(x, target, Loss.MeanSquaredError, g, dx);
                double y = Math.Sqrt(loss); // MSE against 0 of one output: loss = y^2, dloss/dy = 2y
                int dropped = dx.Count(v => v == 0f);
                // Binomial(4000, 0.25): mean 1000, standard deviation 27.4; 6 deviations either side.
                Assert.InRange(dropped, 1000 - 165, 1000 + 165);
                // Every survivor carries the same gradient 2y * 1/(1 - 0.25), and y is the number kept times 1/(1 - 0.25).
                float survivor = (float)(2 * y / 0.75);
                Assert.All(dx.Where(v => v != 0f), v => Assert.Equal(survivor, v, survivor * 1e-5f));
                Assert.Equal((InputDropoutProbe.InputSize - dropped) / 0.75, y, 1e-3 * y);
                // The kernel gradient is x * mask * 2y as well: the same values.
                Assert.Equal(dx, g);
                sumOfY += y;
            }
            // Inverted dropout keeps the expected sum: 4000 (the mean of 20 draws has a standard deviation of 8.2).
            Assert.InRange(sumOfY / draws, 4000 - 50, 4000 + 50);
        }

        [Fact]
        public void GradientsFollowTheMaskOfTheirOwnForwardPass()
        {
            // With the seed fixed, the masks are fixed and the loss is a smooth function of the parameters: central
            // differences must match the gradient, including the zeros of parameters that feed only dropped units.
            var model = new WithDropout(5);
            float[] x = Inputs(7, 6, 2);
            float[] t = Inputs(7, 3, 3);
            var g = new float[WithDropout.ParameterCount];
            model.SeedDropout(11);
            model.ComputeGradients(x, t, Loss.MeanSquaredError, g);
            var scratch = new float[WithDropout.ParameterCount];
            int zeros = 0;
            for (int i = 0; i < WithDropout.ParameterCount; i++)
            {
                float p = model.Parameters[i];
                const float h = 1e-2f;
                model.Parameters[i] = p + h;
                model.SeedDropout(11);
                double up = model.ComputeGradients(x, t, Loss.MeanSquaredError, scratch);
                model.Parameters[i] = p - h;
                model.SeedDropout(11);
                double down = model.ComputeGradients(x, t, Loss.MeanSquaredError, scratch);
                model.Parameters[i] = p;
                double numeric = (up - down) / (2 * h);
                Assert.True(Math.Abs(numeric - g[i]) <= 2e-4 + 2e-2 * Math.Abs(g[i]), $"parameter {i}: finite difference {numeric}, gradient {g[i]}");
                if (g[i] == 0f) zeros++;
            }
            // Dropout 0.5 over 8 units for 7 samples leaves some first-layer weights without any path to the loss only
            // rarely; the 0.5-dropped units make most first-layer gradients smaller, never all zero.
            Assert.True(zeros < WithDropout.ParameterCount / 2, $"{zeros} zero gradients");
        }

        [Fact]
        public void TheSameSeedGivesTheSameMasksAndAnotherSeedOtherMasks()
        {
            var model = new WithDropout(5);
            float[] x = Inputs(16, 6, 4);
            float[] t = Inputs(16, 3, 5);
            float[] Gradient(int seed)
            {
                var g = new float[WithDropout.ParameterCount];
                model.SeedDropout(seed);
                model.ComputeGradients(x, t, Loss.MeanSquaredError, g);
                return g;
            }
            Assert.Equal(Gradient(1), Gradient(1));
            Assert.NotEqual(Gradient(1), Gradient(2));

            // Without dropout in the way, the two networks' gradients differ: dropout is applied in training.
            var without = new WithoutDropout(0);
            model.Parameters.CopyTo(without.Parameters);
            var plain = new float[WithDropout.ParameterCount];
            without.ComputeGradients(x, t, Loss.MeanSquaredError, plain);
            Assert.NotEqual(plain, Gradient(1));
        }

        [Fact]
        public void FitWithDropoutIsReproducibleFromItsSeed()
        {
            float[] x = Inputs(64, 6, 6);
            float[] t = Inputs(64, 3, 7);
            float[] Train()
            {
                var model = new WithDropout(9);
                model.Fit(x, t, Loss.MeanSquaredError, new Adam(0.01f), new TrainingOptions { Epochs = 3, BatchSize = 16, Seed = 21 });
                return model.Parameters.ToArray();
            }
            Assert.Equal(Train(), Train());
        }

        [Fact]
        public void ModelsWithoutDropoutIgnoreSeedDropout()
        {
            IModel model = new WithoutDropout(1);
            float[] x = Inputs(4, 6, 8);
            float[] t = Inputs(4, 3, 9);
            var a = new float[WithoutDropout.ParameterCount];
            var b = new float[WithoutDropout.ParameterCount];
            model.SeedDropout(1);
            model.ComputeGradients(x, t, Loss.MeanSquaredError, a);
            model.SeedDropout(2);
            model.ComputeGradients(x, t, Loss.MeanSquaredError, b);
            Assert.Equal(a, b);
        }
    }
}
