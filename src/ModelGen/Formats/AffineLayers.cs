// Linked into the generator (netstandard2.0) and the runtime (net9.0): no Span, no dependency.
using System;
using System.Globalization;

namespace ModelGen.Formats
{
    /// <summary>The layers ModelGen runs as a fixed per-feature affine map <c>y = x * scale + offset</c>.</summary>
    internal enum AffineKind
    {
        /// <summary>Not an affine layer.</summary>
        None = 0,

        /// <summary>
        /// Keras <c>BatchNormalization</c> / ONNX <c>BatchNormalization</c> in inference mode:
        /// <c>gamma (x - moving_mean) / sqrt(moving_variance + epsilon) + beta</c>. Stored vectors: gamma (when scale),
        /// beta (when center), moving_mean, moving_variance.
        /// </summary>
        BatchNormalization = 1,

        /// <summary>
        /// Keras 3 <c>Normalization</c>: <c>(x - mean) / max(sqrt(variance), 1e-7)</c>, or with invert
        /// <c>mean + x * max(sqrt(variance), 1e-7)</c>. Stored vectors (adapted): mean, variance (Keras's int count is not kept).
        /// </summary>
        Normalization = 2,

        /// <summary>Keras <c>Rescaling</c>: <c>x * scale + offset</c> with scalar scale and offset from the config; no stored vectors.</summary>
        Rescaling = 3,
    }

    /// <summary>
    /// Folds the stored vectors of an affine layer into its per-feature scale and offset: computed in double, rounded to
    /// float once. One implementation for the generator (compiled-in constants) and the runtime (loading or setting the
    /// non-trainable state), so that <c>Predict</c> and an instance holding the same vectors compute the same floats.
    /// </summary>
    internal static class AffineFold
    {
        /// <summary>Keras's <c>backend.epsilon()</c>, the floor of Normalization's standard deviation.</summary>
        public const double NormalizationFloor = 1e-7;

        /// <summary>Stored values of a layer of <paramref name="width"/> features.</summary>
        public static int StoredCount(AffineKind kind, int width, bool center, bool scale, bool stored) => kind switch
        {
            AffineKind.BatchNormalization => width * (2 + (center ? 1 : 0) + (scale ? 1 : 0)),
            AffineKind.Normalization => stored ? 2 * width : 0,
            _ => 0,
        };

        /// <summary>The names of the stored vectors, in order (Keras's weight names).</summary>
        public static string[] StoredNames(AffineKind kind, bool center, bool scale, bool stored)
        {
            if (kind == AffineKind.BatchNormalization)
            {
                var names = new System.Collections.Generic.List<string>(4);
                if (scale) names.Add("gamma");
                if (center) names.Add("beta");
                names.Add("moving_mean");
                names.Add("moving_variance");
                return names.ToArray();
            }
            return kind == AffineKind.Normalization && stored ? new[] { "mean", "variance" } : new string[0];
        }

        /// <summary>Keras's initial stored values (gamma 1, beta 0, moving_mean 0, moving_variance 1; mean 0, variance 1).</summary>
        public static void Initial(AffineKind kind, int width, bool center, bool scale, bool stored, float[] raw, int at)
        {
            string[] names = StoredNames(kind, center, scale, stored);
            for (int v = 0; v < names.Length; v++)
            {
                float value = names[v] is "gamma" or "moving_variance" or "variance" ? 1f : 0f;
                for (int i = 0; i < width; i++) raw[at + v * width + i] = value;
            }
        }

        /// <summary>
        /// Writes the scale (<paramref name="width"/> floats) then the offset (<paramref name="width"/> floats) at
        /// <paramref name="foldedAt"/> in <paramref name="folded"/>; returns why the stored values are unusable, or null.
        /// <paramref name="constants"/> carries Rescaling's (scale, offset), or a Normalization's config mean and variance
        /// (<c>[mean..., variance...]</c>, one value each when scalar) when it stores none.
        /// </summary>
        public static string? Fold(AffineKind kind, int width, double epsilon, bool center, bool scale, bool invert, double[] constants,
                                   float[] raw, int rawAt, float[] folded, int foldedAt)
        {
            for (int i = 0; i < StoredCount(kind, width, center, scale, constants.Length == 0) && kind != AffineKind.Rescaling; i++)
            {
                float v = raw[rawAt + i];
                if (float.IsNaN(v) || float.IsInfinity(v)) return $"stored value {i} is {v.ToString("R", CultureInfo.InvariantCulture)}; it must be finite";
            }
            for (int i = 0; i < width; i++)
            {
                double s, o;
                switch (kind)
                {
                    case AffineKind.BatchNormalization:
                    {
                        int v = 0;
                        double gamma = scale ? raw[rawAt + (v++) * width + i] : 1.0;
                        double beta = center ? raw[rawAt + (v++) * width + i] : 0.0;
                        double mean = raw[rawAt + (v++) * width + i];
                        double variance = raw[rawAt + v * width + i];
                        double denominator = variance + epsilon;
                        if (!(denominator > 0)) return $"feature {i}: moving_variance + epsilon is {F(denominator)}; it must be positive";
                        s = gamma / Math.Sqrt(denominator);
                        o = beta - mean * s;
                        break;
                    }
                    case AffineKind.Normalization:
                    {
                        bool stored = constants.Length == 0;
                        double mean, variance;
                        if (stored)
                        {
                            mean = raw[rawAt + i];
                            variance = raw[rawAt + width + i];
                        }
                        else
                        {
                            int half = constants.Length / 2;
                            mean = constants[half == 1 ? 0 : i];
                            variance = constants[half + (half == 1 ? 0 : i)];
                        }
                        if (!(variance >= 0)) return $"feature {i}: the variance is {F(variance)}; it must not be negative";
                        double deviation = Math.Max(Math.Sqrt(variance), NormalizationFloor);
                        if (invert)
                        {
                            s = deviation;
                            o = mean;
                        }
                        else
                        {
                            s = 1.0 / deviation;
                            o = -mean / deviation;
                        }
                        break;
                    }
                    case AffineKind.Rescaling:
                        s = constants[0];
                        o = constants[1];
                        break;
                    default:
                        return "not an affine layer";
                }
                float fs = (float)s, fo = (float)o;
                if (float.IsNaN(fs) || float.IsInfinity(fs) || float.IsNaN(fo) || float.IsInfinity(fo))
                {
                    return $"feature {i}: the folded scale and offset are {F(s)} and {F(o)}; they must be finite in float32";
                }
                folded[foldedAt + i] = fs;
                folded[foldedAt + width + i] = fo;
            }
            return null;
        }

        private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
