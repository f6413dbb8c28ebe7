// Test models, one per activation case of tests/ModelGen.Tests/Data/activations.json.
// Act_*: the activation alone over 7 values (Glu: 8), for the PyTorch forward/VJP references.
// Fd_*: 3 -> Dense(6, activation) -> Dense(2), for float64 finite-difference checks of the backward pass.
using System;
using System.Collections.Generic;
using ModelGen;

namespace ModelGen.Tests.Models
{
    [Model(7)]
    [Dense(7, Activation.Linear)]
    public partial class Act_Linear { }

    [Model(3)]
    [Dense(6, Activation.Linear)]
    [Dense(2)]
    public partial class Fd_Linear { }

    [Model(7)]
    [Activation(Activation.Relu)]
    public partial class Act_Relu { }

    [Model(3)]
    [Dense(6, Activation.Relu)]
    [Dense(2)]
    public partial class Fd_Relu { }

    [Model(7)]
    [Activation(Activation.Relu6)]
    public partial class Act_Relu6 { }

    [Model(3)]
    [Dense(6, Activation.Relu6)]
    [Dense(2)]
    public partial class Fd_Relu6 { }

    [Model(7)]
    [Activation(Activation.LeakyRelu)]
    public partial class Act_LeakyRelu { }

    [Model(3)]
    [Dense(6, Activation.LeakyRelu)]
    [Dense(2)]
    public partial class Fd_LeakyRelu { }

    [Model(7)]
    [Activation(Activation.LeakyRelu, NegativeSlope = 0.1f)]
    public partial class Act_LeakyRelu_NegativeSlope_0_1 { }

    [Model(3)]
    [Dense(6, Activation.LeakyRelu, NegativeSlope = 0.1f)]
    [Dense(2)]
    public partial class Fd_LeakyRelu_NegativeSlope_0_1 { }

    [Model(7)]
    [Activation(Activation.Elu)]
    public partial class Act_Elu { }

    [Model(3)]
    [Dense(6, Activation.Elu)]
    [Dense(2)]
    public partial class Fd_Elu { }

    [Model(7)]
    [Activation(Activation.Elu, Alpha = 0.5f)]
    public partial class Act_Elu_Alpha_0_5 { }

    [Model(3)]
    [Dense(6, Activation.Elu, Alpha = 0.5f)]
    [Dense(2)]
    public partial class Fd_Elu_Alpha_0_5 { }

    [Model(7)]
    [Activation(Activation.Selu)]
    public partial class Act_Selu { }

    [Model(3)]
    [Dense(6, Activation.Selu)]
    [Dense(2)]
    public partial class Fd_Selu { }

    [Model(7)]
    [Activation(Activation.Celu)]
    public partial class Act_Celu { }

    [Model(3)]
    [Dense(6, Activation.Celu)]
    [Dense(2)]
    public partial class Fd_Celu { }

    [Model(7)]
    [Activation(Activation.Celu, Alpha = 2.0f)]
    public partial class Act_Celu_Alpha_2_0 { }

    [Model(3)]
    [Dense(6, Activation.Celu, Alpha = 2.0f)]
    [Dense(2)]
    public partial class Fd_Celu_Alpha_2_0 { }

    [Model(7)]
    [Activation(Activation.Gelu)]
    public partial class Act_Gelu { }

    [Model(3)]
    [Dense(6, Activation.Gelu)]
    [Dense(2)]
    public partial class Fd_Gelu { }

    [Model(7)]
    [Activation(Activation.GeluTanh)]
    public partial class Act_GeluTanh { }

    [Model(3)]
    [Dense(6, Activation.GeluTanh)]
    [Dense(2)]
    public partial class Fd_GeluTanh { }

    [Model(7)]
    [Activation(Activation.Sigmoid)]
    public partial class Act_Sigmoid { }

    [Model(3)]
    [Dense(6, Activation.Sigmoid)]
    [Dense(2)]
    public partial class Fd_Sigmoid { }

    [Model(7)]
    [Activation(Activation.HardSigmoid)]
    public partial class Act_HardSigmoid { }

    [Model(3)]
    [Dense(6, Activation.HardSigmoid)]
    [Dense(2)]
    public partial class Fd_HardSigmoid { }

    [Model(7)]
    [Activation(Activation.HardSigmoidKeras2)]
    public partial class Act_HardSigmoidKeras2 { }

    [Model(3)]
    [Dense(6, Activation.HardSigmoidKeras2)]
    [Dense(2)]
    public partial class Fd_HardSigmoidKeras2 { }

    [Model(7)]
    [Activation(Activation.LogSigmoid)]
    public partial class Act_LogSigmoid { }

    [Model(3)]
    [Dense(6, Activation.LogSigmoid)]
    [Dense(2)]
    public partial class Fd_LogSigmoid { }

    [Model(7)]
    [Activation(Activation.Silu)]
    public partial class Act_Silu { }

    [Model(3)]
    [Dense(6, Activation.Silu)]
    [Dense(2)]
    public partial class Fd_Silu { }

    [Model(7)]
    [Activation(Activation.HardSilu)]
    public partial class Act_HardSilu { }

    [Model(3)]
    [Dense(6, Activation.HardSilu)]
    [Dense(2)]
    public partial class Fd_HardSilu { }

    [Model(7)]
    [Activation(Activation.Tanh)]
    public partial class Act_Tanh { }

    [Model(3)]
    [Dense(6, Activation.Tanh)]
    [Dense(2)]
    public partial class Fd_Tanh { }

    [Model(7)]
    [Activation(Activation.HardTanh)]
    public partial class Act_HardTanh { }

    [Model(3)]
    [Dense(6, Activation.HardTanh)]
    [Dense(2)]
    public partial class Fd_HardTanh { }

    [Model(7)]
    [Activation(Activation.TanhShrink)]
    public partial class Act_TanhShrink { }

    [Model(3)]
    [Dense(6, Activation.TanhShrink)]
    [Dense(2)]
    public partial class Fd_TanhShrink { }

    [Model(7)]
    [Activation(Activation.SoftShrink)]
    public partial class Act_SoftShrink { }

    [Model(3)]
    [Dense(6, Activation.SoftShrink)]
    [Dense(2)]
    public partial class Fd_SoftShrink { }

    [Model(7)]
    [Activation(Activation.SoftShrink, Threshold = 1.0f)]
    public partial class Act_SoftShrink_Threshold_1_0 { }

    [Model(3)]
    [Dense(6, Activation.SoftShrink, Threshold = 1.0f)]
    [Dense(2)]
    public partial class Fd_SoftShrink_Threshold_1_0 { }

    [Model(7)]
    [Activation(Activation.HardShrink)]
    public partial class Act_HardShrink { }

    [Model(3)]
    [Dense(6, Activation.HardShrink)]
    [Dense(2)]
    public partial class Fd_HardShrink { }

    [Model(7)]
    [Activation(Activation.HardShrink, Threshold = 1.0f)]
    public partial class Act_HardShrink_Threshold_1_0 { }

    [Model(3)]
    [Dense(6, Activation.HardShrink, Threshold = 1.0f)]
    [Dense(2)]
    public partial class Fd_HardShrink_Threshold_1_0 { }

    [Model(7)]
    [Activation(Activation.Softmax)]
    public partial class Act_Softmax { }

    [Model(3)]
    [Dense(6, Activation.Softmax)]
    [Dense(2)]
    public partial class Fd_Softmax { }

    [Model(7)]
    [Activation(Activation.LogSoftmax)]
    public partial class Act_LogSoftmax { }

    [Model(3)]
    [Dense(6, Activation.LogSoftmax)]
    [Dense(2)]
    public partial class Fd_LogSoftmax { }

    [Model(7)]
    [Activation(Activation.Softplus)]
    public partial class Act_Softplus { }

    [Model(3)]
    [Dense(6, Activation.Softplus)]
    [Dense(2)]
    public partial class Fd_Softplus { }

    [Model(7)]
    [Activation(Activation.Softsign)]
    public partial class Act_Softsign { }

    [Model(3)]
    [Dense(6, Activation.Softsign)]
    [Dense(2)]
    public partial class Fd_Softsign { }

    [Model(7)]
    [Activation(Activation.SparsePlus)]
    public partial class Act_SparsePlus { }

    [Model(3)]
    [Dense(6, Activation.SparsePlus)]
    [Dense(2)]
    public partial class Fd_SparsePlus { }

    [Model(7)]
    [Activation(Activation.SparseSigmoid)]
    public partial class Act_SparseSigmoid { }

    [Model(3)]
    [Dense(6, Activation.SparseSigmoid)]
    [Dense(2)]
    public partial class Fd_SparseSigmoid { }

    [Model(7)]
    [Activation(Activation.Squareplus)]
    public partial class Act_Squareplus { }

    [Model(3)]
    [Dense(6, Activation.Squareplus)]
    [Dense(2)]
    public partial class Fd_Squareplus { }

    [Model(7)]
    [Activation(Activation.Squareplus, B = 1.0f)]
    public partial class Act_Squareplus_B_1_0 { }

    [Model(3)]
    [Dense(6, Activation.Squareplus, B = 1.0f)]
    [Dense(2)]
    public partial class Fd_Squareplus_B_1_0 { }

    [Model(7)]
    [Activation(Activation.Exponential)]
    public partial class Act_Exponential { }

    [Model(3)]
    [Dense(6, Activation.Exponential)]
    [Dense(2)]
    public partial class Fd_Exponential { }

    [Model(7)]
    [Activation(Activation.Mish)]
    public partial class Act_Mish { }

    [Model(3)]
    [Dense(6, Activation.Mish)]
    [Dense(2)]
    public partial class Fd_Mish { }

    [Model(7)]
    [Activation(Activation.Sparsemax)]
    public partial class Act_Sparsemax { }

    [Model(3)]
    [Dense(6, Activation.Sparsemax)]
    [Dense(2)]
    public partial class Fd_Sparsemax { }

    [Model(8)]
    [Activation(Activation.Glu)]
    public partial class Act_Glu { }

    [Model(3)]
    [Dense(6, Activation.Glu)]
    [Dense(2)]
    public partial class Fd_Glu { }

    [Model(7)]
    [Activation(Activation.Threshold, Threshold = 0.5f, DefaultValue = -1.0f)]
    public partial class Act_Threshold_Threshold_0_5_DefaultValue_m1_0 { }

    [Model(3)]
    [Dense(6, Activation.Threshold, Threshold = 0.5f, DefaultValue = -1.0f)]
    [Dense(2)]
    public partial class Fd_Threshold_Threshold_0_5_DefaultValue_m1_0 { }

    /// <summary>The models above by case key: activation name, then |Param=value pairs sorted by name.</summary>
    public static class ActivationModels
    {
        public static readonly IReadOnlyDictionary<string, (Func<IModel> Alone, Func<IModel> Small)> ByKey = new Dictionary<string, (Func<IModel>, Func<IModel>)>
        {
            ["Linear"] = (() => new Act_Linear(1), () => new Fd_Linear(1)),
            ["Relu"] = (() => new Act_Relu(1), () => new Fd_Relu(1)),
            ["Relu6"] = (() => new Act_Relu6(1), () => new Fd_Relu6(1)),
            ["LeakyRelu"] = (() => new Act_LeakyRelu(1), () => new Fd_LeakyRelu(1)),
            ["LeakyRelu|NegativeSlope=0.1"] = (() => new Act_LeakyRelu_NegativeSlope_0_1(1), () => new Fd_LeakyRelu_NegativeSlope_0_1(1)),
            ["Elu"] = (() => new Act_Elu(1), () => new Fd_Elu(1)),
            ["Elu|Alpha=0.5"] = (() => new Act_Elu_Alpha_0_5(1), () => new Fd_Elu_Alpha_0_5(1)),
            ["Selu"] = (() => new Act_Selu(1), () => new Fd_Selu(1)),
            ["Celu"] = (() => new Act_Celu(1), () => new Fd_Celu(1)),
            ["Celu|Alpha=2.0"] = (() => new Act_Celu_Alpha_2_0(1), () => new Fd_Celu_Alpha_2_0(1)),
            ["Gelu"] = (() => new Act_Gelu(1), () => new Fd_Gelu(1)),
            ["GeluTanh"] = (() => new Act_GeluTanh(1), () => new Fd_GeluTanh(1)),
            ["Sigmoid"] = (() => new Act_Sigmoid(1), () => new Fd_Sigmoid(1)),
            ["HardSigmoid"] = (() => new Act_HardSigmoid(1), () => new Fd_HardSigmoid(1)),
            ["HardSigmoidKeras2"] = (() => new Act_HardSigmoidKeras2(1), () => new Fd_HardSigmoidKeras2(1)),
            ["LogSigmoid"] = (() => new Act_LogSigmoid(1), () => new Fd_LogSigmoid(1)),
            ["Silu"] = (() => new Act_Silu(1), () => new Fd_Silu(1)),
            ["HardSilu"] = (() => new Act_HardSilu(1), () => new Fd_HardSilu(1)),
            ["Tanh"] = (() => new Act_Tanh(1), () => new Fd_Tanh(1)),
            ["HardTanh"] = (() => new Act_HardTanh(1), () => new Fd_HardTanh(1)),
            ["TanhShrink"] = (() => new Act_TanhShrink(1), () => new Fd_TanhShrink(1)),
            ["SoftShrink"] = (() => new Act_SoftShrink(1), () => new Fd_SoftShrink(1)),
            ["SoftShrink|Threshold=1.0"] = (() => new Act_SoftShrink_Threshold_1_0(1), () => new Fd_SoftShrink_Threshold_1_0(1)),
            ["HardShrink"] = (() => new Act_HardShrink(1), () => new Fd_HardShrink(1)),
            ["HardShrink|Threshold=1.0"] = (() => new Act_HardShrink_Threshold_1_0(1), () => new Fd_HardShrink_Threshold_1_0(1)),
            ["Softmax"] = (() => new Act_Softmax(1), () => new Fd_Softmax(1)),
            ["LogSoftmax"] = (() => new Act_LogSoftmax(1), () => new Fd_LogSoftmax(1)),
            ["Softplus"] = (() => new Act_Softplus(1), () => new Fd_Softplus(1)),
            ["Softsign"] = (() => new Act_Softsign(1), () => new Fd_Softsign(1)),
            ["SparsePlus"] = (() => new Act_SparsePlus(1), () => new Fd_SparsePlus(1)),
            ["SparseSigmoid"] = (() => new Act_SparseSigmoid(1), () => new Fd_SparseSigmoid(1)),
            ["Squareplus"] = (() => new Act_Squareplus(1), () => new Fd_Squareplus(1)),
            ["Squareplus|B=1.0"] = (() => new Act_Squareplus_B_1_0(1), () => new Fd_Squareplus_B_1_0(1)),
            ["Exponential"] = (() => new Act_Exponential(1), () => new Fd_Exponential(1)),
            ["Mish"] = (() => new Act_Mish(1), () => new Fd_Mish(1)),
            ["Sparsemax"] = (() => new Act_Sparsemax(1), () => new Fd_Sparsemax(1)),
            ["Glu"] = (() => new Act_Glu(1), () => new Fd_Glu(1)),
            ["Threshold|DefaultValue=-1.0|Threshold=0.5"] = (() => new Act_Threshold_Threshold_0_5_DefaultValue_m1_0(1), () => new Fd_Threshold_Threshold_0_5_DefaultValue_m1_0(1)),
        };

        /// <summary>The same cases as reference-layer lists, for the float64 reference network.</summary>
        public static readonly IReadOnlyDictionary<string, Reference.ReferenceLayer> Layers = new Dictionary<string, Reference.ReferenceLayer>
        {
            ["Linear"] = new Reference.ReferenceLayer(true, 6, Activation.Linear),
            ["Relu"] = new Reference.ReferenceLayer(true, 6, Activation.Relu),
            ["Relu6"] = new Reference.ReferenceLayer(true, 6, Activation.Relu6),
            ["LeakyRelu"] = new Reference.ReferenceLayer(true, 6, Activation.LeakyRelu),
            ["LeakyRelu|NegativeSlope=0.1"] = new Reference.ReferenceLayer(true, 6, Activation.LeakyRelu) with { NegativeSlope = 0.1 },
            ["Elu"] = new Reference.ReferenceLayer(true, 6, Activation.Elu),
            ["Elu|Alpha=0.5"] = new Reference.ReferenceLayer(true, 6, Activation.Elu) with { Alpha = 0.5 },
            ["Selu"] = new Reference.ReferenceLayer(true, 6, Activation.Selu),
            ["Celu"] = new Reference.ReferenceLayer(true, 6, Activation.Celu),
            ["Celu|Alpha=2.0"] = new Reference.ReferenceLayer(true, 6, Activation.Celu) with { Alpha = 2.0 },
            ["Gelu"] = new Reference.ReferenceLayer(true, 6, Activation.Gelu),
            ["GeluTanh"] = new Reference.ReferenceLayer(true, 6, Activation.GeluTanh),
            ["Sigmoid"] = new Reference.ReferenceLayer(true, 6, Activation.Sigmoid),
            ["HardSigmoid"] = new Reference.ReferenceLayer(true, 6, Activation.HardSigmoid),
            ["HardSigmoidKeras2"] = new Reference.ReferenceLayer(true, 6, Activation.HardSigmoidKeras2),
            ["LogSigmoid"] = new Reference.ReferenceLayer(true, 6, Activation.LogSigmoid),
            ["Silu"] = new Reference.ReferenceLayer(true, 6, Activation.Silu),
            ["HardSilu"] = new Reference.ReferenceLayer(true, 6, Activation.HardSilu),
            ["Tanh"] = new Reference.ReferenceLayer(true, 6, Activation.Tanh),
            ["HardTanh"] = new Reference.ReferenceLayer(true, 6, Activation.HardTanh),
            ["TanhShrink"] = new Reference.ReferenceLayer(true, 6, Activation.TanhShrink),
            ["SoftShrink"] = new Reference.ReferenceLayer(true, 6, Activation.SoftShrink),
            ["SoftShrink|Threshold=1.0"] = new Reference.ReferenceLayer(true, 6, Activation.SoftShrink) with { Threshold = 1.0 },
            ["HardShrink"] = new Reference.ReferenceLayer(true, 6, Activation.HardShrink),
            ["HardShrink|Threshold=1.0"] = new Reference.ReferenceLayer(true, 6, Activation.HardShrink) with { Threshold = 1.0 },
            ["Softmax"] = new Reference.ReferenceLayer(true, 6, Activation.Softmax),
            ["LogSoftmax"] = new Reference.ReferenceLayer(true, 6, Activation.LogSoftmax),
            ["Softplus"] = new Reference.ReferenceLayer(true, 6, Activation.Softplus),
            ["Softsign"] = new Reference.ReferenceLayer(true, 6, Activation.Softsign),
            ["SparsePlus"] = new Reference.ReferenceLayer(true, 6, Activation.SparsePlus),
            ["SparseSigmoid"] = new Reference.ReferenceLayer(true, 6, Activation.SparseSigmoid),
            ["Squareplus"] = new Reference.ReferenceLayer(true, 6, Activation.Squareplus),
            ["Squareplus|B=1.0"] = new Reference.ReferenceLayer(true, 6, Activation.Squareplus) with { B = 1.0 },
            ["Exponential"] = new Reference.ReferenceLayer(true, 6, Activation.Exponential),
            ["Mish"] = new Reference.ReferenceLayer(true, 6, Activation.Mish),
            ["Sparsemax"] = new Reference.ReferenceLayer(true, 6, Activation.Sparsemax),
            ["Glu"] = new Reference.ReferenceLayer(true, 6, Activation.Glu),
            ["Threshold|DefaultValue=-1.0|Threshold=0.5"] = new Reference.ReferenceLayer(true, 6, Activation.Threshold) with { Threshold = 0.5, DefaultValue = -1.0 },
        };
    }
}
