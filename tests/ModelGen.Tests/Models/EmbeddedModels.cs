namespace ModelGen.Tests.Models
{
    // The reference networks of NetworkModels.cs again, with their torch parameters compiled in from weights files written by
    // tests/reference/make_weights.py (one per format). The project lists Data/weights/* as ModelGenWeights.

    [Model(4, Weights = "Data/weights/iris_like.safetensors")]
    [Dense(16, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class EmbeddedIrisLike { }

    [Model(8, Weights = "Data/weights/scorer.bin")]
    [Dense(8, UseBias = false)]
    [Activation(Activation.Tanh)]
    [Dense(1, Activation.Sigmoid)]
    public partial class EmbeddedScorer { }

    [Model(6, Weights = "./Data/weights/deep.mgw")]
    [Dense(10, Activation.Elu)]
    [Dense(7, Activation.Gelu)]
    [Dense(5, Activation.Selu)]
    [Dense(4, Activation.LogSoftmax)]
    public partial class EmbeddedDeep { }
}
