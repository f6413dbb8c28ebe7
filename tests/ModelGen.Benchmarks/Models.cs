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
}
