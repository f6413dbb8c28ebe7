using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    /// <summary>Diagnostics of saved model files: <c>[Model("m.keras")]</c> and Keras weights files (MGEN050-MGEN064).</summary>
    internal static partial class DiagnosticDescriptors
    {
        /// <summary>
        /// MGEN056: the stored vectors of a BatchNormalization or Normalization layer cannot be folded into its affine map (a
        /// non-finite value, a variance plus epsilon that is not positive, a scale that overflows float32). Message: "Model '{0}':
        /// the non-trainable state in '{1}' cannot be used: {2}".
        /// </summary>
        public static readonly DiagnosticDescriptor AffineStateUnusable = new(
            id: "MGEN056",
            title: "Normalization state cannot be used",
            messageFormat: "Model '{0}': the non-trainable state in '{1}' cannot be used: {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN050: <c>[Model(path)]</c> together with Json, Weights or layer attributes. Message: "Model '{0}': [Model("{1}")] takes the architecture and the weights from the file; remove Json, Weights and the layer attributes".</summary>
        public static readonly DiagnosticDescriptor SavedModelWithJsonOrWeights = new(
            id: "MGEN050",
            title: "A saved model file brings its own architecture and weights",
            messageFormat: "Model '{0}': [Model(\"{1}\")] takes the architecture and the weights from the file; remove Json, Weights and the layer attributes",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN051: the saved model file is not an AdditionalFile. Message: "Model '{0}': saved model file '{1}' is not among the project's AdditionalFiles (list it as &lt;AdditionalFiles Include="{1}" /&gt;)".</summary>
        public static readonly DiagnosticDescriptor SavedModelNotFound = new(
            id: "MGEN051",
            title: "Saved model file not found",
            messageFormat: "Model '{0}': saved model file '{1}' is not among the project's AdditionalFiles (list it as <AdditionalFiles Include=\"{1}\" />)",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN052: the saved model file is corrupt, truncated or not a Keras file. Message: "Model '{0}': saved model file '{1}' cannot be read: {2}".</summary>
        public static readonly DiagnosticDescriptor SavedModelUnreadable = new(
            id: "MGEN052",
            title: "Saved model file cannot be read",
            messageFormat: "Model '{0}': saved model file '{1}' cannot be read: {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN053: <c>Weights</c> names an ONNX file, which carries its own architecture. Message: "Model '{0}': '{1}' is an ONNX model, which brings its own architecture: declare it as [Model("{1}")] instead of Weights".</summary>
        public static readonly DiagnosticDescriptor OnnxNotSupported = new(
            id: "MGEN053",
            title: "ONNX file given as Weights",
            messageFormat: "Model '{0}': '{1}' is an ONNX model, which brings its own architecture: declare it as [Model(\"{1}\")] instead of Weights",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN054: <c>[Model(path)]</c> names a weights-only file. Message: "Model '{0}': '{1}' holds weights only, no architecture; declare [Model(Json = "&lt;architecture&gt;.json", Weights = "{1}")]".</summary>
        public static readonly DiagnosticDescriptor SavedModelHoldsOnlyWeights = new(
            id: "MGEN054",
            title: "Saved model file holds weights only",
            messageFormat: "Model '{0}': '{1}' holds weights only, no architecture; declare [Model(Json = \"<architecture>.json\", Weights = \"{1}\")]",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>MGEN055: a Keras file's weights do not fit the model's layers. Message: "Model '{0}': the weights in '{1}' do not fit the model: {2}".</summary>
        public static readonly DiagnosticDescriptor KerasWeightsMisfit = new(
            id: "MGEN055",
            title: "Keras weights do not fit the model",
            messageFormat: "Model '{0}': the weights in '{1}' do not fit the model: {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
    }
}
