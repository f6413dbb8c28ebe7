using System;

namespace ModelGen
{
    /// <summary>
    /// What every generated model implements: the members of docs/API.md section 2 plus what training needs
    /// (a forward pass that keeps its trace, and the generated backward pass).
    /// </summary>
    /// <remarks>
    /// A class with <c>[Model]</c> gets this interface and its implementation from the generator; do not implement it by
    /// hand. <c>Fit</c>, the losses and the weight files program against it. The generated class also has static members an
    /// interface cannot carry: the constants <c>InputSize</c>, <c>OutputSize</c> and <c>ParameterCount</c>,
    /// <c>Summary()</c> (Keras's <c>model.summary()</c> table) and, with embedded weights, <c>Predict</c>. An instance is
    /// safe to share for <see cref="Forward"/>; the training members use the instance's trace workspace and are not
    /// thread-safe on one instance.
    /// </remarks>
    public interface IModel
    {
        /// <summary>Floats per sample in.</summary>
        int InputSize { get; }

        /// <summary>Floats per sample out.</summary>
        int OutputSize { get; }

        /// <summary>Length of the flat parameter vector.</summary>
        int ParameterCount { get; }

        /// <summary>The flat parameter vector in Keras <c>get_weights()</c> order.</summary>
        Span<float> Parameters { get; }

        /// <summary>
        /// The lengths of the weight tensors in <see cref="Parameters"/>, in order (Keras <c>get_weights()</c>: each Dense
        /// layer's kernel, then its bias): what <see cref="Optimizer.ClipNorm"/> clips one by one.
        /// </summary>
        ReadOnlySpan<int> TensorSizes { get; }

        /// <summary>
        /// Length of the non-trainable state: the stored vectors of the model's BatchNormalization and adapted Normalization
        /// layers (Keras's <c>non_trainable_weights</c>, plus BatchNormalization's gamma and beta, which ModelGen keeps frozen).
        /// 0 for models without such layers.
        /// </summary>
        int NonTrainableParameterCount => 0;

        /// <summary>
        /// The non-trainable state, in layer order: per BatchNormalization layer gamma (when it scales), beta (when it
        /// centers), moving_mean and moving_variance; per adapted Normalization layer mean and variance. Training never changes
        /// it; <see cref="SetNonTrainableParameters"/> and the weight loaders do.
        /// </summary>
        ReadOnlySpan<float> NonTrainableParameters => default;

        /// <summary>The lengths of the vectors in <see cref="NonTrainableParameters"/>, in order.</summary>
        ReadOnlySpan<int> NonTrainableTensorSizes => default;

        /// <summary>
        /// Replaces the non-trainable state (<see cref="NonTrainableParameterCount"/> floats, the layout of
        /// <see cref="NonTrainableParameters"/>) and refolds the layers' affine maps. All-or-nothing: a wrong length, a
        /// non-finite value, or a variance the layer cannot use throws <see cref="ArgumentException"/> and changes nothing.
        /// </summary>
        void SetNonTrainableParameters(ReadOnlySpan<float> values)
        {
            if (values.Length != 0) throw new ArgumentException($"This model has no non-trainable state; {values.Length} values were given.", nameof(values));
        }

        /// <summary>The activation of the last layer; losses use it to work from logits after Softmax or Sigmoid.</summary>
        Activation OutputActivation { get; }

        /// <summary>
        /// Computes <c>n = input.Length / InputSize</c> samples; <paramref name="output"/> receives
        /// <c>n * OutputSize</c> floats. Allocation-free; wrong lengths throw <see cref="ArgumentException"/>.
        /// </summary>
        void Forward(ReadOnlySpan<float> input, Span<float> output);

        /// <summary>
        /// Runs the forward pass for <c>n</c> samples and keeps the trace that <see cref="Backward"/> needs.
        /// <paramref name="output"/> receives the outputs and <paramref name="logits"/> (if not empty) the
        /// last layer's values before its activation, <c>n * OutputSize</c> floats each (for Glu: twice that).
        /// The trace lives in a workspace owned by the model and reused: after the first call with a given
        /// batch size, nothing is allocated. Not thread-safe on one instance.
        /// </summary>
        void ForwardTrace(ReadOnlySpan<float> input, Span<float> output, Span<float> logits);

        /// <summary>
        /// Back-propagates through the last <see cref="ForwardTrace"/>. <paramref name="gradient"/> is the gradient of
        /// the loss with respect to the outputs or, when <paramref name="gradientIsForLogits"/>, with respect to the
        /// last layer's values before its activation. <paramref name="parameterGradient"/> (<c>ParameterCount</c>
        /// floats) is overwritten with the gradient summed over the samples; <paramref name="inputGradient"/>
        /// (empty, or <c>n * InputSize</c> floats) receives the input gradient.
        /// </summary>
        void Backward(ReadOnlySpan<float> gradient, bool gradientIsForLogits, Span<float> parameterGradient, Span<float> inputGradient);

        /// <summary>
        /// Restarts the random stream of the model's dropout layers: after the same seed, the same sequence of
        /// <see cref="ForwardTrace"/> and <see cref="ComputeGradients"/> calls drops the same values. Dropout applies in
        /// those two (training, as Keras's <c>fit</c>) and never in <see cref="Forward"/>. Models without dropout ignore it.
        /// <c>Fit</c> calls it with its own seed, so a training run is reproducible.
        /// </summary>
        void SeedDropout(int seed);

        /// <summary>
        /// Gradients of the batch-mean loss (Keras "sum_over_batch_size"). Returns the loss.
        /// <paramref name="parameterGradient"/> is overwritten; <paramref name="inputGradient"/> is optional.
        /// The parameters are never changed. A non-finite loss throws <see cref="ArithmeticException"/> before any
        /// gradient is written.
        /// </summary>
        float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Loss loss,
                               Span<float> parameterGradient, Span<float> inputGradient = default);
    }
}
