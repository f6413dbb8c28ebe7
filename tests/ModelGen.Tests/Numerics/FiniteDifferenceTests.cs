using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Reference;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;
using static ModelGen.Reference.ReferenceLayer;

namespace ModelGen.Tests.Numerics
{
    /// <summary>
    /// Every activation and every loss: the generated gradient of a small model against float64 central differences
    /// of the reference network (relative error under 1e-3).
    /// </summary>
    public class FiniteDifferenceTests
    {
        public static IEnumerable<object[]> ActivationKeys() => ActivationModels.ByKey.Keys.Select(k => new object[] { k });

        [Theory]
        [MemberData(nameof(ActivationKeys))]
        public void ActivationGradientMatchesFiniteDifferences(string key)
        {
            IModel model = ActivationModels.ByKey[key].Small();
            ReferenceLayer first = ActivationModels.Layers[key];
            var reference = new ReferenceNetwork(3, first, Dense(2));
            Assert.Equal(reference.ParameterCount, model.ParameterCount);
            Numbers.Random(model.ParameterCount, 21, 0.8f).CopyTo(model.Parameters);
            Check(model, reference, Loss.MeanSquaredError, n: 3, seed: 4, key);
        }

        public static IEnumerable<object[]> LossCases() => new[]
        {
            new object[] { "MeanSquaredError", "IrisLike" },
            new object[] { "MeanAbsoluteError", "IrisLike" },
            new object[] { "Huber", "IrisLike" },
            new object[] { "Huber0.3", "Regress" },
            new object[] { "CategoricalCrossentropy", "IrisLike" },          // from logits (softmax output)
            new object[] { "SparseCategoricalCrossentropy", "IrisLike" },    // from logits
            new object[] { "BinaryCrossentropy", "Scorer" },                 // from logits (sigmoid output)
            new object[] { "CategoricalCrossentropy", "SigmoidCce" },        // probabilities: normalised and clipped
            new object[] { "BinaryCrossentropy", "HardOut" },                // probabilities: clipped
        };

        [Theory]
        [MemberData(nameof(LossCases))]
        public void LossGradientMatchesFiniteDifferences(string lossName, string modelName)
        {
            (IModel model, ReferenceNetwork reference) = modelName switch
            {
                "SigmoidCce" => (new SigmoidCce(1), new ReferenceNetwork(3, Dense(4, Activation.Sigmoid))),
                "HardOut" => (new HardOut(1), new ReferenceNetwork(3, Dense(2, Activation.HardSigmoid))),
                _ => ReferenceComparisonTests.Create(modelName),
            };
            Loss loss = lossName == "Huber0.3" ? Loss.Huber(0.3f) : TestData.LossNamed(lossName, null);
            Numbers.Random(model.ParameterCount, 8, 0.6f).CopyTo(model.Parameters);
            Check(model, reference, loss, n: 4, seed: 9, lossName + " on " + modelName);
        }

        internal static void Check(IModel model, ReferenceNetwork reference, Loss loss, int n, int seed, string label)
        {
            float[] input = Numbers.Random(n * model.InputSize, seed, 2f);
            float[] target = Targets(loss, n, model.OutputSize, seed + 1);
            var pg = new float[model.ParameterCount];
            var ig = new float[input.Length];
            float value = model.ComputeGradients(input, target, loss, pg, ig);

            double[] p = Numbers.ToDouble(model.Parameters), x = Numbers.ToDouble(input), t = Numbers.ToDouble(target);
            double expectedLoss = reference.Loss(p, x, t, n, loss);
            Assert.True(Math.Abs(expectedLoss - value) <= 1e-5 * Math.Abs(expectedLoss) + 1e-6, $"{label}: loss {value}, expected {expectedLoss}");
            (double[] dp, double[] dx) = reference.NumericGradients(p, x, t, n, loss);
            double scale = Math.Max(Numbers.MaxAbs(dp), Numbers.MaxAbs(dx));
            Numbers.Close(dp, pg, 1e-3, 1e-5 * scale + 1e-9, label + ": parameter gradient");
            Numbers.Close(dx, ig, 1e-3, 1e-5 * scale + 1e-9, label + ": input gradient");
        }

        internal static float[] Targets(Loss loss, int n, int width, int seed)
        {
            var random = new SeededRandom(seed);
            var t = new float[loss.TargetLength(n, width)];
            for (int s = 0; s < n; s++)
            {
                switch (loss.Kind)
                {
                    case LossKind.SparseCategoricalCrossentropy: t[s] = random.NextInt(width); break;
                    case LossKind.CategoricalCrossentropy: t[s * width + random.NextInt(width)] = 1; break;
                    case LossKind.BinaryCrossentropy: for (int j = 0; j < width; j++) t[s * width + j] = random.NextInt(2); break;
                    default: for (int j = 0; j < width; j++) t[s * width + j] = (float)(2 * random.NextDouble() - 1); break;
                }
            }
            return t;
        }
    }
}
