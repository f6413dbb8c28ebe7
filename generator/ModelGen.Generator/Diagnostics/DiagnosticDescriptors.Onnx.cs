using Microsoft.CodeAnalysis;

namespace ModelGen.Generator.Diagnostics
{
    // Diagnostics of saved ONNX models ([Model("model.onnx")]), read by src/ModelGen/Formats/Onnx. All sit on the
    // [Model] attribute that names the file.
    internal static partial class DiagnosticDescriptors
    {
        /// <summary>
        /// MGEN065: an .onnx file is not a network ModelGen can generate: malformed protobuf, an unsupported operator (Conv,
        /// LSTM, quantized operators, ...) named with its node, float64 weights for a float32 input, external-data
        /// tensors, or a graph that is not one chain. Message: "Model '{0}': '{1}' cannot be generated: {2}".
        /// </summary>
        public static readonly DiagnosticDescriptor OnnxUnsupported = new(
            id: "MGEN065",
            title: "ONNX model cannot be generated",
            messageFormat: "Model '{0}': '{1}' cannot be generated: {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);

        /// <summary>
        /// MGEN066: an .onnx file contains BatchNormalization. Folding it into the neighbouring Dense is exact at inference,
        /// but ModelGen's models train every parameter, so the normalization would no longer be frozen; the model is refused.
        /// Message: "Model '{0}': '{1}' cannot be generated: {2}".
        /// </summary>
        public static readonly DiagnosticDescriptor OnnxBatchNormalization = new(
            id: "MGEN066",
            title: "ONNX BatchNormalization is not generated",
            messageFormat: "Model '{0}': '{1}' cannot be generated: {2}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true);
    }
}
