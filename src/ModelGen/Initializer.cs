// This file is compiled into both the runtime (public) and the generator (internal, linked).
namespace ModelGen
{
    /// <summary>
    /// Weight initializers of Keras 3 <c>keras.initializers</c>, with Keras 3 formulas and defaults.
    /// "Normal" variance-scaling initializers draw from a truncated normal, as Keras does.
    /// </summary>
#if MODELGEN_GENERATOR
    internal
#else
    public
#endif
    enum Initializer
    {
        /// <summary>Uniform in +/- sqrt(6 / (fan_in + fan_out)).</summary>
        GlorotUniform = 0,
        /// <summary>Truncated normal, stddev sqrt(2 / (fan_in + fan_out)) / 0.8796.</summary>
        GlorotNormal = 1,
        /// <summary>Uniform in +/- sqrt(6 / fan_in).</summary>
        HeUniform = 2,
        /// <summary>Truncated normal, stddev sqrt(2 / fan_in) / 0.8796.</summary>
        HeNormal = 3,
        /// <summary>Uniform in +/- sqrt(3 / fan_in).</summary>
        LecunUniform = 4,
        /// <summary>Truncated normal, stddev sqrt(1 / fan_in) / 0.8796.</summary>
        LecunNormal = 5,
        /// <summary>All zeros.</summary>
        Zeros = 6,
        /// <summary>All ones.</summary>
        Ones = 7,
        /// <summary>Normal, mean 0, stddev 0.05.</summary>
        RandomNormal = 8,
        /// <summary>Uniform in +/- 0.05.</summary>
        RandomUniform = 9,
        /// <summary>Truncated normal, stddev 0.05 (no correction factor), redrawn beyond 2 stddev.</summary>
        TruncatedNormal = 10,
    }
}
