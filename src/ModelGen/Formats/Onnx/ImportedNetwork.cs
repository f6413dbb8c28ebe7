// Linked into the generator (netstandard2.0) and the runtime (net9.0): no Span, no dependency.
using System;
using System.Collections.Generic;

namespace ModelGen.Formats.Onnx
{
    /// <summary>
    /// A dense network read from a model file, in neutral form: an input width and a chain of layers with their
    /// weights as the file holds them (float32), kernels already in ModelGen's <c>[inputs x units]</c> row-major layout.
    /// The generator maps it to its network spec; the runtime checks it against a model and loads its weights.
    /// </summary>
    internal sealed class ImportedNetwork
    {
        /// <summary>Creates a network.</summary>
        public ImportedNetwork(int inputSize, IReadOnlyList<int> inputShape, IReadOnlyList<ImportedLayer> layers, string description)
        {
            InputSize = inputSize;
            InputShape = inputShape;
            Layers = layers;
            Description = description;
        }

        /// <summary>Floats per sample in (the product of <see cref="InputShape"/>).</summary>
        public int InputSize { get; }

        /// <summary>The per-sample input shape as the file declares it (batch axis removed): <c>[784]</c>, <c>[1, 28, 28]</c>.</summary>
        public IReadOnlyList<int> InputShape { get; }

        /// <summary>The layers in application order.</summary>
        public IReadOnlyList<ImportedLayer> Layers { get; }

        /// <summary>Where the network came from, for messages and docs (<c>ONNX IR 7, opset 14, pytorch 1.13.1</c>).</summary>
        public string Description { get; }

        /// <summary>
        /// Why ModelGen cannot build this network, or null. Every layer the reader produces is supported now: batch
        /// normalization runs as a frozen affine map whose vectors are the model's non-trainable state. Kept for callers.
        /// </summary>
        public string? UnsupportedLayer() => null;

        /// <summary>
        /// The batch normalization layers' vectors in the model's non-trainable layout: per layer scale (gamma), B (beta),
        /// mean, variance.
        /// </summary>
        public float[] State()
        {
            var state = new List<float>();
            foreach (ImportedLayer layer in Layers)
            {
                if (layer is not ImportedBatchNorm b) continue;
                state.AddRange(b.Gamma);
                state.AddRange(b.Beta);
                state.AddRange(b.Mean);
                state.AddRange(b.Variance);
            }
            return state.ToArray();
        }

        /// <summary>The lengths of the vectors in <see cref="State"/>, in order (as <c>IModel.NonTrainableTensorSizes</c>).</summary>
        public int[] StateSizes()
        {
            var sizes = new List<int>();
            foreach (ImportedLayer layer in Layers)
            {
                if (layer is ImportedBatchNorm b) sizes.AddRange(new[] { b.Gamma.Length, b.Beta.Length, b.Mean.Length, b.Variance.Length });
            }
            return sizes.ToArray();
        }

        /// <summary>
        /// The weights in ModelGen's flat parameter layout (Keras <c>get_weights()</c> order): for each dense layer its
        /// kernel <c>[inputs x units]</c> row-major, then its bias when it has one.
        /// </summary>
        public float[] FlatParameters()
        {
            long count = 0;
            foreach (ImportedLayer layer in Layers)
            {
                if (layer is ImportedDense d) count += d.Kernel.LongLength + (d.Bias?.LongLength ?? 0);
            }
            var flat = new float[count];
            long at = 0;
            foreach (ImportedLayer layer in Layers)
            {
                if (layer is not ImportedDense d) continue;
                Array.Copy(d.Kernel, 0, flat, at, d.Kernel.LongLength);
                at += d.Kernel.LongLength;
                if (d.Bias is null) continue;
                Array.Copy(d.Bias, 0, flat, at, d.Bias.LongLength);
                at += d.Bias.LongLength;
            }
            return flat;
        }

        /// <summary>The lengths of the tensors in <see cref="FlatParameters"/>, in order (as <c>IModel.TensorSizes</c>).</summary>
        public int[] TensorSizes()
        {
            var sizes = new List<int>();
            foreach (ImportedLayer layer in Layers)
            {
                if (layer is not ImportedDense d) continue;
                sizes.Add(d.Kernel.Length);
                if (d.Bias is not null) sizes.Add(d.Bias.Length);
            }
            return sizes.ToArray();
        }

        /// <summary>Floats per sample out.</summary>
        public int OutputSize
        {
            get
            {
                int width = InputSize;
                foreach (ImportedLayer layer in Layers) width = layer.OutputWidth(width);
                return width;
            }
        }
    }

    /// <summary>One layer of an <see cref="ImportedNetwork"/>.</summary>
    internal abstract class ImportedLayer
    {
        /// <summary>Creates a layer read from <paramref name="source"/>.</summary>
        protected ImportedLayer(string source) => Source = source;

        /// <summary>What in the file this layer came from (<c>Gemm node '/fc1/Gemm'</c>), for messages.</summary>
        public string Source { get; }

        /// <summary>The width after this layer, given the width before it.</summary>
        public virtual int OutputWidth(int inputWidth) => inputWidth;
    }

    /// <summary>A dense layer: <c>y = x @ Kernel + Bias</c>.</summary>
    internal sealed class ImportedDense : ImportedLayer
    {
        /// <summary>Creates a dense layer.</summary>
        public ImportedDense(string source, int inputs, int units, float[] kernel, float[]? bias)
            : base(source)
        {
            Inputs = inputs;
            Units = units;
            Kernel = kernel;
            Bias = bias;
        }

        /// <summary>Input width.</summary>
        public int Inputs { get; }

        /// <summary>Output width.</summary>
        public int Units { get; }

        /// <summary><c>Inputs x Units</c> row-major: element <c>[i, j]</c> is the weight from input i to unit j.</summary>
        public float[] Kernel { get; }

        /// <summary><c>Units</c> values, or null for a layer without a bias.</summary>
        public float[]? Bias { get; }

        /// <inheritdoc/>
        public override int OutputWidth(int inputWidth) => Units;
    }

    /// <summary>An activation function applied to every unit (or, for softmax-like functions, to each sample's units).</summary>
    internal sealed class ImportedActivation : ImportedLayer
    {
        /// <summary>Creates an activation; parameters a function does not take are NaN.</summary>
        public ImportedActivation(string source, Activation kind, float alpha = float.NaN, float negativeSlope = float.NaN)
            : base(source)
        {
            Kind = kind;
            Alpha = alpha;
            NegativeSlope = negativeSlope;
        }

        /// <summary>The function; its formula equals the file's operator's.</summary>
        public Activation Kind { get; }

        /// <summary>Keras name of <see cref="Kind"/>.</summary>
        public string KerasName => ActivationCatalog.KerasName(Kind);

        /// <summary>Alpha of elu (NaN for the others).</summary>
        public float Alpha { get; }

        /// <summary>Negative slope of leaky_relu (NaN for the others).</summary>
        public float NegativeSlope { get; }
    }

    /// <summary>Batch normalization in inference mode: <c>gamma (x - mean) / sqrt(variance + epsilon) + beta</c> per unit.</summary>
    internal sealed class ImportedBatchNorm : ImportedLayer
    {
        /// <summary>Creates a batch normalization layer.</summary>
        public ImportedBatchNorm(string source, float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon)
            : base(source)
        {
            Gamma = gamma;
            Beta = beta;
            Mean = mean;
            Variance = variance;
            Epsilon = epsilon;
        }

        /// <summary>Scale per unit.</summary>
        public float[] Gamma { get; }
        /// <summary>Offset per unit.</summary>
        public float[] Beta { get; }
        /// <summary>Running (moving) mean per unit.</summary>
        public float[] Mean { get; }
        /// <summary>Running (moving) variance per unit.</summary>
        public float[] Variance { get; }
        /// <summary>Added to the variance before the square root.</summary>
        public float Epsilon { get; }
    }

    /// <summary>Dropout: the identity at inference; in training, inverted dropout of <see cref="Rate"/>.</summary>
    internal sealed class ImportedDropout : ImportedLayer
    {
        /// <summary>Creates a dropout layer.</summary>
        public ImportedDropout(string source, float rate)
            : base(source) => Rate = rate;

        /// <summary>The fraction of values dropped in training.</summary>
        public float Rate { get; }
    }
}
