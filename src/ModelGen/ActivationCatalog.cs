// This file is compiled into both the runtime and the generator (linked): the facts about each
// activation that both sides need, kept in one place.
using System;

namespace ModelGen
{
    /// <summary>Which parameters an activation takes.</summary>
    [Flags]
#if MODELGEN_GENERATOR
    internal
#else
    public
#endif
    enum ActivationParameterKinds
    {
        /// <summary>No parameters.</summary>
        None = 0,
        /// <summary><c>Alpha</c> (elu, celu).</summary>
        Alpha = 1,
        /// <summary><c>NegativeSlope</c> (leaky_relu).</summary>
        NegativeSlope = 2,
        /// <summary><c>Threshold</c> (soft_shrink, hard_shrink, threshold).</summary>
        Threshold = 4,
        /// <summary><c>DefaultValue</c> (threshold).</summary>
        DefaultValue = 8,
        /// <summary><c>B</c> (squareplus).</summary>
        B = 16,
    }

    /// <summary>Facts about each <see cref="Activation"/>: Keras names, parameters and their defaults, shape rules.</summary>
#if MODELGEN_GENERATOR
    internal
#else
    public
#endif
    static class ActivationCatalog
    {
        /// <summary>Keras 3's default negative slope of the <c>leaky_relu</c> function (the layer's is 0.3).</summary>
        public const float DefaultNegativeSlope = 0.2f;
        /// <summary>Default alpha of <c>elu</c> and <c>celu</c>.</summary>
        public const float DefaultAlpha = 1f;
        /// <summary>Default threshold of <c>soft_shrink</c> and <c>hard_shrink</c>.</summary>
        public const float DefaultShrinkThreshold = 0.5f;
        /// <summary>Default b of <c>squareplus</c>.</summary>
        public const float DefaultB = 4f;
        /// <summary>SELU alpha, from Keras.</summary>
        public const double SeluAlpha = 1.6732632423543772848170429916717;
        /// <summary>SELU scale, from Keras.</summary>
        public const double SeluScale = 1.0507009873554804934193349852946;

        /// <summary>The highest defined member value; used to reject undefined enum values.</summary>
        public const int MaxValue = (int)Activation.Threshold;

        /// <summary>True when <paramref name="value"/> is a defined member.</summary>
        public static bool IsDefined(int value) => value >= 0 && value <= MaxValue;

        /// <summary>The Keras 3 name (the string <c>keras.activations.get</c> accepts).</summary>
        public static string KerasName(Activation activation) => activation switch
        {
            Activation.Linear => "linear",
            Activation.Relu => "relu",
            Activation.Relu6 => "relu6",
            Activation.LeakyRelu => "leaky_relu",
            Activation.Elu => "elu",
            Activation.Selu => "selu",
            Activation.Celu => "celu",
            Activation.Gelu => "gelu",
            Activation.GeluTanh => "gelu_approximate",
            Activation.Sigmoid => "sigmoid",
            Activation.HardSigmoid => "hard_sigmoid",
            Activation.HardSigmoidKeras2 => "hard_sigmoid_keras2",
            Activation.LogSigmoid => "log_sigmoid",
            Activation.Silu => "silu",
            Activation.HardSilu => "hard_silu",
            Activation.Tanh => "tanh",
            Activation.HardTanh => "hard_tanh",
            Activation.TanhShrink => "tanh_shrink",
            Activation.SoftShrink => "soft_shrink",
            Activation.HardShrink => "hard_shrink",
            Activation.Softmax => "softmax",
            Activation.LogSoftmax => "log_softmax",
            Activation.Softplus => "softplus",
            Activation.Softsign => "softsign",
            Activation.SparsePlus => "sparse_plus",
            Activation.SparseSigmoid => "sparse_sigmoid",
            Activation.Squareplus => "squareplus",
            Activation.Exponential => "exponential",
            Activation.Mish => "mish",
            Activation.Sparsemax => "sparsemax",
            Activation.Glu => "glu",
            Activation.Threshold => "threshold",
            _ => "unknown",
        };

        /// <summary>
        /// Parses a Keras activation name (<c>"relu"</c>, <c>"swish"</c>, <c>"hard_swish"</c>, ...).
        /// <paramref name="keras2"/> selects Keras 2's meaning of <c>hard_sigmoid</c>.
        /// </summary>
        public static bool TryParseKerasName(string? name, bool keras2, out Activation activation)
        {
            switch (name)
            {
                case null: case "linear": activation = Activation.Linear; return true;
                case "swish": activation = Activation.Silu; return true;
                case "hard_swish": activation = Activation.HardSilu; return true;
                case "gelu_approximate": activation = Activation.GeluTanh; return true;
                case "hard_sigmoid": activation = keras2 ? Activation.HardSigmoidKeras2 : Activation.HardSigmoid; return true;
            }
            for (int i = 0; i <= MaxValue; i++)
            {
                if (string.Equals(KerasName((Activation)i), name, StringComparison.Ordinal))
                {
                    activation = (Activation)i;
                    return true;
                }
            }
            activation = Activation.Linear;
            return false;
        }

        /// <summary>
        /// The activation parameters, one row each: the C# property (on <c>DenseAttribute</c>, <c>ActivationAttribute</c> and
        /// the generator's <c>ActivationSpec</c>), the key in ModelGen's JSON format, the Keras default, the activations
        /// that take it and those that require it, and the check of a given value. Every reader and the parameter rules
        /// below come from this table; a new parameter is a new row (see docs/architecture.md, "Adding an activation").
        /// </summary>
        internal static readonly ActivationParameter[] ParameterTable =
        {
            new(ActivationParameterKinds.Alpha, "Alpha", "alpha", DefaultAlpha, new[] { Activation.Elu, Activation.Celu }, null,
                (activation, v) => activation == Activation.Celu && v == 0 ? "celu divides by alpha, so it must not be 0" : null),
            new(ActivationParameterKinds.NegativeSlope, "NegativeSlope", "negative_slope", DefaultNegativeSlope, new[] { Activation.LeakyRelu }, null, null),
            new(ActivationParameterKinds.Threshold, "Threshold", "threshold", DefaultShrinkThreshold,
                new[] { Activation.SoftShrink, Activation.HardShrink, Activation.Threshold }, new[] { Activation.Threshold },
                (activation, v) => activation != Activation.Threshold && v < 0 ? "a shrink threshold must not be negative" : null),
            new(ActivationParameterKinds.DefaultValue, "DefaultValue", "default_value", float.NaN, new[] { Activation.Threshold }, new[] { Activation.Threshold }, null),
            new(ActivationParameterKinds.B, "B", "b", DefaultB, new[] { Activation.Squareplus }, null,
                (_, v) => v < 0 ? "b must not be negative" : null),
        };

        /// <summary>The index in <see cref="ParameterTable"/> of <paramref name="kind"/> (a single flag).</summary>
        internal static int IndexOfParameter(ActivationParameterKinds kind)
        {
            for (int i = 0; i < ParameterTable.Length; i++)
            {
                if (ParameterTable[i].Kind == kind) return i;
            }
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a single activation parameter");
        }

        /// <summary>The index in <see cref="ParameterTable"/> of the parameter whose C# property is <paramref name="property"/>, or -1.</summary>
        internal static int IndexOfParameter(string property)
        {
            for (int i = 0; i < ParameterTable.Length; i++)
            {
                if (string.Equals(ParameterTable[i].Property, property, StringComparison.Ordinal)) return i;
            }
            return -1;
        }

        /// <summary>The parameters <paramref name="activation"/> takes.</summary>
        public static ActivationParameterKinds Parameters(Activation activation)
        {
            ActivationParameterKinds kinds = ActivationParameterKinds.None;
            foreach (ActivationParameter parameter in ParameterTable)
            {
                if (parameter.IsTakenBy(activation)) kinds |= parameter.Kind;
            }
            return kinds;
        }

        /// <summary>Parameters that have no Keras default and must be given.</summary>
        public static ActivationParameterKinds RequiredParameters(Activation activation)
        {
            ActivationParameterKinds kinds = ActivationParameterKinds.None;
            foreach (ActivationParameter parameter in ParameterTable)
            {
                if (parameter.IsRequiredBy(activation)) kinds |= parameter.Kind;
            }
            return kinds;
        }

        /// <summary>The Keras default of a parameter (NaN when it has none).</summary>
        public static float DefaultOf(Activation activation, ActivationParameterKinds parameter)
        {
            foreach (ActivationParameter row in ParameterTable)
            {
                if (row.Kind == parameter) return row.IsRequiredBy(activation) ? float.NaN : row.Default;
            }
            return float.NaN;
        }

        /// <summary>True for functions that couple the units of a sample (softmax, log_softmax, sparsemax, glu).</summary>
        public static bool IsVectorWise(Activation activation) =>
            activation is Activation.Softmax or Activation.LogSoftmax or Activation.Sparsemax or Activation.Glu;

        /// <summary>The width after the activation: glu halves it, the rest keep it.</summary>
        public static int OutputWidth(Activation activation, int width) => activation == Activation.Glu ? width / 2 : width;

        /// <summary>True when <paramref name="width"/> is a valid input width (glu needs an even one).</summary>
        public static bool AcceptsWidth(Activation activation, int width) => activation != Activation.Glu || width % 2 == 0;
    }

    /// <summary>One row of <see cref="ActivationCatalog.ParameterTable"/>: one activation parameter and its rules.</summary>
    internal sealed class ActivationParameter
    {
        private readonly Activation[] _takenBy;
        private readonly Activation[] _requiredBy;
        private readonly Func<Activation, float, string?>? _check;

        /// <summary>Creates a row; see the properties.</summary>
        public ActivationParameter(ActivationParameterKinds kind, string property, string jsonKey, float defaultValue, Activation[] takenBy, Activation[]? requiredBy, Func<Activation, float, string?>? check)
        {
            Kind = kind;
            Property = property;
            JsonKey = jsonKey;
            Default = defaultValue;
            _takenBy = takenBy;
            _requiredBy = requiredBy ?? new Activation[0];
            _check = check;
        }

        /// <summary>The flag of this parameter.</summary>
        public ActivationParameterKinds Kind { get; }

        /// <summary>The C# property name on <c>DenseAttribute</c> and <c>ActivationAttribute</c> (and in diagnostics).</summary>
        public string Property { get; }

        /// <summary>The key beside the activation name in ModelGen's JSON format.</summary>
        public string JsonKey { get; }

        /// <summary>The Keras default when the parameter is not given (NaN when there is none).</summary>
        public float Default { get; }

        /// <summary>True when <paramref name="activation"/> takes this parameter.</summary>
        public bool IsTakenBy(Activation activation) => Array.IndexOf(_takenBy, activation) >= 0;

        /// <summary>True when <paramref name="activation"/> has no default for this parameter, so it must be given.</summary>
        public bool IsRequiredBy(Activation activation) => Array.IndexOf(_requiredBy, activation) >= 0;

        /// <summary>Why <paramref name="value"/> is not usable for <paramref name="activation"/>, or null when it is.</summary>
        public string? Check(Activation activation, float value) =>
            float.IsNaN(value) || float.IsInfinity(value) ? "it must be a finite number" : _check?.Invoke(activation, value);
    }
}
