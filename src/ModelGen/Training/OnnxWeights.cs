using System;
using System.Collections.Generic;
using System.IO;
using ModelGen.Formats;
using ModelGen.Formats.Onnx;

namespace ModelGen
{
    /// <summary>
    /// Loads the weights of an <c>.onnx</c> file (a network retrained in PyTorch and exported again, say) into an existing
    /// model, without a rebuild. The file is read with the same reader the generator uses; its architecture is checked
    /// against the model (input and output sizes, every weight tensor in order, the output activation) and any difference
    /// is named. All-or-nothing: the parameters change only when the whole file fits.
    /// </summary>
    public static class OnnxWeights
    {
        /// <summary>Largest file read (the model size limit in float32 plus room for the graph).</summary>
        private const long MaxFileBytes = (1L << 29) + (1L << 24);

        /// <summary>Loads the weights of the ONNX file at <paramref name="path"/> into <paramref name="model"/>.</summary>
        /// <exception cref="InvalidDataException">The file is not a dense ONNX network, or its architecture differs from the model's.</exception>
        public static void Load(IModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(path);
            using FileStream stream = File.OpenRead(path);
            Load(model, stream, path);
        }

        /// <summary>Loads the weights of the ONNX model in <paramref name="stream"/> into <paramref name="model"/>.</summary>
        /// <param name="model">The model whose parameters are replaced.</param>
        /// <param name="stream">The file's bytes.</param>
        /// <param name="name">How messages name the file.</param>
        /// <exception cref="InvalidDataException">The file is not a dense ONNX network, or its architecture differs from the model's.</exception>
        public static void Load(IModel model, Stream stream, string name = "the ONNX file")
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            byte[] bytes = ReadAll(stream, name);
            ImportedNetwork network = OnnxReader.Read(bytes).GetValueOrThrow(name);
            float[] values = Check(model, network, name);
            float[] state = CheckState(model, network, name);
            // The state is checked and folded before anything changes; then both are set.
            SetState(model, state, name);
            values.AsSpan().CopyTo(model.Parameters);
        }

        /// <summary>The file's parameters in the model's layout, after every check; throws naming the first difference.</summary>
        internal static float[] Check(IModel model, ImportedNetwork network, string name)
        {
            if (network.UnsupportedLayer() is string unsupported) throw new InvalidDataException($"{name}: {unsupported}");
            if (network.InputSize != model.InputSize) throw new InvalidDataException($"{name} takes {network.InputSize} inputs per sample; the model takes {model.InputSize}");
            if (network.OutputSize != model.OutputSize) throw new InvalidDataException($"{name} computes {network.OutputSize} outputs per sample; the model computes {model.OutputSize}");
            int[] fileSizes = network.TensorSizes();
            ReadOnlySpan<int> modelSizes = model.TensorSizes;
            // Each dense layer contributes its kernel (inputs x units values) and, when it has one, its bias (units values).
            var owners = new List<string>();
            foreach (ImportedLayer layer in network.Layers)
            {
                if (layer is not ImportedDense d) continue;
                owners.Add($"the kernel of {d.Source} ({d.Inputs} -> {d.Units})");
                if (d.Bias is not null) owners.Add($"the bias of {d.Source} ({d.Units})");
            }
            for (int t = 0; t < Math.Max(fileSizes.Length, modelSizes.Length); t++)
            {
                if (t >= modelSizes.Length) throw new InvalidDataException($"{name} has {fileSizes.Length} weight tensors, the model {modelSizes.Length}: the first extra one is {owners[t]}");
                if (t >= fileSizes.Length) throw new InvalidDataException($"{name} has {fileSizes.Length} weight tensors, the model {modelSizes.Length} (its tensor {t} has {modelSizes[t]} values)");
                if (fileSizes[t] != modelSizes[t]) throw new InvalidDataException($"{name}: weight tensor {t}, {owners[t]}, has {fileSizes[t]} values; the model's has {modelSizes[t]}");
            }
            Activation last = LastActivation(network);
            if (last != model.OutputActivation)
            {
                throw new InvalidDataException($"{name} ends in {ActivationCatalog.KerasName(last)}; the model ends in {ActivationCatalog.KerasName(model.OutputActivation)}");
            }
            float[] values = network.FlatParameters();
            if (values.Length != model.ParameterCount) throw new InvalidDataException($"{name} has {values.Length} parameters; the model has {model.ParameterCount}");
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i])) throw new InvalidDataException($"{name}: parameter {i} is {values[i]}; weights must be finite");
            }
            return values;
        }

        /// <summary>The file's batch normalization vectors in the model's non-trainable layout, after checking their sizes.</summary>
        internal static float[] CheckState(IModel model, ImportedNetwork network, string name)
        {
            int[] fileSizes = network.StateSizes();
            ReadOnlySpan<int> modelSizes = model.NonTrainableTensorSizes;
            if (fileSizes.Length != modelSizes.Length)
            {
                throw new InvalidDataException($"{name} has {fileSizes.Length / 4} BatchNormalization layers ({fileSizes.Length} vectors); the model has {modelSizes.Length} normalization vectors");
            }
            for (int t = 0; t < fileSizes.Length; t++)
            {
                if (fileSizes[t] != modelSizes[t]) throw new InvalidDataException($"{name}: normalization vector {t} has {fileSizes[t]} values; the model's has {modelSizes[t]}");
            }
            return network.State();
        }

        /// <summary>Sets the non-trainable state, turning the model's refusal (a value it cannot fold) into <see cref="InvalidDataException"/>.</summary>
        internal static void SetState(IModel model, float[] state, string name)
        {
            if (state.Length == 0 && model.NonTrainableParameterCount == 0) return;
            try
            {
                model.SetNonTrainableParameters(state);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{name}: {e.Message}", e);
            }
        }

        // The function the model's last layer applies: the last activation after the last dense layer (linear if none).
        private static Activation LastActivation(ImportedNetwork network)
        {
            Activation last = Activation.Linear;
            foreach (ImportedLayer layer in network.Layers)
            {
                if (layer is ImportedDense or ImportedBatchNorm) last = Activation.Linear;
                else if (layer is ImportedActivation a) last = a.Kind;
            }
            return last;
        }

        private static byte[] ReadAll(Stream stream, string name)
        {
            if (stream.CanSeek && stream.Length - stream.Position > MaxFileBytes) throw new InvalidDataException($"{name} has more than {MaxFileBytes} bytes");
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (buffer.Length + read > MaxFileBytes) throw new InvalidDataException($"{name} has more than {MaxFileBytes} bytes");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }
}
