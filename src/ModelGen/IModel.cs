using System;

namespace ModelGen
{
    /// <summary>
    /// What every generated model implements: the members of docs/API.md section 2 plus what training needs
    /// (a forward pass that keeps its trace, and the generated backward pass).
    /// </summary>
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
