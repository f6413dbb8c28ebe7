using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;
using ModelGen.Tests.Infrastructure;
using Xunit;
using Xunit.Sdk;

namespace ModelGen.Tests.Kernels
{
    /// <summary>
    /// <see cref="DenseKernels"/> against naive float64 loops written here, on odd sizes (units and inputs 1, 3, 7, 17, 33,
    /// 130; 1, 5, 32 and 64 samples) so that every tile, remainder and overlapping last vector runs. Each width runs on
    /// every machine: the public entry (the hardware's tier), each vector tier called directly (.NET computes a width the
    /// hardware lacks in software, with the same results) and the scalar loops. The bound per value is 1e-5 of the sum of
    /// the absolute terms: a value lost or counted twice is off by a whole term. Spans get a guard of NaN after their end,
    /// which must stay untouched.
    /// </summary>
    public class DenseKernelTests
    {
        private static readonly int[] Widths = { 1, 3, 7, 17, 33, 130 };
        private static readonly int[] Batches = { 1, 5, 32, 64 };
        private const int Guard = 19;

        public static TheoryData<string> Tiers => new() { "dispatch", "512", "256", "128", "scalar" };

        // The tier's lanes: the kernel needs at least that many units (the public entry picks a narrower tier below it).
        private static int Lanes(string tier) => tier switch { "512" => 16, "256" => 8, "128" => 4, _ => 1 };

        /// <summary>
        /// One sample through a large kernel (read row by row) gets the floats it gets in a batch (column strips, 4 x 2 tiles),
        /// bit for bit: every unit's sum takes the inputs in order from the bias, one multiply-add each, in both.
        /// </summary>
        [Theory]
        [MemberData(nameof(Tiers))]
        public void OneSampleOfALargeKernelMatchesItsBatchBitForBit(string tier)
        {
            const int inputs = 257, units = 259, n = 12;
            Assert.True(inputs * units >= DenseKernels.PackKernelFloats);
            float[] x = Numbers.Random(n * inputs, 21, 1f);
            float[] w = Numbers.Random(inputs * units, 22, 0.5f);
            float[] b = Numbers.Random(units, 23, 0.5f);
            var batch = new float[n * units];
            Forward(tier, x, w, b, batch, n, inputs, units);
            for (int s = 0; s < n; s++)
            {
                var one = new float[units];
                Forward(tier, x.AsSpan(s * inputs, inputs).ToArray(), w, b, one, 1, inputs, units);
                Assert.Equal(batch.AsSpan(s * units, units).ToArray(), one);
            }
        }

        [Theory]
        [MemberData(nameof(Tiers))]
        public void ForwardMatchesFloat64(string tier)
        {
            // The odd sizes (kernels under DenseKernels.PackKernelFloats run sample-major), then a kernel large enough to run
            // strip-major (in place for 3 samples, packed strip by strip from 8) or, for one sample, row by row.
            var shapes = new System.Collections.Generic.List<(int Inputs, int Units, int[] Batches)>();
            foreach (int inputs in Widths)
            {
                foreach (int units in Widths) shapes.Add((inputs, units, Batches));
            }
            shapes.Add((257, 259, new[] { 1, 3, 9, 32 }));
            Assert.True(257 * 259 >= DenseKernels.PackKernelFloats);
            foreach ((int inputs, int units, int[] batches) in shapes)
            {
                {
                    if (units < Lanes(tier)) continue;
                    foreach (int n in batches)
                    {
                        foreach (bool bias in new[] { true, false })
                        {
                            float[] x = Numbers.Random(n * inputs, 1 + inputs, 1f);
                            float[] w = Numbers.Random(inputs * units, 2 + units, 0.5f);
                            float[] b = bias ? Numbers.Random(units, 3, 0.5f) : Array.Empty<float>();
                            float[] y = Guarded(n * units);
                            Forward(tier, x, w, b, y, n, inputs, units);
                            var expected = new double[n * units];
                            var scale = new double[n * units];
                            for (int s = 0; s < n; s++)
                            {
                                for (int j = 0; j < units; j++)
                                {
                                    double sum = bias ? b[j] : 0, abs = bias ? Math.Abs(b[j]) : 0;
                                    for (int i = 0; i < inputs; i++)
                                    {
                                        double term = (double)x[s * inputs + i] * w[i * units + j];
                                        sum += term;
                                        abs += Math.Abs(term);
                                    }
                                    expected[s * units + j] = sum;
                                    scale[s * units + j] = abs;
                                }
                            }
                            Check(expected, scale, y, $"{tier} forward n={n} {inputs}->{units} bias={bias}");
                        }
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Tiers))]
        public void KernelGradient_AddsXTransposedDzAndColumnSums(string tier)
        {
            foreach (int inputs in Widths)
            {
                foreach (int units in Widths)
                {
                    if (units < Lanes(tier)) continue;
                    foreach (int n in Batches)
                    {
                        foreach (bool bias in new[] { true, false })
                        {
                            float[] x = Numbers.Random(n * inputs, 4 + inputs, 1f);
                            float[] dz = Numbers.Random(n * units, 5 + units, 1f);
                            // The gradients already hold values: the kernel adds to them.
                            float[] g = Guarded(inputs * units);
                            float[] before = Numbers.Random(inputs * units, 6, 1f);
                            before.CopyTo(g, 0);
                            float[] gb = bias ? Guarded(units) : Array.Empty<float>();
                            float[] gbBefore = Numbers.Random(units, 7, 1f);
                            if (bias) gbBefore.CopyTo(gb, 0);
                            KernelGradient(tier, x, dz, g, gb, n, inputs, units);
                            var expected = new double[inputs * units];
                            var scale = new double[inputs * units];
                            for (int i = 0; i < inputs; i++)
                            {
                                for (int j = 0; j < units; j++)
                                {
                                    double sum = before[i * units + j], abs = Math.Abs(sum);
                                    for (int s = 0; s < n; s++)
                                    {
                                        double term = (double)x[s * inputs + i] * dz[s * units + j];
                                        sum += term;
                                        abs += Math.Abs(term);
                                    }
                                    expected[i * units + j] = sum;
                                    scale[i * units + j] = abs;
                                }
                            }
                            string label = $"{tier} kernel gradient n={n} {inputs}->{units}";
                            Check(expected, scale, g, label);
                            if (!bias) continue;
                            var expectedBias = new double[units];
                            var scaleBias = new double[units];
                            for (int j = 0; j < units; j++)
                            {
                                double sum = gbBefore[j], abs = Math.Abs(sum);
                                for (int s = 0; s < n; s++)
                                {
                                    sum += dz[s * units + j];
                                    abs += Math.Abs(dz[s * units + j]);
                                }
                                expectedBias[j] = sum;
                                scaleBias[j] = abs;
                            }
                            Check(expectedBias, scaleBias, gb, label + " bias");
                        }
                    }
                }
            }
        }

        [Theory]
        [MemberData(nameof(Tiers))]
        public void InputGradient_IsDzTimesWTransposed(string tier)
        {
            foreach (int inputs in Widths)
            {
                foreach (int units in Widths)
                {
                    if (units < Lanes(tier)) continue;
                    foreach (int n in Batches)
                    {
                        float[] dz = Numbers.Random(n * units, 8 + units, 1f);
                        float[] w = Numbers.Random(inputs * units, 9 + inputs, 0.5f);
                        float[] dx = Guarded(n * inputs);
                        dx.AsSpan(0, n * inputs).Fill(1e6f); // overwritten, not added to
                        InputGradient(tier, dz, w, dx, n, inputs, units);
                        var expected = new double[n * inputs];
                        var scale = new double[n * inputs];
                        for (int s = 0; s < n; s++)
                        {
                            for (int i = 0; i < inputs; i++)
                            {
                                double sum = 0, abs = 0;
                                for (int j = 0; j < units; j++)
                                {
                                    double term = (double)dz[s * units + j] * w[i * units + j];
                                    sum += term;
                                    abs += Math.Abs(term);
                                }
                                expected[s * inputs + i] = sum;
                                scale[s * inputs + i] = abs;
                            }
                        }
                        Check(expected, scale, dx, $"{tier} input gradient n={n} {inputs}->{units}");
                    }
                }
            }
        }

        [Fact]
        public void ShortSpansAndAWrongBiasThrowNamingTheArgument()
        {
            float[] x = new float[5 * 7], w = new float[7 * 3], b = new float[3], y = new float[5 * 3];
            Assert.Equal("x", Assert.Throws<ArgumentException>(() => DenseKernels.Forward(x.AsSpan(1), w, b, y, 5, 7, 3)).ParamName);
            Assert.Equal("kernel", Assert.Throws<ArgumentException>(() => DenseKernels.Forward(x, w.AsSpan(1), b, y, 5, 7, 3)).ParamName);
            Assert.Equal("bias", Assert.Throws<ArgumentException>(() => DenseKernels.Forward(x, w, b.AsSpan(1), y, 5, 7, 3)).ParamName);
            Assert.Equal("y", Assert.Throws<ArgumentException>(() => DenseKernels.Forward(x, w, b, y.AsSpan(1), 5, 7, 3)).ParamName);
            Assert.Equal("kernelGradient", Assert.Throws<ArgumentException>(() => DenseKernels.KernelGradient(x, y, w.AsSpan(1), b, 5, 7, 3)).ParamName);
            Assert.Equal("biasGradient", Assert.Throws<ArgumentException>(() => DenseKernels.KernelGradient(x, y, w, new float[4], 5, 7, 3)).ParamName);
            Assert.Equal("dz", Assert.Throws<ArgumentException>(() => DenseKernels.InputGradient(y.AsSpan(1), w, x, 5, 7, 3)).ParamName);
            Assert.Equal("dx", Assert.Throws<ArgumentException>(() => DenseKernels.InputGradient(y, w, x.AsSpan(1), 5, 7, 3)).ParamName);
            Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => DenseKernels.InputGradient(y, w, x, -1, 7, 3)).ParamName);
        }

        private static float[] Guarded(int length)
        {
            var values = new float[length + Guard];
            values.AsSpan(length).Fill(float.NaN);
            return values;
        }

        // Compares the first expected.Length values and checks that the guard after them is still NaN.
        private static void Check(double[] expected, double[] scale, float[] actual, string label)
        {
            for (int k = 0; k < expected.Length; k++)
            {
                double allowed = 1e-5 * scale[k] + 1e-30;
                if (!(Math.Abs(actual[k] - expected[k]) <= allowed))
                {
                    throw new XunitException($"{label}[{k}]: got {actual[k]:R}, expected {expected[k]:R} (allowed {allowed:R})");
                }
            }
            for (int k = expected.Length; k < actual.Length; k++)
            {
                if (!float.IsNaN(actual[k])) throw new XunitException($"{label}: wrote past the end, at {k}");
            }
        }

        private static void Forward(string tier, float[] x, float[] w, float[] b, float[] y, int n, int inputs, int units)
        {
            if (tier == "dispatch")
            {
                DenseKernels.Forward(x, w, b, y.AsSpan(0, n * units), n, inputs, units);
                return;
            }
            ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref float wr = ref MemoryMarshal.GetArrayDataReference(w);
            ref float br = ref MemoryMarshal.GetArrayDataReference(b);
            ref float yr = ref MemoryMarshal.GetArrayDataReference(y);
            bool hasBias = b.Length > 0;
            switch (tier)
            {
                case "512": DenseKernels.Forward<Simd512, Vector512<float>>(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units); break;
                case "256": DenseKernels.Forward<Simd256, Vector256<float>>(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units); break;
                case "128": DenseKernels.Forward<Simd128, Vector128<float>>(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units); break;
                default: DenseKernels.ForwardScalar(ref xr, ref wr, ref br, hasBias, ref yr, n, inputs, units); break;
            }
        }

        private static void KernelGradient(string tier, float[] x, float[] dz, float[] g, float[] gb, int n, int inputs, int units)
        {
            if (tier == "dispatch")
            {
                DenseKernels.KernelGradient(x, dz, g.AsSpan(0, inputs * units), gb.Length == 0 ? default : gb.AsSpan(0, units), n, inputs, units);
                return;
            }
            ref float xr = ref MemoryMarshal.GetArrayDataReference(x);
            ref float dzr = ref MemoryMarshal.GetArrayDataReference(dz);
            ref float gr = ref MemoryMarshal.GetArrayDataReference(g);
            ref float br = ref MemoryMarshal.GetArrayDataReference(gb);
            bool hasBias = gb.Length > 0;
            switch (tier)
            {
                case "512": DenseKernels.KernelGradient<Simd512, Vector512<float>>(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units); break;
                case "256": DenseKernels.KernelGradient<Simd256, Vector256<float>>(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units); break;
                case "128": DenseKernels.KernelGradient<Simd128, Vector128<float>>(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units); break;
                default: DenseKernels.KernelGradientScalar(ref xr, ref dzr, ref gr, ref br, hasBias, n, inputs, units); break;
            }
        }

        private static void InputGradient(string tier, float[] dz, float[] w, float[] dx, int n, int inputs, int units)
        {
            if (tier == "dispatch")
            {
                DenseKernels.InputGradient(dz, w, dx.AsSpan(0, n * inputs), n, inputs, units);
                return;
            }
            ref float dzr = ref MemoryMarshal.GetArrayDataReference(dz);
            ref float wr = ref MemoryMarshal.GetArrayDataReference(w);
            ref float dxr = ref MemoryMarshal.GetArrayDataReference(dx);
            switch (tier)
            {
                case "512": DenseKernels.InputGradient<Simd512, Vector512<float>>(ref dzr, ref wr, ref dxr, n, inputs, units); break;
                case "256": DenseKernels.InputGradient<Simd256, Vector256<float>>(ref dzr, ref wr, ref dxr, n, inputs, units); break;
                case "128": DenseKernels.InputGradient<Simd128, Vector128<float>>(ref dzr, ref wr, ref dxr, n, inputs, units); break;
                default: DenseKernels.InputGradientScalar(ref dzr, ref wr, ref dxr, n, inputs, units); break;
            }
        }
    }
}
