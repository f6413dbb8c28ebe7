using ModelGen;

namespace ModelGen.Benchmarks
{
    // The six reference models of the performance issue.
    [Model(2)]
    [Dense(4, Activation.Tanh)]
    [Dense(1, Activation.Sigmoid)]
    public partial class XorNet { }

    [Model(4)]
    [Dense(16, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class IrisNet { }

    [Model(64)]
    [Dense(32, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class DigitsNet { }

    [Model(8)]
    [Dense(64, Activation.Silu)]
    [Dense(64, Activation.Silu)]
    [Dense(1)]
    public partial class RegressNet { }

    [Model(784)]
    [Dense(128, Activation.Relu)]
    [Dense(64, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class MnistNet { }

    [Model(256)]
    [Dense(512, Activation.Relu)]
    [Dense(512, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class WideNet { }

    // The same models with the parameters of seed 1 compiled in (weights/*.mgw, written by `-- --write-weights`): Predict.
    [Model(2, Weights = "weights/xor.mgw")]
    [Dense(4, Activation.Tanh)]
    [Dense(1, Activation.Sigmoid)]
    public partial class XorEmbedded { }

    [Model(4, Weights = "weights/iris.mgw")]
    [Dense(16, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class IrisEmbedded { }

    [Model(64, Weights = "weights/digits.mgw")]
    [Dense(32, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class DigitsEmbedded { }

    [Model(8, Weights = "weights/regress.mgw")]
    [Dense(64, Activation.Silu)]
    [Dense(64, Activation.Silu)]
    [Dense(1)]
    public partial class RegressEmbedded { }

    [Model(784, Weights = "weights/mnist.mgw")]
    [Dense(128, Activation.Relu)]
    [Dense(64, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class MnistEmbedded { }

    [Model(256, Weights = "weights/wide.mgw")]
    [Dense(512, Activation.Relu)]
    [Dense(512, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class WideEmbedded { }
}
