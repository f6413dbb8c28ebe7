using System;
using System.Runtime.CompilerServices;

namespace ModelGen
{
    /// <summary>
    /// A small deterministic random source (xoshiro256** seeded through SplitMix64). Its streams use only
    /// integer arithmetic and correctly rounded floating-point operations, so the same seed gives the same
    /// numbers on every machine and runtime.
    /// </summary>
    public struct SeededRandom
    {
        private ulong _s0, _s1, _s2, _s3;

        /// <summary>A source seeded with <paramref name="seed"/>.</summary>
        public SeededRandom(long seed)
        {
            ulong x = unchecked((ulong)seed);
            _s0 = SplitMix(ref x);
            _s1 = SplitMix(ref x);
            _s2 = SplitMix(ref x);
            _s3 = SplitMix(ref x);
        }

        internal static ulong SplitMix(ref ulong x)
        {
            ulong z = unchecked(x += 0x9E3779B97F4A7C15UL);
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
            return z ^ (z >> 31);
        }

        /// <summary>The next 64 random bits.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong NextUInt64()
        {
            ulong result = unchecked(RotateLeft(_s1 * 5, 7) * 9);
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = RotateLeft(_s3, 45);
            return result;
        }

        private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

        /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Uniform in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
        public int NextInt(int maxExclusive)
        {
            if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
            ulong bound = (ulong)maxExclusive;
            ulong threshold = unchecked(0UL - bound) % bound;
            while (true)
            {
                ulong r = NextUInt64();
                if (r >= threshold) return (int)(r % bound);
            }
        }

        /// <summary>
        /// A standard normal draw (Marsaglia's polar method). The logarithm is <see cref="DeterministicMath.Log"/>,
        /// so the stream is the same everywhere.
        /// </summary>
        public double NextGaussian()
        {
            while (true)
            {
                double u = 2 * NextDouble() - 1;
                double v = 2 * NextDouble() - 1;
                double s = u * u + v * v;
                if (s > 0 && s < 1)
                {
                    return u * Math.Sqrt(-2 * DeterministicMath.Log(s) / s);
                }
            }
        }
    }

    /// <summary>Elementary functions built from correctly rounded operations only, for reproducible streams.</summary>
    public static class DeterministicMath
    {
        private const double Ln2 = 0.69314718055994530941723212145818;

        /// <summary>Natural logarithm of a positive finite <paramref name="x"/>, accurate to about 1 ulp.</summary>
        public static double Log(double x)
        {
            if (!(x > 0) || double.IsInfinity(x)) throw new ArgumentOutOfRangeException(nameof(x), x, "must be positive and finite");
            long bits = BitConverter.DoubleToInt64Bits(x);
            int exponent = (int)((bits >> 52) & 0x7FF);
            if (exponent == 0)
            {
                // Subnormal: scale up by 2^54 first.
                bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0);
                exponent = (int)((bits >> 52) & 0x7FF) - 54;
            }
            double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L); // [1, 2)
            int e = exponent - 1023;
            if (m > 1.4142135623730951)
            {
                m *= 0.5;
                e++;
            }
            // ln(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716
            double s = (m - 1) / (m + 1);
            double s2 = s * s;
            double term = s, sum = 0;
            for (int k = 1; k < 60; k += 2)
            {
                double add = term / k;
                sum += add;
                if (Math.Abs(add) < 1e-20) break;
                term *= s2;
            }
            return 2 * sum + e * Ln2;
        }
    }
}
