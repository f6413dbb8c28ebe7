namespace ModelGen.Tests.Models
{
    // The reference networks of NetworkModels.cs again, with their torch parameters compiled in from weights files written by
    // tests/reference/make_weights.py (one per format). The project lists Data/weights/* as ModelGenWeights.

    [Model(4, Weights = "Data/weights/iris_like.safetensors")]
    [Dense(16, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class EmbeddedIrisLike { }

    // The same parameters as PyTorch's safetensors writer stores nn.Sequential's state_dict: weights [out, in], bias first.
    [Model(4, Weights = "Data/weights/iris_like.torch.safetensors")]
    [Dense(16, Activation.Relu)]
    [Dense(3, Activation.Softmax)]
    public partial class TorchIrisLike { }

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

namespace ModelGen.Tests.Models
{
    // The same three networks declared by JSON files (Keras 3 to_json, a TensorFlow.js model.json, ModelGen's format),
    // written by tests/reference/make_weights.py, with the same weights files.

    [Model(Json = "Data/json/iris_like.keras.json", Weights = "Data/weights/iris_like.safetensors")]
    public partial class JsonIrisLike { }

    [Model(Json = "Data/json/scorer.model.json", Weights = "Data/weights/scorer.bin")]
    public partial class JsonScorer { }

    [Model(6, Json = "Data/json/deep.modelgen.json", Weights = "Data/weights/deep.mgw")]
    public partial class JsonDeep { }
}
