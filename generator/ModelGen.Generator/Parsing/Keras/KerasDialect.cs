using System;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// The Keras generation a model config was written by. It changes the meaning of a few names (Keras 1 and 2's
    /// <c>hard_sigmoid</c> is <c>0.2x + 0.5</c>, Keras 3's is <c>x/6 + 0.5</c>) and which keys a layer config uses (Keras 1:
    /// <c>output_dim</c>, <c>init</c>, <c>bias</c>, <c>p</c>).
    /// </summary>
    internal enum KerasDialect
    {
        /// <summary>Keras 1.x (<c>keras_version</c> 1.*): <c>output_dim</c>, <c>init</c>, <c>bias</c>; Keras 2's hard_sigmoid.</summary>
        Keras1,
        /// <summary>Keras 2.x, tf.keras 2 and TensorFlow.js: Keras 2's hard_sigmoid.</summary>
        Keras2,
        /// <summary>Keras 3 (and ModelGen's own format, which uses Keras 3's names).</summary>
        Keras3,
    }

    /// <summary>Telling dialects apart.</summary>
    internal static class KerasDialects
    {
        /// <summary>
        /// The dialect a <c>keras_version</c> string names ("1.2.2", "2.2.4-tf", "3.3.3"), or <paramref name="fallback"/> when
        /// it is null or names no known major version.
        /// </summary>
        public static KerasDialect FromVersion(string? version, KerasDialect fallback)
        {
            if (version is null) return fallback;
            if (version.StartsWith("3", StringComparison.Ordinal)) return KerasDialect.Keras3;
            if (version.StartsWith("2", StringComparison.Ordinal)) return KerasDialect.Keras2;
            if (version.StartsWith("1", StringComparison.Ordinal)) return KerasDialect.Keras1;
            return fallback;
        }

        /// <summary>True when <c>hard_sigmoid</c> means Keras 2's <c>clip(0.2x + 0.5, 0, 1)</c>.</summary>
        public static bool HasKeras2HardSigmoid(this KerasDialect dialect) => dialect != KerasDialect.Keras3;
    }
}
