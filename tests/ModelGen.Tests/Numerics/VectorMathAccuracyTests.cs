using System;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Numerics
{
    /// <summary>
    /// The vectorized activations that generated code inlines (<see cref="VectorMath"/> and <c>Vector{N}.Exp</c>) against
    /// float64 <see cref="Math"/> on a dense grid over the whole float range where the results are normal numbers: the
    /// error bound is 1e-6 relative (about 8 float ulps). All three widths run on every machine; where the hardware
    /// lacks a width, .NET computes it in software, with the same results.
    /// </summary>
    public class VectorMathAccuracyTests
    {
        private readonly ITestOutputHelper _output;

        public VectorMathAccuracyTests(ITestOutputHelper output) => _output = output;

        public static TheoryData<string> Functions => new() { "exp", "sigmoid", "silu", "tanh" };

        [Theory]
        [MemberData(nameof(Functions))]
        public void VectorActivationsAreWithinOneMillionthRelativeOfFloat64(string function)
        {
            Func<double, double> reference = function switch
            {
                "exp" => Math.Exp,
                "sigmoid" => x => 1 / (1 + Math.Exp(-x)),
                "silu" => x => x / (1 + Math.Exp(-x)),
                _ => Math.Tanh,
            };
            // Every float in [-87, 87] at a step of 2^-10, plus the tiny and near-zero values where tanh and silu switch
            // branches or cancel: 178,000 + 2 x 400 points, each through the 128-, 256- and 512-bit forms.
            var inputs = new System.Collections.Generic.List<float>();
            for (int k = -87 * 1024; k <= 87 * 1024; k++) inputs.Add(k / 1024f);
            for (int e = -40; e < 0; e++)
            {
                for (int m = 0; m < 10; m++)
                {
                    float x = (1 + m / 10f) * MathF.Pow(2, e);
                    inputs.Add(x);
                    inputs.Add(-x);
                }
            }
            double worst = 0;
            float worstAt = 0;
            foreach (int bits in new[] { 128, 256, 512 })
            {
                int lanes = bits / 32;
                var lane = new float[lanes];
                var result = new float[lanes];
                for (int start = 0; start < inputs.Count; start += lanes)
                {
                    for (int l = 0; l < lanes; l++) lane[l] = inputs[Math.Min(start + l, inputs.Count - 1)];
                    Evaluate(function, bits, lane, result);
                    for (int l = 0; l < lanes; l++)
                    {
                        double expected = reference(lane[l]);
                        if (Math.Abs(expected) < 1e-37) continue; // below float's normal range (silu and sigmoid far left)
                        double error = Math.Abs(result[l] - expected) / Math.Abs(expected);
                        if (error > worst)
                        {
                            worst = error;
                            worstAt = lane[l];
                        }
                    }
                }
            }
            _output.WriteLine($"{function}: largest relative error {worst:E2} at x = {worstAt:R}");
            Assert.True(worst <= 1e-6, $"{function}: relative error {worst:E2} at x = {worstAt:R} exceeds 1e-6");
        }

        /// <summary>
        /// Sigmoid, silu and tanh beyond the main grid, where e^-x over- or underflows: [-120, 120] at a step of 1/64, within
        /// 1e-6 relative of float64 where the result is a normal float (silu's tail stays normal down to about -91.8, where
        /// e^x is subnormal: there within its last bit times |x|), and
        /// the infinities and NaN: sigmoid 0 and 1, silu +infinity at +infinity, tanh -1 and 1, NaN kept.
        /// </summary>
        [Theory]
        [InlineData("sigmoid")]
        [InlineData("silu")]
        [InlineData("tanh")]
        public void LogisticFunctionsHoldTheirTailsAndSpecialValues(string function)
        {
            Func<double, double> reference = function switch
            {
                "sigmoid" => x => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x)),
                "silu" => x => x >= 0 ? x / (1 + Math.Exp(-x)) : x * Math.Exp(x) / (1 + Math.Exp(x)),
                _ => Math.Tanh,
            };
            var inputs = new System.Collections.Generic.List<float>();
            for (int k = -120 * 64; k <= 120 * 64; k++) inputs.Add(k / 64f);
            while (inputs.Count % 16 != 0) inputs.Add(0f);
            foreach (int bits in new[] { 128, 256, 512 })
            {
                int lanes = bits / 32;
                var lane = new float[lanes];
                var result = new float[lanes];
                for (int start = 0; start < inputs.Count; start += lanes)
                {
                    inputs.CopyTo(start, lane, 0, lanes);
                    Evaluate(function, bits, lane, result);
                    for (int l = 0; l < lanes; l++)
                    {
                        double expected = reference(lane[l]);
                        string where = $"{function}({lane[l]:R}) on {bits} bits = {result[l]:R}, float64 {expected:R}";
                        // Below x = -87.34, e^x is itself subnormal: its last bit (1.4e-45) times |x| is silu's floor.
                        if (Math.Abs(expected) < 1.17549435e-38) Assert.True(Math.Abs(result[l]) < 1.2e-38, where);
                        else Assert.True(Math.Abs(result[l] - expected) <= 1e-6 * Math.Abs(expected) + 1.5e-45 * Math.Abs(lane[l]), where);
                    }
                }
                float[] special = new float[lanes];
                float[] specialResult = new float[lanes];
                float[] values = { float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0f };
                for (int l = 0; l < lanes; l++) special[l] = values[l % 4];
                Evaluate(function, bits, special, specialResult);
                float[] wanted = function switch
                {
                    "sigmoid" => new[] { 1f, 0f, float.NaN, 0.5f },
                    "silu" => new[] { float.PositiveInfinity, float.NaN, float.NaN, 0f }, // -inf * 0, as x / (1 + e^-x) gives
                    _ => new[] { 1f, -1f, float.NaN, 0f },
                };
                for (int l = 0; l < lanes; l++) Assert.Equal(wanted[l % 4], specialResult[l]);
            }
        }

        /// <summary>
        /// Exp at the edges, on every width: infinities, NaN, overflow to +infinity just above ln(float.MaxValue), and the
        /// subnormal results below -87.34 (within one subnormal step of float64's, rounded) down to 0 below -103.97.
        /// </summary>
        [Fact]
        public void ExpKeepsInfinitiesNaNOverflowAndSubnormals()
        {
            float[] inputs = { float.PositiveInfinity, float.NegativeInfinity, float.NaN, 88.72f, 88.73f, 100f, -87.5f, -95f, -100f, -103.9f, -104f, -200f, 0f, -0f, 1f, -1f };
            foreach (int bits in new[] { 128, 256, 512 })
            {
                var y = new float[inputs.Length];
                int lanes = bits / 32;
                for (int start = 0; start < inputs.Length; start += lanes)
                {
                    var lane = inputs.AsSpan(start, lanes).ToArray();
                    var result = new float[lanes];
                    Evaluate("exp", bits, lane, result);
                    result.CopyTo(y, start);
                }
                for (int i = 0; i < inputs.Length; i++)
                {
                    double expected = Math.Exp(inputs[i]);
                    string where = $"exp({inputs[i]:R}) on {bits} bits = {y[i]:R}, float64 {expected:R}";
                    if (double.IsNaN(expected)) Assert.True(float.IsNaN(y[i]), where);
                    else if (expected > float.MaxValue) Assert.True(float.IsPositiveInfinity(y[i]), where);
                    else if (expected < 1.17549435e-38) Assert.True(Math.Abs(y[i] - expected) <= 1.5e-45, where);
                    else Assert.True(Math.Abs(y[i] - expected) <= 3e-7 * expected, where);
                }
            }
        }

        /// <summary>
        /// <see cref="ActivationMath.Softmax"/> for every width from 1 to 20 (the scalar loop, the two overlapping Vector128
        /// of 4-7 values and the two overlapping Vector256 of 8-16), in place and into another span, against float64 softmax;
        /// a NaN anywhere makes every output NaN, as in Keras.
        /// </summary>
        [Fact]
        public void SoftmaxOfEveryWidthMatchesFloat64()
        {
            var random = new Random(3);
            for (int n = 1; n <= 20; n++)
            {
                for (int trial = 0; trial < 50; trial++)
                {
                    var x = new float[n];
                    for (int i = 0; i < n; i++) x[i] = (float)((random.NextDouble() - 0.5) * (trial % 2 == 0 ? 20 : 2000));
                    double max = double.NegativeInfinity;
                    foreach (float v in x) max = Math.Max(max, v);
                    double sum = 0;
                    foreach (float v in x) sum += Math.Exp(v - max);
                    var y = new float[n + 3];
                    ActivationMath.Softmax(x, y.AsSpan(0, n));
                    var inPlace = (float[])x.Clone();
                    ActivationMath.Softmax(inPlace, inPlace);
                    for (int i = 0; i < n; i++)
                    {
                        double expected = Math.Exp(x[i] - max) / sum;
                        // Float arithmetic's own error: x - max rounded (relative error of exp up to |x - max| ulps),
                        // the sum of n terms, and a few ulps of exp and division.
                        double bound = 6e-8 * (Math.Abs(x[i] - max) + n + 8) * expected + 1e-37;
                        Assert.True(Math.Abs(y[i] - expected) <= bound, $"n = {n}, element {i}: {y[i]:R}, float64 {expected:R}");
                        Assert.Equal(y[i], inPlace[i]);
                    }
                    Assert.Equal(new float[3], y.AsSpan(n).ToArray());
                }
                var withNaN = new float[n];
                withNaN[n / 2] = float.NaN;
                var output = new float[n];
                ActivationMath.Softmax(withNaN, output);
                Assert.All(output, v => Assert.True(float.IsNaN(v), $"n = {n}: {v}"));
            }
        }

        private static void Evaluate(string function, int bits, float[] x, float[] y)
        {
            switch (bits)
            {
                case 128:
                {
                    Vector128<float> v = Vector128.Create(x);
                    (function switch
                    {
                        "exp" => VectorMath.Exp(v),
                        "sigmoid" => VectorMath.Sigmoid(v),
                        "silu" => VectorMath.Silu(v),
                        _ => VectorMath.Tanh(v),
                    }).CopyTo(y);
                    break;
                }
                case 256:
                {
                    Vector256<float> v = Vector256.Create(x);
                    (function switch
                    {
                        "exp" => VectorMath.Exp(v),
                        "sigmoid" => VectorMath.Sigmoid(v),
                        "silu" => VectorMath.Silu(v),
                        _ => VectorMath.Tanh(v),
                    }).CopyTo(y);
                    break;
                }
                default:
                {
                    Vector512<float> v = Vector512.Create(x);
                    (function switch
                    {
                        "exp" => VectorMath.Exp(v),
                        "sigmoid" => VectorMath.Sigmoid(v),
                        "silu" => VectorMath.Silu(v),
                        _ => VectorMath.Tanh(v),
                    }).CopyTo(y);
                    break;
                }
            }
        }
    }
}
