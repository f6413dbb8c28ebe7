using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    // Diagnostics of the JSON model reader (JsonModelReader). It also reports MGEN006 (model too large),
    // MGEN009-MGEN011 (activation parameters, through AttributeReader.ResolveActivation) and MGEN012 (glu on an odd width).
    internal static partial class DiagnosticDescriptors
    {
        /// <summary>MGEN021: a JSON model file does not parse (the location is the offending character). Message: "'{0}' is not valid JSON: {1}".</summary>
        public static readonly DiagnosticDescriptor InvalidJson = new(
            id: "MGEN021",
            title: "JSON model file is not valid JSON",
            messageFormat: "'{0}' is not valid JSON: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN022: the top level of a JSON file matches none of the accepted formats (Keras model.to_json(), TensorFlow.js model.json, ModelGen's own format). Message: "'{0}' is not a model ModelGen can read: {1}".</summary>
        public static readonly DiagnosticDescriptor JsonNotAModel = new(
            id: "MGEN022",
            title: "JSON file is not a model",
            messageFormat: "'{0}' is not a model ModelGen can read: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN023: the model is not a sequential stack: an unknown model class, a functional graph that is not a single chain, or a nested model. Message: "Model class '{0}' is not supported: {1}".</summary>
        public static readonly DiagnosticDescriptor JsonUnsupportedModel = new(
            id: "MGEN023",
            title: "Unsupported model structure",
            messageFormat: "Model class '{0}' is not supported: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN024: a layer's class is not one ModelGen can generate (Conv2D, BatchNormalization, ...); {0} names the layer and its class. Message: "{0} is not supported: ModelGen reads InputLayer, Dense, Activation, Dropout, Flatten, ReLU, LeakyReLU, ELU, Softmax, ThresholdedReLU, BatchNormalization, Normalization and Rescaling layers".</summary>
        public static readonly DiagnosticDescriptor JsonUnsupportedLayer = new(
            id: "MGEN024",
            title: "Unsupported layer",
            messageFormat: "{0} is not supported: ModelGen reads InputLayer, Dense, Activation, Dropout, Flatten, ReLU, LeakyReLU, ELU, Softmax, ThresholdedReLU, BatchNormalization, Normalization and Rescaling layers",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN025: an activation name (or serialized activation object) does not name a Keras activation ModelGen knows. Message: "Unknown activation {0}: use a Keras name such as "relu", "tanh" or "softmax"".</summary>
        public static readonly DiagnosticDescriptor JsonUnknownActivation = new(
            id: "MGEN025",
            title: "Unknown activation",
            messageFormat: "Unknown activation {0}: use a Keras name such as \"relu\", \"tanh\" or \"softmax\"",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN026: a required property is absent, such as a Dense layer's 'units' or a layer's 'class_name'. Message: "{0} needs {1}".</summary>
        public static readonly DiagnosticDescriptor JsonMissingProperty = new(
            id: "MGEN026",
            title: "Required JSON property missing",
            messageFormat: "{0} needs {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN027: a property has the wrong type or an unusable value, such as units that are not a positive integer or a ReLU max_value other than 6. Message: "{0} must be {1}, but is {2}".</summary>
        public static readonly DiagnosticDescriptor JsonInvalidValue = new(
            id: "MGEN027",
            title: "Invalid JSON value",
            messageFormat: "{0} must be {1}, but is {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN028: nothing gives the input size: no InputLayer, no batch_input_shape on the first layer, no build_input_shape, or no 'inputs' in the ModelGen format. Message: "The model in '{0}' has no input shape: {1}".</summary>
        public static readonly DiagnosticDescriptor JsonMissingInputShape = new(
            id: "MGEN028",
            title: "Model input shape missing",
            messageFormat: "The model in '{0}' has no input shape: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN029: a Dense (or vector-wise activation) layer would receive a multi-dimensional input that no Flatten layer flattened. Message: "{0} receives an input of shape {1}, but ModelGen works on flat vectors: add a Flatten layer before it".</summary>
        public static readonly DiagnosticDescriptor JsonInputNotFlat = new(
            id: "MGEN029",
            title: "Input is not flat",
            messageFormat: "{0} receives an input of shape {1}, but ModelGen works on flat vectors: add a Flatten layer before it",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN030: a layer or model dtype (or dtype policy) is neither float32 nor a mixed float16/bfloat16 policy. Message: "dtype '{0}' is not supported and is ignored: ModelGen computes in float32".</summary>
        public static readonly DiagnosticDescriptor JsonUnsupportedDType = new(
            id: "MGEN030",
            title: "Unsupported dtype",
            messageFormat: "dtype '{0}' is not supported and is ignored: ModelGen computes in float32",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        /// <summary>MGEN031: a regularizer or constraint is set on a layer. Message: "'{0}' of {1} only affects training in Keras and is ignored".</summary>
        public static readonly DiagnosticDescriptor JsonTrainingOptionIgnored = new(
            id: "MGEN031",
            title: "Training-time option ignored",
            messageFormat: "'{0}' of {1} only affects training in Keras and is ignored",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        /// <summary>MGEN032: an initializer name or class is not one of the Initializer enum (Orthogonal, Identity, custom, misspelled); the layer default is used, which matters only when no weights file is given. Message: "Initializer {0} is not supported: ModelGen uses {1} instead".</summary>
        public static readonly DiagnosticDescriptor JsonUnknownInitializer = new(
            id: "MGEN032",
            title: "Unknown initializer",
            messageFormat: "Initializer {0} is not supported: ModelGen uses {1} instead",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        /// <summary>MGEN033: an initializer has parameters ModelGen's Initializer enum cannot express (a RandomNormal stddev other than 0.05, a Constant other than 0 or 1, an unmatched VarianceScaling); the closest member is used, which matters only when no weights file is given. Message: "Initializer {0} with {1} is not supported exactly: ModelGen uses {2} instead".</summary>
        public static readonly DiagnosticDescriptor JsonInitializerApproximated = new(
            id: "MGEN033",
            title: "Initializer parameters not supported",
            messageFormat: "Initializer {0} with {1} is not supported exactly: ModelGen uses {2} instead",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true);

        /// <summary>MGEN034: the layer list is empty or holds only layers that are identities at inference (Dropout, Flatten, linear Activation). Message: "The model in '{0}' has no layers that compute anything".</summary>
        public static readonly DiagnosticDescriptor JsonNoLayers = new(
            id: "MGEN034",
            title: "JSON model has no layers",
            messageFormat: "The model in '{0}' has no layers that compute anything",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
    }
}
