using System;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Numerics;
using Xunit;

namespace ModelGen.Tests.Training
{
    /// <summary>
    /// Every option combination of the vectorized optimizers (momentum, Nesterov, AMSGrad, centered, weight decay, each
    /// clip rule) on lengths that run the vector bodies of every tier and a scalar tail (1,037 = 64 x 16 + 13), split in
    /// tensors whose sizes are not multiples of any lane count, against a scalar float transcription of the Keras 3 rules
    /// (/work/shared/KERAS.md; a norm clip as docs/KERAS.md states it: the factor c / max(norm, c) from a float64 norm,
    /// rounded to float, one float multiply per entry) written here, independently of the library. The vector tiers are
    /// IEEE-exact, so the results agree to float rounding. Run the suite with
    /// DOTNET_EnableAVX512F=0 and DOTNET_EnableAVX2=0 too to cover the narrower tiers.
    /// </summary>
    public class OptimizerOptionTests
    {
        private static readonly int[] Sizes = { 500, 21, 497, 19 };
        private const int Length = 1037;

        public static TheoryData<string, string> Cases()
        {
            var data = new TheoryData<string, string>();
            string[] optimizers = { "sgd", "sgd-momentum", "sgd-nesterov", "adam", "adam-amsgrad", "adamw", "adamw-amsgrad", "rmsprop", "rmsprop-centered", "rmsprop-momentum", "rmsprop-centered-momentum", "sgd-decay", "rmsprop-decay" };
            string[] clips = { "none", "clipvalue", "clipnorm", "global_clipnorm" };
            foreach (string o in optimizers) foreach (string c in clips) data.Add(o, c);
            return data;
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void VectorTiersMatchTheScalarRule(string optimizer, string clip)
        {
            Optimizer subject = Create(optimizer);
            var reference = new ScalarRule(optimizer);
            switch (clip)
            {
                case "clipvalue": subject.ClipValue = reference.ClipValue = 0.3f; break;
                case "clipnorm": subject.ClipNorm = reference.ClipNorm = 2f; break;
                case "global_clipnorm": subject.GlobalClipNorm = reference.GlobalClipNorm = 4f; break;
            }
            float[] p = Numbers.Random(Length, 3, 1f), expected = (float[])p.Clone();
            for (int step = 1; step <= 4; step++)
            {
                float[] g = Numbers.Random(Length, 10 + step, 0.5f);
                // A few extreme entries so that clipping acts on some and not on others.
                g[7] = 3f; g[Length - 2] = -2.5f;
                subject.Step(p, g, Sizes);
                reference.Step(expected, g, step);
                Numbers.Close(Numbers.ToDouble(expected), p, 2e-6, 1e-9, $"{optimizer} {clip} step {step}");
            }
        }

        /// <summary>
        /// clipvalue keeps a NaN gradient NaN and clamps the infinities, in the vector body and the scalar tail alike (the
        /// vector tiers clamp with one max and one min instruction, whose operand order decides what NaN gives).
        /// </summary>
        [Fact]
        public void ClipValueKeepsNaNAndClampsInfinities()
        {
            var sgd = new Sgd(1f) { ClipValue = 0.5f };
            var p = new float[Length];
            float[] g = Numbers.Random(Length, 5, 1f);
            int[] nan = { 3, 17, Length - 3 }, up = { 10, Length - 2 }, down = { 11, Length - 1 };
            foreach (int i in nan) g[i] = float.NaN;
            foreach (int i in up) g[i] = float.PositiveInfinity;
            foreach (int i in down) g[i] = float.NegativeInfinity;
            sgd.Step(p, g);
            for (int i = 0; i < Length; i++)
            {
                float expected = Array.IndexOf(nan, i) >= 0 ? float.NaN : -Math.Clamp(g[i], -0.5f, 0.5f);
                Assert.True(expected.Equals(p[i]), $"p[{i}] = {p[i]}, expected {expected} (gradient {g[i]})");
            }
        }

        [Fact]
        public void AStepAllocatesNothing()
        {
            var p = new float[Length];
            float[] g = Numbers.Random(Length, 1, 1f);
            foreach (string o in new[] { "sgd-nesterov", "adamw-amsgrad", "rmsprop-centered-momentum" })
            {
                Optimizer optimizer = Create(o);
                optimizer.ClipNorm = 1f;
                BehaviourTests.AssertSteadyStateAllocationFree(o, 200, () => optimizer.Step(p, g, Sizes));
            }
        }

        private static Optimizer Create(string name) => name switch
        {
            "sgd" => new Sgd(0.1f),
            "sgd-momentum" => new Sgd(0.1f, momentum: 0.9f),
            "sgd-nesterov" => new Sgd(0.1f, momentum: 0.8f, nesterov: true),
            "sgd-decay" => new Sgd(0.1f, momentum: 0.5f, weightDecay: 0.01f),
            "adam" => new Adam(0.01f),
            "adam-amsgrad" => new Adam(0.01f, amsgrad: true),
            "adamw" => new AdamW(0.01f, weightDecay: 0.05f),
            "adamw-amsgrad" => new AdamW(0.01f, weightDecay: 0.05f, amsgrad: true),
            "rmsprop" => new RmsProp(0.01f),
            "rmsprop-centered" => new RmsProp(0.01f, centered: true),
            "rmsprop-momentum" => new RmsProp(0.01f, momentum: 0.9f),
            "rmsprop-centered-momentum" => new RmsProp(0.01f, momentum: 0.5f, centered: true),
            "rmsprop-decay" => new RmsProp(0.01f, momentum: 0.5f, centered: true, weightDecay: 0.02f),
            _ => throw new ArgumentException(name),
        };

        /// <summary>Keras 3's rules element by element in float, per KERAS.md (clipping, decoupled decay, update).</summary>
        private sealed class ScalarRule(string name)
        {
            public float? ClipValue, ClipNorm, GlobalClipNorm;
            private float[] _m = new float[Length], _v = new float[Length], _vHat = new float[Length], _a = new float[Length];

            public void Step(float[] p, float[] gradient, int t)
            {
                float[] g = Clip(gradient);
                bool sgd = name.StartsWith("sgd"), adam = name.StartsWith("adam");
                float lr = sgd ? 0.1f : 0.01f;
                float wd = name switch { "sgd-decay" => 0.01f, "adamw" or "adamw-amsgrad" => 0.05f, "rmsprop-decay" => 0.02f, _ => 0f };
                float mu = name switch { "sgd-momentum" => 0.9f, "sgd-nesterov" => 0.8f, "sgd-decay" => 0.5f, "rmsprop-momentum" => 0.9f, "rmsprop-centered-momentum" or "rmsprop-decay" => 0.5f, _ => 0f };
                float alpha = (float)(lr * Math.Sqrt(1 - Math.Pow(0.999f, t)) / (1 - Math.Pow(0.9f, t)));
                for (int i = 0; i < p.Length; i++)
                {
                    if (wd > 0) p[i] = p[i] - p[i] * (wd * lr);
                    if (sgd)
                    {
                        if (mu == 0) { p[i] = p[i] - lr * g[i]; continue; }
                        _m[i] = mu * _m[i] - lr * g[i];
                        p[i] = p[i] + (name == "sgd-nesterov" ? mu * _m[i] - lr * g[i] : _m[i]);
                    }
                    else if (adam)
                    {
                        _m[i] = _m[i] + (g[i] - _m[i]) * (1 - 0.9f);
                        _v[i] = _v[i] + (g[i] * g[i] - _v[i]) * (1 - 0.999f);
                        float v = _v[i];
                        if (name.EndsWith("amsgrad")) v = _vHat[i] = MathF.Max(_vHat[i], v);
                        p[i] = p[i] - alpha * _m[i] / (MathF.Sqrt(v) + 1e-7f);
                    }
                    else
                    {
                        _v[i] = 0.9f * _v[i] + (1 - 0.9f) * g[i] * g[i];
                        float denominator = _v[i] + 1e-7f;
                        if (name.Contains("centered") || name == "rmsprop-decay")
                        {
                            _a[i] = 0.9f * _a[i] + (1 - 0.9f) * g[i];
                            denominator = _v[i] - _a[i] * _a[i] + 1e-7f;
                        }
                        float increment = lr * g[i] / MathF.Sqrt(denominator);
                        if (mu > 0) increment = _m[i] = mu * _m[i] + increment;
                        p[i] = p[i] - increment;
                    }
                }
            }

            private float[] Clip(float[] g)
            {
                var clipped = new float[g.Length];
                if (ClipNorm is float c)
                {
                    int at = 0;
                    foreach (int size in Sizes)
                    {
                        double norm = Norm(g, at, size);
                        float factor = (float)(c / Math.Max(norm, c));
                        for (int i = at; i < at + size; i++) clipped[i] = g[i] * factor;
                        at += size;
                    }
                }
                else if (GlobalClipNorm is float global)
                {
                    double norm = Norm(g, 0, g.Length);
                    float factor = (float)(global / Math.Max(norm, global));
                    for (int i = 0; i < g.Length; i++) clipped[i] = g[i] * factor;
                }
                else
                {
                    for (int i = 0; i < g.Length; i++) clipped[i] = ClipValue is float v ? Math.Clamp(g[i], -v, v) : g[i];
                }
                return clipped;
            }

            private static double Norm(float[] g, int at, int size)
            {
                double squares = 0;
                for (int i = at; i < at + size; i++) squares += (double)g[i] * g[i];
                return Math.Sqrt(squares);
            }
        }
    }
}
