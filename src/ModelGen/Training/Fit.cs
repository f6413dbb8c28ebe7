using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace ModelGen
{
    /// <summary>Early stopping: stop when the monitored loss has not improved by <see cref="MinDelta"/> for <see cref="Patience"/> epochs.</summary>
    /// <param name="Patience">Epochs without improvement before stopping (Keras default 0 means stop at the first non-improvement; here at least 1).</param>
    /// <param name="MinDelta">Smallest decrease of the monitored loss that counts as an improvement.</param>
    /// <param name="RestoreBestParameters">Put back the parameters of the best epoch when stopping (and at the end).</param>
    public sealed record EarlyStopping(int Patience = 5, float MinDelta = 0f, bool RestoreBestParameters = true);

    /// <summary>Options of <see cref="Training.Fit"/>.</summary>
    public sealed class TrainingOptions
    {
        /// <summary>Passes over the training data (default 10).</summary>
        public int Epochs { get; init; } = 10;

        /// <summary>Samples per mini-batch (default 32, as Keras); the last batch of an epoch may be smaller.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>Shuffle the samples before every epoch (default true).</summary>
        public bool Shuffle { get; init; } = true;

        /// <summary>Seed of the shuffling and of the dropout masks: the same seed, data and model give the same parameters, bit for bit.</summary>
        public int Seed { get; init; }

        /// <summary>Validation inputs (n * InputSize floats), evaluated after every epoch; optional.</summary>
        public float[]? ValidationInputs { get; init; }

        /// <summary>Validation targets, in the loss's target layout; required with <see cref="ValidationInputs"/>.</summary>
        public float[]? ValidationTargets { get; init; }

        /// <summary>Receives each epoch's result.</summary>
        public IProgress<EpochResult>? Progress { get; init; }

        /// <summary>Called after each epoch, on the training thread; return false to stop training.</summary>
        public Func<EpochResult, bool>? OnEpoch { get; init; }

        /// <summary>Optional early stopping, on the validation loss when there is validation data, else on the training loss.</summary>
        public EarlyStopping? EarlyStopping { get; init; }
    }

    /// <summary>One epoch's figures. Accuracies are present for the cross-entropy losses.</summary>
    /// <param name="Epoch">1-based epoch number.</param>
    /// <param name="Loss">Mean training loss over the epoch's batches (weighted by batch size), computed before each update, as Keras reports it.</param>
    /// <param name="Accuracy">Training accuracy over the epoch, from the same forward passes.</param>
    /// <param name="ValidationLoss">Loss on the validation data after the epoch.</param>
    /// <param name="ValidationAccuracy">Accuracy on the validation data after the epoch.</param>
    /// <param name="Elapsed">Wall time of the epoch.</param>
    public readonly record struct EpochResult(int Epoch, float Loss, float? Accuracy, float? ValidationLoss, float? ValidationAccuracy, TimeSpan Elapsed);

    /// <summary>What <see cref="Training.Fit"/> did.</summary>
    public sealed class TrainingHistory
    {
        internal TrainingHistory(List<EpochResult> epochs, bool stoppedEarly, int bestEpoch)
        {
            Epochs = epochs;
            StoppedEarly = stoppedEarly;
            BestEpoch = bestEpoch;
        }

        /// <summary>Every epoch, in order.</summary>
        public IReadOnlyList<EpochResult> Epochs { get; }

        /// <summary>True when early stopping or <see cref="TrainingOptions.OnEpoch"/> ended training before the last epoch.</summary>
        public bool StoppedEarly { get; }

        /// <summary>The epoch with the lowest monitored loss (1-based).</summary>
        public int BestEpoch { get; }

        /// <summary>The last epoch's result.</summary>
        public EpochResult Last => Epochs[Epochs.Count - 1];
    }

    /// <summary>Mini-batch training and evaluation of generated models.</summary>
    public static class Training
    {
        /// <summary>
        /// Trains <paramref name="model"/> on <paramref name="inputs"/> (n * InputSize floats) and <paramref name="targets"/>
        /// (the loss's layout: n * OutputSize, or n class indices for sparse cross-entropy) with <paramref name="optimizer"/>.
        /// After the first batch nothing is allocated per batch. A non-finite loss stops training with an
        /// <see cref="ArithmeticException"/> naming the epoch and batch; that batch's update is not applied, so the parameters
        /// are those after the previous batch.
        /// </summary>
        public static TrainingHistory Fit(this IModel model, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Loss loss, Optimizer optimizer, TrainingOptions? options = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(loss);
            ArgumentNullException.ThrowIfNull(optimizer);
            options ??= new TrainingOptions();
            if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be at least 1.");
            if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
            int inSize = model.InputSize, outSize = model.OutputSize;
            int n = Shapes.Samples(inputs.Length, inSize, nameof(inputs));
            loss.ValidateTargets(targets, n, outSize);
            int targetWidth = loss.TargetLength(1, outSize);
            bool hasValidation = options.ValidationInputs is not null;
            if (hasValidation != (options.ValidationTargets is not null)) throw new ArgumentException("ValidationInputs and ValidationTargets go together.", nameof(options));
            if (hasValidation)
            {
                int vn = Shapes.Samples(options.ValidationInputs!.Length, inSize, "ValidationInputs");
                loss.ValidateTargets(options.ValidationTargets, vn, outSize);
            }

            int batch = Math.Min(options.BatchSize, n);
            var order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            var random = new SeededRandom(options.Seed);
            model.SeedDropout(options.Seed); // the dropout masks follow the seed too
            var x = new float[batch * inSize];
            var t = new float[batch * targetWidth];
            var buffers = new Buffers(batch, outSize, model);
            var gradient = new float[model.ParameterCount];
            float[]? best = options.EarlyStopping is { RestoreBestParameters: true } ? model.Parameters.ToArray() : null;
            float bestLoss = float.PositiveInfinity;
            int bestEpoch = 0, waited = 0;
            var epochs = new List<EpochResult>(options.Epochs);
            bool stoppedEarly = false;
            bool classification = loss.Kind is LossKind.CategoricalCrossentropy or LossKind.SparseCategoricalCrossentropy or LossKind.BinaryCrossentropy;

            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                long start = Stopwatch.GetTimestamp();
                if (options.Shuffle)
                {
                    for (int i = n - 1; i > 0; i--)
                    {
                        int j = random.NextInt(i + 1);
                        (order[i], order[j]) = (order[j], order[i]);
                    }
                }
                double lossSum = 0, correct = 0, counted = 0;
                for (int first = 0, index = 0; first < n; first += batch, index++)
                {
                    int m = Math.Min(batch, n - first);
                    for (int k = 0; k < m; k++)
                    {
                        int s = order[first + k];
                        inputs.Slice(s * inSize, inSize).CopyTo(x.AsSpan(k * inSize));
                        targets.Slice(s * targetWidth, targetWidth).CopyTo(t.AsSpan(k * targetWidth));
                    }
                    float value;
                    try
                    {
                        value = buffers.Gradients(model, x.AsSpan(0, m * inSize), t.AsSpan(0, m * targetWidth), loss, m, gradient);
                    }
                    catch (ArithmeticException e)
                    {
                        throw new ArithmeticException($"Training stopped at epoch {epoch}, batch {index + 1}: {e.Message}", e);
                    }
                    optimizer.Step(model.Parameters, gradient, model.TensorSizes);
                    lossSum += (double)value * m;
                    if (classification)
                    {
                        (double c, double total) = Metrics.Correct(loss, buffers.Outputs(m), t.AsSpan(0, m * targetWidth), m, outSize);
                        correct += c;
                        counted += total;
                    }
                }

                float? validationLoss = null, validationAccuracy = null;
                if (hasValidation)
                {
                    (float vl, float? va) = model.Evaluate(options.ValidationInputs, options.ValidationTargets, loss, batch);
                    validationLoss = vl;
                    validationAccuracy = va;
                }
                var result = new EpochResult(epoch, (float)(lossSum / n), classification ? (float)(correct / counted) : null,
                                             validationLoss, validationAccuracy, Stopwatch.GetElapsedTime(start));
                epochs.Add(result);
                options.Progress?.Report(result);

                bool stopRequested = options.OnEpoch is not null && !options.OnEpoch(result);
                float monitored = validationLoss ?? result.Loss;
                if (monitored < bestLoss - (options.EarlyStopping?.MinDelta ?? 0f))
                {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    waited = 0;
                    if (best is not null) model.Parameters.CopyTo(best);
                }
                else if (options.EarlyStopping is { } stopping && ++waited >= Math.Max(1, stopping.Patience))
                {
                    stoppedEarly = epoch < options.Epochs;
                    break;
                }
                if (stopRequested)
                {
                    stoppedEarly = epoch < options.Epochs;
                    break;
                }
            }
            if (best is not null && bestEpoch > 0) best.CopyTo(model.Parameters);
            return new TrainingHistory(epochs, stoppedEarly, bestEpoch);
        }

        /// <summary>
        /// The batch-mean loss and (for cross-entropy losses) the accuracy of <paramref name="model"/> on a data set, computed
        /// in batches of <paramref name="batchSize"/>. Parameters are not changed.
        /// </summary>
        public static (float Loss, float? Accuracy) Evaluate(this IModel model, ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Loss loss, int batchSize = 256)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(loss);
            int inSize = model.InputSize, outSize = model.OutputSize;
            int n = Shapes.Samples(inputs.Length, inSize, nameof(inputs));
            loss.ValidateTargets(targets, n, outSize);
            int targetWidth = loss.TargetLength(1, outSize);
            int batch = Math.Max(1, Math.Min(batchSize, n));
            var buffers = new Buffers(batch, outSize, model);
            bool classification = loss.Kind is LossKind.CategoricalCrossentropy or LossKind.SparseCategoricalCrossentropy or LossKind.BinaryCrossentropy;
            double lossSum = 0, correct = 0, counted = 0;
            for (int first = 0; first < n; first += batch)
            {
                int m = Math.Min(batch, n - first);
                lossSum += (double)buffers.Loss(model, inputs.Slice(first * inSize, m * inSize), targets.Slice(first * targetWidth, m * targetWidth), loss, m) * m;
                if (classification)
                {
                    (double c, double total) = Metrics.Correct(loss, buffers.Outputs(m), targets.Slice(first * targetWidth, m * targetWidth), m, outSize);
                    correct += c;
                    counted += total;
                }
            }
            return ((float)(lossSum / n), classification ? (float)(correct / counted) : null);
        }

        /// <summary>Outputs, logits and loss gradient of one batch, allocated once.</summary>
        private sealed class Buffers
        {
            private readonly float[] _outputs, _logits, _lossGradient;
            private readonly int _outSize, _logitWidth;

            public Buffers(int batch, int outSize, IModel model)
            {
                _outSize = outSize;
                // The last layer's width before its activation equals OutputSize except for glu (twice as wide).
                _logitWidth = model.OutputActivation == Activation.Glu ? 2 * outSize : outSize;
                _outputs = new float[batch * outSize];
                _logits = new float[batch * _logitWidth];
                _lossGradient = new float[batch * _logitWidth];
            }

            public ReadOnlySpan<float> Outputs(int m) => _outputs.AsSpan(0, m * _outSize);

            public float Loss(IModel model, ReadOnlySpan<float> x, ReadOnlySpan<float> t, ModelGen.Loss loss, int m)
            {
                model.ForwardTrace(x, _outputs.AsSpan(0, m * _outSize), _logits.AsSpan(0, m * _logitWidth));
                return loss.Evaluate(_outputs.AsSpan(0, m * _outSize), _logits.AsSpan(0, m * _logitWidth), t, m, _outSize, model.OutputActivation, _lossGradient.AsSpan(0, m * _outSize));
            }

            public float Gradients(IModel model, ReadOnlySpan<float> x, ReadOnlySpan<float> t, ModelGen.Loss loss, int m, Span<float> gradient)
            {
                float value = Loss(model, x, t, loss, m);
                model.Backward(_lossGradient.AsSpan(0, m * _outSize), loss.UsesLogits(model.OutputActivation), gradient, default);
                return value;
            }
        }
    }

    /// <summary>Accuracy counting as Keras's accuracy metrics do.</summary>
    internal static class Metrics
    {
        /// <summary>(correct, total): argmax agreement for categorical losses, threshold 0.5 per output for binary cross-entropy.</summary>
        public static (double Correct, double Total) Correct(Loss loss, ReadOnlySpan<float> outputs, ReadOnlySpan<float> targets, int n, int width)
        {
            double correct = 0;
            if (loss.Kind == LossKind.BinaryCrossentropy)
            {
                for (int i = 0; i < n * width; i++) correct += (outputs[i] >= 0.5f) == (targets[i] >= 0.5f) ? 1 : 0;
                return (correct, n * width);
            }
            for (int s = 0; s < n; s++)
            {
                int predicted = ArgMax(outputs.Slice(s * width, width));
                int actual = loss.Kind == LossKind.SparseCategoricalCrossentropy ? (int)targets[s] : ArgMax(targets.Slice(s * width, width));
                correct += predicted == actual ? 1 : 0;
            }
            return (correct, n);
        }

        public static int ArgMax(ReadOnlySpan<float> values)
        {
            int best = 0;
            for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
            return best;
        }
    }
}
