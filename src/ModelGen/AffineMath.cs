using System;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.InteropServices;
using ModelGen.Formats;

namespace ModelGen
{
    /// <summary>
    /// The per-feature affine map <c>y = x * scale + offset</c> that generated code runs for BatchNormalization (inference
    /// mode), Normalization and Rescaling layers, its gradient, and the folding of the layers' stored vectors into scale and
    /// offset (in double, rounded to float once). <c>state</c> holds, per affine layer, its scale then its offset.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class AffineMath
    {
        /// <summary>
        /// <c>y[s, i] = x[s, i] * state[at + i] + state[at + width + i]</c> for <paramref name="count"/> samples of
        /// <paramref name="width"/> features.
        /// </summary>
        public static void Forward(ReadOnlySpan<float> state, int at, int width, ReadOnlySpan<float> x, Span<float> y, int count)
        {
            ReadOnlySpan<float> scale = state.Slice(at, width), offset = state.Slice(at + width, width);
            x = x.Slice(0, count * width);
            y = y.Slice(0, count * width);
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<float> xs = x.Slice(s * width, width);
                Span<float> ys = y.Slice(s * width, width);
                int i = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    ReadOnlySpan<Vector<float>> vs = MemoryMarshal.Cast<float, Vector<float>>(scale), vo = MemoryMarshal.Cast<float, Vector<float>>(offset);
                    ReadOnlySpan<Vector<float>> vx = MemoryMarshal.Cast<float, Vector<float>>(xs);
                    Span<Vector<float>> vy = MemoryMarshal.Cast<float, Vector<float>>(ys);
                    for (int k = 0; k < vy.Length; k++) vy[k] = vx[k] * vs[k] + vo[k];
                    i = vy.Length * Vector<float>.Count;
                }
                for (; i < width; i++) ys[i] = xs[i] * scale[i] + offset[i];
            }
        }

        /// <summary>The input gradient: <c>dx[s, i] = dy[s, i] * state[at + i]</c> (the map has no trainable parameters).</summary>
        public static void Backward(ReadOnlySpan<float> state, int at, int width, ReadOnlySpan<float> dy, Span<float> dx, int count)
        {
            ReadOnlySpan<float> scale = state.Slice(at, width);
            dy = dy.Slice(0, count * width);
            dx = dx.Slice(0, count * width);
            for (int s = 0; s < count; s++)
            {
                ReadOnlySpan<float> gs = dy.Slice(s * width, width);
                Span<float> xs = dx.Slice(s * width, width);
                for (int i = 0; i < width; i++) xs[i] = gs[i] * scale[i];
            }
        }

        /// <summary>
        /// Folds a BatchNormalization layer's stored vectors (<paramref name="stored"/>: gamma when <paramref name="scale"/>,
        /// beta when <paramref name="center"/>, moving_mean, moving_variance) into <paramref name="folded"/> at
        /// <paramref name="at"/> (scale, then offset). Throws <see cref="ArgumentException"/> naming <paramref name="layer"/>
        /// when a value is not finite or a variance plus epsilon is not positive.
        /// </summary>
        public static void FoldBatchNormalization(ReadOnlySpan<float> stored, int width, bool center, bool scale, double epsilon, Span<float> folded, int at, string layer) =>
            Fold(AffineKind.BatchNormalization, stored, width, epsilon, center, scale, false, folded, at, layer);

        /// <summary>
        /// Folds an adapted Normalization layer's stored mean and variance into <paramref name="folded"/> at
        /// <paramref name="at"/>; throws <see cref="ArgumentException"/> naming <paramref name="layer"/> for a non-finite value or
        /// a negative variance.
        /// </summary>
        public static void FoldNormalization(ReadOnlySpan<float> stored, int width, bool invert, Span<float> folded, int at, string layer) =>
            Fold(AffineKind.Normalization, stored, width, 0, false, false, invert, folded, at, layer);

        private static void Fold(AffineKind kind, ReadOnlySpan<float> stored, int width, double epsilon, bool center, bool scale, bool invert, Span<float> folded, int at, string layer)
        {
            float[] raw = stored.ToArray();
            var result = new float[2 * width];
            string? error = AffineFold.Fold(kind, width, epsilon, center, scale, invert, Array.Empty<double>(), raw, 0, result, 0);
            if (error is not null) throw new ArgumentException($"{layer}: {error}.", nameof(stored));
            result.CopyTo(folded.Slice(at, 2 * width));
        }
    }
}
