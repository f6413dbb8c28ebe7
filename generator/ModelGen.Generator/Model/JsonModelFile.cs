namespace ModelGen.Generator.Model
{
    /// <summary>
    /// One JSON model file, parsed on its own: the detected format, the input size and the declared layers, or the
    /// diagnostics that explain why nothing can be generated from it.
    /// </summary>
    /// <remarks>
    /// This value is joined with <c>[Model(Json = ...)]</c> targets by path, so it holds only strings, numbers, enums,
    /// specs and <see cref="EquatableArray{T}"/>; never an <c>ISymbol</c>, <c>SyntaxNode</c>, <c>Location</c> or
    /// <c>Compilation</c>, not even nested. Diagnostics are carried as equatable <see cref="DiagnosticInfo"/>s.
    /// </remarks>
    /// <param name="Path">The path of the file, as given to the reader.</param>
    /// <param name="Format">A short human name of the detected format: "Keras 3", "tf.keras 2", "Keras 2.0", "Keras 1", "TensorFlow.js" or "ModelGen" ("unknown" when none matched).</param>
    /// <param name="InputSize">Floats per sample in (the input shape's dimensions multiplied when a Flatten follows); 0 when unknown.</param>
    /// <param name="Layers">The layers in application order (Dropout and Flatten emit none); empty when not <paramref name="Usable"/>.</param>
    /// <param name="Usable">True when no error was reported and the layers can be generated.</param>
    /// <param name="Diagnostics">Every diagnostic, errors and warnings, in the order found, each located in the JSON text.</param>
    internal sealed record JsonModelFile(string Path, string Format, int InputSize, EquatableArray<DeclaredLayer> Layers, bool Usable, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        /// <summary>
        /// The TensorFlow.js <c>weightsManifest</c> (empty for other formats): shard groups in file order, each with its
        /// shard paths and the tensors stored in them, in storage order.
        /// </summary>
        public EquatableArray<JsonWeightGroup> WeightsManifest { get; init; }

        /// <summary>
        /// The Keras name of each Dense layer, in the order of <see cref="Layers"/> (the names weights are stored under in
        /// <c>.h5</c> files); empty for ModelGen's own format.
        /// </summary>
        public EquatableArray<string> DenseLayerNames { get; init; }

        /// <summary>
        /// The class of each layer of <see cref="DenseLayerNames"/>, which names every layer that holds weights: <c>Dense</c>,
        /// <c>BatchNormalization</c>, or an adapted <c>Normalization</c>. Empty when all are Dense (TF.js).
        /// </summary>
        public EquatableArray<string> WeightLayerClasses { get; init; }
    }

    /// <summary>One group of a TensorFlow.js <c>weightsManifest</c>: the tensors are stored back to back across the shards, in order.</summary>
    /// <remarks>Holds only strings and specs, so it is equatable and safe to cache.</remarks>
    /// <param name="Paths">The shard files, relative to the <c>model.json</c>, in order.</param>
    /// <param name="Weights">The tensors, in storage order.</param>
    internal sealed record JsonWeightGroup(EquatableArray<string> Paths, EquatableArray<JsonWeightEntry> Weights);

    /// <summary>One tensor of a TensorFlow.js weights manifest.</summary>
    /// <remarks>Holds only strings and numbers, so it is equatable and safe to cache.</remarks>
    /// <param name="Name">The tensor name, such as <c>dense_Dense1/kernel</c> or <c>sequential/dense/bias</c>.</param>
    /// <param name="Shape">The tensor shape (a Dense kernel is <c>[inputs, units]</c>).</param>
    /// <param name="DType">The tensor dtype after dequantization, such as <c>float32</c>.</param>
    /// <param name="QuantizationDType">The stored dtype when the tensor is quantized (<c>uint8</c>, <c>uint16</c>, <c>float16</c>), else null.</param>
    internal sealed record JsonWeightEntry(string Name, EquatableArray<int> Shape, string DType, string? QuantizationDType);
}
