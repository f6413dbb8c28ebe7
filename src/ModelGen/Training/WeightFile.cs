using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using ModelGen.Formats.Weights;

namespace ModelGen
{
    /// <summary>
    /// Saves and loads a model's flat parameter vector. Three formats:
    /// <list type="bullet">
    /// <item>ModelGen's own (<see cref="Save(IModel, string)"/>, <see cref="Load(IModel, string)"/>): the 4 bytes "MGW1", then
    /// little-endian uint32s: format version (1), parameter count, input size, output size, CRC-32 of the data; then the
    /// parameters as little-endian float32.</item>
    /// <item>safetensors (<see cref="SaveSafetensors"/>, <see cref="LoadSafetensors"/>): one F32 tensor "parameters" when saved
    /// here; when loading, every F32 tensor in data order (a Keras export's kernels and biases) is concatenated.</item>
    /// <item>raw little-endian float32 in parameter order, as a TensorFlow.js <c>weights.bin</c> (<see cref="LoadRaw(IModel, string)"/>).</item>
    /// </list>
    /// Loading reads and checks the whole file first and throws <see cref="InvalidDataException"/> naming the problem; the
    /// model's parameters change only when everything is valid. The formats are decoded by the readers in
    /// <c>Formats/Weights</c>, the same code the generator runs for <c>[Model(Weights = ...)]</c>. NaN and infinite values are rejected too, since no trained
    /// network has them.
    /// </summary>
    public static class WeightFile
    {
        /// <summary>Saves the parameters to <paramref name="path"/> in ModelGen's format.</summary>
        public static void Save(IModel model, string path)
        {
            using FileStream stream = File.Create(path);
            Save(model, stream);
        }

        /// <summary>Writes the parameters to <paramref name="stream"/> in ModelGen's format.</summary>
        public static void Save(IModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            byte[] data = ToBytes(model.Parameters);
            stream.Write(Mgw1Format.WriteHeader(data, model.ParameterCount, model.InputSize, model.OutputSize));
            stream.Write(data);
        }

        /// <summary>
        /// Loads a weights file of any format ModelGen reads, recognized by content and name: ModelGen's own (saved by
        /// <see cref="Save(IModel, string)"/>, starting "MGW1"); a Keras file (a zip or HDF5 file, or a name ending in
        /// <c>.keras</c> / <c>.h5</c>: <see cref="LoadKeras"/>); an ONNX file (a name ending in <c>.onnx</c>:
        /// <see cref="OnnxWeights.Load(IModel, string)"/>); safetensors (<see cref="LoadSafetensors"/>). Anything else is read as
        /// ModelGen's format. A file that does not fit throws <see cref="InvalidDataException"/> naming the problem, and
        /// the model is left unchanged. Raw float32 has no signature: load it with <see cref="LoadRaw(IModel, string)"/>.
        /// </summary>
        public static void Load(IModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(path);
            switch (Detect(path))
            {
                case DetectedFormat.Keras:
                    LoadKeras(model, path);
                    return;
                case DetectedFormat.Onnx:
                    OnnxWeights.Load(model, path);
                    return;
                case DetectedFormat.Safetensors:
                    LoadSafetensors(model, path);
                    return;
            }
            using FileStream stream = File.OpenRead(path);
            Load(model, stream);
        }

        private enum DetectedFormat { Mgw1, Keras, Onnx, Safetensors }

        // The format of the file at path, from its first bytes (signatures) and then its name.
        private static DetectedFormat Detect(string path)
        {
            byte[] head;
            using (FileStream stream = File.OpenRead(path))
            {
                head = new byte[(int)Math.Min(stream.Length, 1 << 16)];
                int read = 0;
                while (read < head.Length)
                {
                    int n = stream.Read(head, read, head.Length - read);
                    if (n == 0) break;
                    read += n;
                }
            }
            if (head.Length >= 4 && head[0] == (byte)'M' && head[1] == (byte)'G' && head[2] == (byte)'W' && head[3] == (byte)'1') return DetectedFormat.Mgw1;
            if (Formats.Zip.ZipReader.HasSignature(head) || Formats.Hdf5.Hdf5File.HasSignature(head)) return DetectedFormat.Keras;
            string name = path.ToLowerInvariant();
            if (name.EndsWith(".keras", StringComparison.Ordinal) || name.EndsWith(".h5", StringComparison.Ordinal) || name.EndsWith(".hdf5", StringComparison.Ordinal)) return DetectedFormat.Keras;
            if (name.EndsWith(".onnx", StringComparison.Ordinal)) return DetectedFormat.Onnx;
            if (name.EndsWith(".safetensors", StringComparison.Ordinal) || SafetensorsFormat.LooksLike(head)) return DetectedFormat.Safetensors;
            return DetectedFormat.Mgw1;
        }

        /// <summary>Reads parameters written by <see cref="Save(IModel, Stream)"/>.</summary>
        public static void Load(IModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            var file = new byte[Mgw1Format.HeaderSize];
            ReadExactly(stream, file, "the header");
            Mgw1Header header = Mgw1Format.ReadHeader(file).GetValueOrThrow("The weight file cannot be read");
            if (header.ParameterCount != model.ParameterCount || header.InputSize != model.InputSize || header.OutputSize != model.OutputSize)
            {
                throw new InvalidDataException($"The weight file is for a model with {header.ParameterCount} parameters, {header.InputSize} inputs and {header.OutputSize} outputs; this model has {model.ParameterCount}, {model.InputSize} and {model.OutputSize}.");
            }
            Array.Resize(ref file, Mgw1Format.HeaderSize + 4 * model.ParameterCount);
            ReadExactly(stream, file.AsSpan(Mgw1Format.HeaderSize), $"{header.ParameterCount} parameters");
            if (stream.ReadByte() != -1) throw new InvalidDataException("The weight file has extra bytes after the parameters.");
            Apply(model, Mgw1Format.Read(file, model.ParameterCount).GetValueOrThrow("The weight file cannot be read"));
        }

        /// <summary>Saves the parameters as a safetensors file with one F32 tensor named "parameters".</summary>
        public static void SaveSafetensors(IModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            byte[] data = ToBytes(model.Parameters);
            string json = $"{{\"__metadata__\":{{\"format\":\"modelgen\",\"inputs\":\"{model.InputSize}\",\"outputs\":\"{model.OutputSize}\"}},\"parameters\":{{\"dtype\":\"F32\",\"shape\":[{model.ParameterCount}],\"data_offsets\":[0,{data.Length}]}}}}";
            byte[] header = Encoding.UTF8.GetBytes(json);
            int padded = (header.Length + 7) / 8 * 8; // the format aligns the data to 8 bytes
            using FileStream stream = File.Create(path);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(header);
            for (int i = header.Length; i < padded; i++) stream.WriteByte((byte)' ');
            stream.Write(data);
        }

        /// <summary>
        /// Loads a safetensors file. Every tensor must be F32 and their elements must add up to the model's parameter count.
        /// One tensor (what <see cref="SaveSafetensors"/> writes) is the flat parameter vector. Several tensors are one per
        /// kernel and bias, matched to the layers by shape, in data order or else in natural name order: Keras-style kernels
        /// <c>[inputs, units]</c> are copied, PyTorch <c>nn.Linear</c> weights <c>[units, inputs]</c> (names ending in
        /// <c>weight</c>) are transposed. Tensors that do not chain from <see cref="IModel.InputSize"/> to
        /// <see cref="IModel.OutputSize"/> throw <see cref="InvalidDataException"/> listing their shapes.
        /// </summary>
        public static void LoadSafetensors(IModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            byte[] file = ReadAllLimited(path, 8L + 100_000_000 + 4L * model.ParameterCount);
            WeightData data = SafetensorsFormat.Read(file, int.MaxValue, default).GetValueOrThrow("The safetensors file cannot be read");
            if (data.Values.Length != model.ParameterCount) throw new InvalidDataException($"The safetensors file holds {data.Values.Length} floats; the model has {model.ParameterCount} parameters.");
            if (data.Tensors.Count <= 1)
            {
                Apply(model, data);
                return;
            }
            // Several tensors: one per kernel and bias. Match them to the layers by shape (a chain from InputSize to
            // OutputSize), transposing PyTorch's weight[out, in]; bytes are never reinterpreted silently.
            float[] arranged = TensorLayout.Arrange(data.Values, data.Tensors, model.InputSize, model.OutputSize, model.ParameterCount, layers: null)
                ?? throw new InvalidDataException(
                    $"The safetensors tensors do not chain from {model.InputSize} inputs to {model.OutputSize} outputs as kernels [inputs, units] "
                    + "(or PyTorch weights [units, inputs], named '...weight') each followed by its bias: "
                    + string.Join(", ", data.Tensors));
            arranged.CopyTo(model.Parameters);
        }

        /// <summary>Loads raw little-endian float32 values in parameter order (a TensorFlow.js <c>weights.bin</c> of a dense stack).</summary>
        public static void LoadRaw(IModel model, string path) => LoadRaw(model, new[] { path });

        /// <summary>
        /// Loads raw little-endian float32 values in parameter order split over several files, joined in the order given:
        /// the shards of a TensorFlow.js export (<c>group1-shard1of3.bin</c>, <c>group1-shard2of3.bin</c>, ...). A value may
        /// straddle two files. Nothing changes unless the files together hold exactly the model's parameters.
        /// </summary>
        /// <exception cref="ArgumentException">No paths.</exception>
        /// <exception cref="InvalidDataException">The files hold more or fewer bytes than the parameters need.</exception>
        public static void LoadRaw(IModel model, params string[] paths)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(paths);
            if (paths.Length == 0) throw new ArgumentException("Give at least one file.", nameof(paths));
            long needed = 4L * model.ParameterCount;
            var all = new byte[needed];
            long at = 0;
            foreach (string path in paths)
            {
                using FileStream stream = File.OpenRead(path);
                if (at + stream.Length > needed)
                {
                    throw new InvalidDataException($"The raw weight files hold more than the model's {needed} bytes ({model.ParameterCount} float32 values): '{path}' has {stream.Length} bytes after {at}.");
                }
                ReadExactly(stream, all.AsSpan((int)at, (int)stream.Length), $"'{path}'");
                at += stream.Length;
            }
            if (at != needed) throw new InvalidDataException($"The raw weight files hold {at} bytes; the model needs {needed} ({model.ParameterCount} float32 values).");
            Apply(model, RawFloat32Format.Read(all, model.ParameterCount).GetValueOrThrow("The raw weight files cannot be read"));
        }

        /// <summary>
        /// Loads the weights of a Keras file into <paramref name="model"/>: a <c>.keras</c> zip (Keras 3, tf.keras 2.13+), a
        /// full-model <c>.h5</c> (Keras 1.2 to 3), or a weights-only <c>.h5</c> / <c>.weights.h5</c>. The format is recognized by
        /// content. Each Dense layer's kernel <c>[inputs, units]</c> and bias are matched to the model's layers in order and
        /// checked: the file must hold exactly the model's Dense layers with the model's sizes; the vectors of its BatchNormalization
        /// and adapted Normalization layers become the model's non-trainable state. Anything else (a layer with weights of another
        /// class, such as Conv1D; float64 weights; a different layer size) throws
        /// <see cref="InvalidDataException"/> naming the layer, and the model is left unchanged.
        /// </summary>
        /// <param name="model">The model to load into.</param>
        /// <param name="path">The Keras file.</param>
        /// <param name="architectureJsonPath">
        /// Optional: the architecture (<c>model.to_json()</c>) beside a weights-only file. It gives the Dense layers' names, so
        /// that they are found by name; without it, the file's weight-holding layers are taken in order.
        /// </param>
        public static void LoadKeras(IModel model, string path, string? architectureJsonPath = null)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(path);
            byte[] bytes = ReadAllLimited(path, (64L << 20) + 16L * model.ParameterCount);
            string? architecture = architectureJsonPath is null ? null : File.ReadAllText(architectureJsonPath);
            Formats.Keras.KerasModelFile file = Formats.Keras.KerasFileReader.Read(bytes, architecture).GetValueOrThrow($"The Keras file '{path}' cannot be read");
            string? config = file.ConfigJson ?? architecture;
            List<KeyValuePair<string, string>>? expected = null;
            if (config is not null)
            {
                try
                {
                    expected = new List<KeyValuePair<string, string>>();
                    foreach (Formats.Keras.KerasConfigLayer layer in Formats.Keras.KerasConfigLayers.Read(config).Value)
                    {
                        if (layer.ClassName == "Dense" || layer.ClassName == "BatchNormalization"
                            || (layer.ClassName == "Normalization" && (file.UnorderedClassLayout || file.Find(layer.Name) is { Weights.Count: > 0 })))
                        {
                            expected.Add(new KeyValuePair<string, string>(layer.Name, layer.ClassName));
                        }
                    }
                }
                catch (Formats.FileFormatException e)
                {
                    throw new InvalidDataException($"The Keras file '{path}' cannot be read: {e.Message}");
                }
            }
            List<KeyValuePair<Formats.Keras.KerasLayerWeights, string>> chosen = Formats.Keras.KerasModelWeights.Select(file, expected).GetValueOrThrow($"The Keras file '{path}' does not fit the model");

            // The model's weight layers, read from its tensor sizes: a Dense kernel of inputs x units, then a bias of units if
            // the file's layer has one and the model has a tensor of that size there; an affine layer's vectors of the running
            // width in the non-trainable state.
            ReadOnlySpan<int> sizes = model.TensorSizes;
            ReadOnlySpan<int> stateSizes = model.NonTrainableTensorSizes;
            var slots = new List<Formats.Keras.KerasWeightSlot>();
            int t = 0, u = 0, width = model.InputSize;
            foreach (KeyValuePair<Formats.Keras.KerasLayerWeights, string> pair in chosen)
            {
                Formats.Keras.KerasLayerWeights layer = pair.Key;
                if (pair.Value != "Dense")
                {
                    int vectors = 0;
                    foreach (Formats.Keras.KerasTensor tensor in layer.Weights) if (tensor.Shape.Length > 0) vectors++;
                    for (int v = 0; v < vectors; v++)
                    {
                        if (u + v >= stateSizes.Length || stateSizes[u + v] != width)
                        {
                            throw new InvalidDataException($"The Keras file '{path}' does not fit the model: its {pair.Value} layer '{layer.Name}' has {vectors} vectors over {width} features; the model's normalization state has {(u + v < stateSizes.Length ? "a vector of " + stateSizes[u + v] : "no more vectors")} there.");
                        }
                    }
                    slots.Add(new Formats.Keras.KerasWeightSlot(pair.Value, width, width, false, vectors));
                    u += vectors;
                    continue;
                }
                if (t >= sizes.Length)
                {
                    throw new InvalidDataException($"The Keras file '{path}' has more Dense layers than the model ({slots.Count} fit): '{layer.Name}' is one too many.");
                }
                if (sizes[t] % width != 0) throw new InvalidDataException($"The Keras file '{path}' does not fit the model: its Dense layer '{layer.Name}' meets a model tensor of {sizes[t]} values after a width of {width}.");
                int units = sizes[t] / width;
                bool bias = layer.Weights.Count == 2 && t + 1 < sizes.Length && sizes[t + 1] == units;
                slots.Add(new Formats.Keras.KerasWeightSlot("Dense", width, units, bias, 0));
                t += bias ? 2 : 1;
                width = units;
            }
            if (t != sizes.Length) throw new InvalidDataException($"The Keras file '{path}' has {slots.Count} weight layers ({string.Join("; ", slots.ConvertAll(d => d.Describe()))}); the model has more Dense layers.");
            if (u != stateSizes.Length) throw new InvalidDataException($"The Keras file '{path}' holds {u} normalization vectors (BatchNormalization, Normalization); the model has {stateSizes.Length}.");
            Formats.Keras.KerasArrangedWeights arranged = Formats.Keras.KerasModelWeights.Arrange(chosen, slots).GetValueOrThrow($"The Keras file '{path}' does not fit the model");
            float[] values = arranged.Parameters;
            if (values.Length != model.ParameterCount) throw new InvalidDataException($"The Keras file '{path}' holds {values.Length} weights; the model has {model.ParameterCount} parameters.");
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i])) throw new InvalidDataException($"The Keras file '{path}' holds a non-finite weight ({values[i]}) at parameter {i}.");
            }
            // The state is checked and folded before anything changes; then both are set.
            OnnxWeights.SetState(model, arranged.State, $"The Keras file '{path}'");
            values.CopyTo(model.Parameters);
        }

        /// <summary>Writes the parameters as raw little-endian float32 values.</summary>
        public static void SaveRaw(IModel model, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            File.WriteAllBytes(path, ToBytes(model.Parameters));
        }

        private static byte[] ToBytes(ReadOnlySpan<float> values)
        {
            var bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            return bytes;
        }

        // The shared readers decoded and checked everything (finite values included) before the model is touched.
        private static void Apply(IModel model, WeightData data) => data.Values.CopyTo(model.Parameters);

        private static byte[] ReadAllLimited(string path, long limit)
        {
            using FileStream stream = File.OpenRead(path);
            if (stream.Length > limit) throw new InvalidDataException($"The file has {stream.Length} bytes, more than a weight file for this model can have ({limit}).");
            var bytes = new byte[stream.Length];
            ReadExactly(stream, bytes, "the file");
            return bytes;
        }

        private static void ReadExactly(Stream stream, Span<byte> buffer, string what)
        {
            int read = 0;
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer.Slice(read));
                if (n == 0) throw new InvalidDataException($"The weight file ends early: {what} needs {buffer.Length} bytes, only {read} were there.");
                read += n;
            }
        }

    }
}
