using ModelGen;

namespace ModelGen.Tests.Models
{
    [Model(4)]
    [Dense(16, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class IrisLike { }

    [Model(8)]
    [Dense(8, UseBias = false)]
    [Activation(Activation.Tanh)]
    [Dense(1, Activation.Sigmoid, KernelInitializer = Initializer.HeNormal)]
    public partial class Scorer { }

    [Model(784)]
    [Dense(128, Activation.Relu)]
    [Dense(64, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class Mnist { }
}
