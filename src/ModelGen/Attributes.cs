using System;
using System.Diagnostics;

namespace ModelGen
{
    /// <summary>
    /// Marks a partial class as a ModelGen model. The generator adds <c>InputSize</c>, <c>OutputSize</c>,
    /// <c>ParameterCount</c>, constructors, <c>Parameters</c>, <c>Forward</c> and the training members.
    /// Layers come from the <see cref="DenseAttribute"/> and <see cref="ActivationAttribute"/> attributes on the
    /// same declaration, applied in source order, or from the JSON file named by <see cref="Json"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
    [Conditional("MODELGEN_KEEP_ATTRIBUTES")]
    public sealed class ModelAttribute : Attribute
    {
        /// <summary>A model whose layers come from <see cref="Json"/>.</summary>
        public ModelAttribute() { }

        /// <summary>A model with <paramref name="inputs"/> floats per sample.</summary>
        public ModelAttribute(int inputs) => Inputs = inputs;

        /// <summary>Floats per input sample (0 when the model comes from <see cref="Json"/>).</summary>
        public int Inputs { get; }

        /// <summary>Path of a JSON declaration, relative to the project directory; the file must be an AdditionalFile.</summary>
        public string? Json { get; set; }

        /// <summary>Path of a weights file to compile into the assembly (safetensors or raw little-endian float32).</summary>
        public string? Weights { get; set; }
    }

    /// <summary>A Keras <c>Dense</c> layer: <c>y = activation(x @ kernel + bias)</c>.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("MODELGEN_KEEP_ATTRIBUTES")]
    public sealed class DenseAttribute : ActivationParametersAttribute
    {
        /// <summary>A dense layer of <paramref name="units"/> units followed by <paramref name="activation"/>.</summary>
        public DenseAttribute(int units, Activation activation = Activation.Linear)
            : base(activation)
        {
            Units = units;
        }

        /// <summary>Number of units (outputs).</summary>
        public int Units { get; }

        /// <summary>Whether the layer has a bias vector (default true).</summary>
        public bool UseBias { get; set; } = true;

        /// <summary>Initializer of the kernel (default <see cref="Initializer.GlorotUniform"/>).</summary>
        public Initializer KernelInitializer { get; set; } = Initializer.GlorotUniform;

        /// <summary>Initializer of the bias (default <see cref="Initializer.Zeros"/>).</summary>
        public Initializer BiasInitializer { get; set; } = Initializer.Zeros;
    }

    /// <summary>A Keras <c>Activation</c> layer: applies a function to its input, with no parameters to learn.</summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("MODELGEN_KEEP_ATTRIBUTES")]
    public sealed class ActivationAttribute : ActivationParametersAttribute
    {
        /// <summary>An activation layer applying <paramref name="activation"/>.</summary>
        public ActivationAttribute(Activation activation)
            : base(activation)
        {
        }
    }

    /// <summary>
    /// What <see cref="DenseAttribute"/> and <see cref="ActivationAttribute"/> share: the activation and its parameters.
    /// A parameter the activation does not take is a warning (MGEN009); one left unset takes the Keras default. The
    /// parameters are the rows of the generator's activation parameter table (see docs/architecture.md).
    /// </summary>
    public abstract class ActivationParametersAttribute : Attribute
    {
        /// <summary>Sets the activation; only the layer attributes of this assembly derive from this class.</summary>
        private protected ActivationParametersAttribute(Activation activation) => Activation = activation;

        /// <summary>The activation applied to the layer's output.</summary>
        public Activation Activation { get; }

        /// <summary>Alpha of elu and celu (default 1).</summary>
        public float Alpha { get; set; } = float.NaN;

        /// <summary>Negative slope of leaky_relu (default 0.2).</summary>
        public float NegativeSlope { get; set; } = float.NaN;

        /// <summary>Threshold of soft_shrink and hard_shrink (default 0.5) and of threshold (required).</summary>
        public float Threshold { get; set; } = float.NaN;

        /// <summary>Value below the threshold for the threshold activation (required).</summary>
        public float DefaultValue { get; set; } = float.NaN;

        /// <summary>b of squareplus (default 4).</summary>
        public float B { get; set; } = float.NaN;
    }
    /// <summary>
    /// A Keras <c>Dropout</c> layer: the identity in <c>Forward</c> and <c>Predict</c>; in training (<c>ForwardTrace</c>,
    /// <c>ComputeGradients</c>, <c>Fit</c>) each value is zeroed with probability <see cref="Rate"/> and the survivors are
    /// scaled by <c>1 / (1 - Rate)</c> (inverted dropout). The masks come from the model's own random stream; see
    /// <see cref="IModel.SeedDropout"/>.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
    [Conditional("MODELGEN_KEEP_ATTRIBUTES")]
    public sealed class DropoutAttribute : Attribute
    {
        /// <summary>A dropout layer dropping each value with probability <paramref name="rate"/>, in [0, 1).</summary>
        public DropoutAttribute(float rate) => Rate = rate;

        /// <summary>The probability of dropping a value, in [0, 1).</summary>
        public float Rate { get; }
    }
}
