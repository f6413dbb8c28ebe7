using System;
using System.ComponentModel;

namespace ModelGen
{
    /// <summary>
    /// Inverted dropout for generated training code (Keras 3 <c>backend.random.dropout</c>): a value is kept when its uniform
    /// draw is at least the rate, and kept values are scaled by <c>1 / (1 - rate)</c>, so the expected output equals the input.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class DropoutMath
    {
        /// <summary>
        /// Draws one mask value per element of <paramref name="x"/> (0, or <c>1 / (1 - rate)</c>) into <paramref name="mask"/>
        /// and writes <c>x * mask</c> to <paramref name="y"/>.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> x, Span<float> y, Span<float> mask, float rate, ref SeededRandom random)
        {
            if (y.Length != x.Length || mask.Length != x.Length) throw new ArgumentException("x, y and mask must have the same length.");
            if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "The dropout rate must be in [0, 1).");
            float scale = 1f / (1f - rate);
            for (int i = 0; i < x.Length; i++)
            {
                // 24 random bits: the same resolution as a float draw in [0, 1).
                float draw = (random.NextUInt64() >> 40) * (1f / (1 << 24));
                float m = draw >= rate ? scale : 0f;
                mask[i] = m;
                y[i] = x[i] * m;
            }
        }

        /// <summary>The gradient through dropout: <c>dx = dy * mask</c> (in place when the spans are the same).</summary>
        public static void Backward(ReadOnlySpan<float> mask, ReadOnlySpan<float> dy, Span<float> dx)
        {
            if (dy.Length != mask.Length || dx.Length != mask.Length) throw new ArgumentException("mask, dy and dx must have the same length.");
            for (int i = 0; i < mask.Length; i++) dx[i] = dy[i] * mask[i];
        }
    }
}
