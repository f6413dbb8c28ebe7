using ModelGen;

// Whole-network test models. Names match tests/ModelGen.Tests/Data/models.json.
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

    [Model(6)]
    [Dense(10, Activation.Elu)]
    [Dense(7, Activation.Gelu)]
    [Dense(5, Activation.Selu)]
    [Dense(4, Activation.LogSoftmax)]
    public partial class Deep { }

    [Model(40)]
    [Dense(300, Activation.Silu)]
    [Dense(20, Activation.Tanh)]
    [Dense(10)]
    public partial class Wide { }

    [Model(8)]
    [Dense(64, Activation.Silu)]
    [Dense(64, Activation.Silu)]
    [Dense(1)]
    public partial class Regress { }

    [Model(3)]
    [Dense(4, Activation.Sigmoid)]
    public partial class SigmoidCce { }

    [Model(3)]
    [Dense(2, Activation.HardSigmoid)]
    public partial class HardOut { }

    [Model(2)]
    [Dense(3, Activation.Softmax)]
    public partial class Saturated { }

    [Model(2)]
    [Dense(2, Activation.Sigmoid)]
    public partial class SaturatedSigmoid { }

    /// <summary>The MNIST-sized model of the forward issue: vector loops, under the JIT limits.</summary>
    [Model(784)]
    [Dense(128, Activation.Relu)]
    [Dense(64, Activation.Relu)]
    [Dense(10, Activation.Softmax)]
    public partial class Mnist { }

    /// <summary>Odd sizes that exercise vector tiles, remainders and scalar tails on every tier.</summary>
    [Model(37)]
    [Dense(203, Activation.Tanh)]
    [Dense(19, Activation.LeakyRelu, UseBias = false)]
    [Activation(Activation.Softmax)]
    public partial class OddSizes { }

    /// <summary>Activation layer first, and a chain of Activation layers.</summary>
    [Model(5)]
    [Activation(Activation.Tanh)]
    [Dense(4)]
    [Activation(Activation.Relu)]
    [Activation(Activation.Sigmoid)]
    public partial class ActivationFirst { }

    /// <summary>Wide enough that the forward scratch lives on the heap (per thread) instead of the stack.</summary>
    [Model(16)]
    [Dense(4100, Activation.Relu)]
    [Dense(3)]
    public partial class HeapScratch { }
}

namespace ModelGen.Tests.Models
{
    /// <summary>Unrolled layers large enough to be split into parts (1000 and 1024 multiply-adds).</summary>
    [Model(100)]
    [Dense(10, Activation.Relu)]
    [Dense(10, Activation.LeakyRelu)]
    public partial class Chunked { }

    [Model(128)]
    [Dense(8, Activation.Elu)]
    [Dense(128, Activation.Tanh)]
    public partial class ChunkedWide { }
}

namespace ModelGen.Tests.Models
{
    /// <summary>Glu as the last layer: the dense output is twice as wide as the model's output.</summary>
    [Model(5)]
    [Dense(8, Activation.Tanh)]
    [Dense(6, Activation.Glu)]
    public partial class GluLast { }
}

namespace ModelGen.Tests.Models
{
    /// <summary>The xor reference model of the performance issue.</summary>
    [Model(2)]
    [Dense(4, Activation.Tanh)]
    [Dense(1, Activation.Sigmoid)]
    public partial class Xor { }
}

namespace ModelGen.Tests.Models
{
    /// <summary>A scalar output layer with log_softmax written inline on its sums.</summary>
    [Model(3)]
    [Dense(2, Activation.LogSoftmax)]
    public partial class TinyLogSoftmax { }
}

namespace ModelGen.Tests.Models
{
    /// <summary>Dropout after both hidden layers (rates 0.5 and 0.2); <see cref="WithoutDropout"/> is the same network without.</summary>
    [Model(6)]
    [Dense(8, Activation.Tanh)]
    [Dropout(0.5f)]
    [Dense(5, Activation.Tanh)]
    [Dropout(0.2f)]
    [Dense(3)]
    public partial class WithDropout { }

    /// <summary><see cref="WithDropout"/> without its dropout layers: the same parameter layout.</summary>
    [Model(6)]
    [Dense(8, Activation.Tanh)]
    [Dense(5, Activation.Tanh)]
    [Dense(3)]
    public partial class WithoutDropout { }

    /// <summary>Dropout 0.25 on a wide input, then a sum: the input gradient shows the mask.</summary>
    [Model(4000)]
    [Dropout(0.25f)]
    [Dense(1, UseBias = false)]
    public partial class InputDropoutProbe { }
}
