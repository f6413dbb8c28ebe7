using System;

namespace ModelGen
{
    /// <summary>Fills parameter blocks with Keras 3 initializer distributions (formulas of <c>random_initializers.py</c>).</summary>
    public static class Initializers
    {
        /// <summary>Keras's factor that turns a truncated normal's stddev into the wanted variance.</summary>
        public const double TruncatedNormalCorrection = 0.87962566103423978;

        /// <summary>A seed for unseeded models, different on each call (Keras draws a fresh seed too).</summary>
        public static int NewSeed() => System.Random.Shared.Next();

        /// <summary>
        /// Fills <paramref name="values"/> with <paramref name="initializer"/>'s distribution for a block with the
        /// given fans (a Dense kernel: fan_in = inputs, fan_out = units).
        /// </summary>
        public static void Fill(Span<float> values, Initializer initializer, int fanIn, int fanOut, ref SeededRandom random)
        {
            switch (initializer)
            {
                case Initializer.Zeros: values.Clear(); return;
                case Initializer.Ones: values.Fill(1f); return;
                case Initializer.RandomNormal: FillNormal(values, 0.05, truncated: false, ref random); return;
                case Initializer.RandomUniform: FillUniform(values, 0.05, ref random); return;
                case Initializer.TruncatedNormal: FillNormal(values, 0.05, truncated: true, ref random); return;
            }

            (double scale, int mode, bool uniform) = initializer switch
            {
                Initializer.GlorotUniform => (1.0, 2, true),
                Initializer.GlorotNormal => (1.0, 2, false),
                Initializer.HeUniform => (2.0, 0, true),
                Initializer.HeNormal => (2.0, 0, false),
                Initializer.LecunUniform => (1.0, 0, true),
                Initializer.LecunNormal => (1.0, 0, false),
                _ => throw new ArgumentOutOfRangeException(nameof(initializer), initializer, "unknown initializer"),
            };
            double n = mode switch { 0 => fanIn, 1 => fanOut, _ => (fanIn + fanOut) / 2.0 };
            double s = scale / Math.Max(1.0, n);
            if (uniform)
            {
                FillUniform(values, Math.Sqrt(3 * s), ref random);
            }
            else
            {
                FillNormal(values, Math.Sqrt(s) / TruncatedNormalCorrection, truncated: true, ref random);
            }
        }

        private static void FillUniform(Span<float> values, double limit, ref SeededRandom random)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)((2 * random.NextDouble() - 1) * limit);
            }
        }

        private static void FillNormal(Span<float> values, double stddev, bool truncated, ref SeededRandom random)
        {
            for (int i = 0; i < values.Length; i++)
            {
                double z;
                do
                {
                    z = random.NextGaussian();
                }
                while (truncated && Math.Abs(z) > 2);
                values[i] = (float)(z * stddev);
            }
        }
    }
}
