using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

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
    /// model's parameters change only when everything is valid. NaN and infinite values are rejected too, since no trained
    /// network has them.
    /// </summary>
    public static class WeightFile
    {
        private static ReadOnlySpan<byte> Magic => "MGW1"u8;
        private const int HeaderSize = 24;
        private const uint Version = 1;

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
            Span<byte> header = stackalloc byte[HeaderSize];
            Magic.CopyTo(header);
            BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(4), Version);
            BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(8), (uint)model.ParameterCount);
            BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(12), (uint)model.InputSize);
            BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(16), (uint)model.OutputSize);
            BinaryPrimitives.WriteUInt32LittleEndian(header.Slice(20), Crc32.Compute(data));
            stream.Write(header);
            stream.Write(data);
        }

        /// <summary>Loads parameters saved by <see cref="Save(IModel, string)"/>.</summary>
        public static void Load(IModel model, string path)
        {
            using FileStream stream = File.OpenRead(path);
            Load(model, stream);
        }

        /// <summary>Reads parameters written by <see cref="Save(IModel, Stream)"/>.</summary>
        public static void Load(IModel model, Stream stream)
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            Span<byte> header = stackalloc byte[HeaderSize];
            ReadExactly(stream, header, "the header");
            if (!header.Slice(0, 4).SequenceEqual(Magic)) throw new InvalidDataException("Not a ModelGen weight file: it does not start with \"MGW1\".");
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(4));
            if (version != Version) throw new InvalidDataException($"Weight file format version {version} is not supported (this library reads version {Version}).");
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(8));
            uint inputs = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(12));
            uint outputs = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(16));
            if (count != model.ParameterCount || inputs != model.InputSize || outputs != model.OutputSize)
            {
                throw new InvalidDataException($"The weight file is for a model with {count} parameters, {inputs} inputs and {outputs} outputs; this model has {model.ParameterCount}, {model.InputSize} and {model.OutputSize}.");
            }
            var data = new byte[checked((int)count * 4)];
            ReadExactly(stream, data, $"{count} parameters");
            if (stream.ReadByte() != -1) throw new InvalidDataException("The weight file has extra bytes after the parameters.");
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(header.Slice(20));
            if (Crc32.Compute(data) != crc) throw new InvalidDataException("The weight file's checksum does not match its data: the file is corrupt.");
            Apply(model, data);
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
            if (file.Length < 8) throw new InvalidDataException("Not a safetensors file: shorter than its 8-byte header length.");
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
            if (headerLength > (ulong)(file.Length - 8)) throw new InvalidDataException($"The safetensors header claims {headerLength} bytes, but the file has only {file.Length - 8} after the length.");
            var tensors = new List<(long Begin, long End, string Name, int[] Shape)>();
            try
            {
                using JsonDocument document = JsonDocument.Parse(file.AsMemory(8, (int)headerLength));
                foreach (JsonProperty property in document.RootElement.EnumerateObject())
                {
                    if (property.Name == "__metadata__") continue;
                    string dtype = property.Value.GetProperty("dtype").GetString() ?? "";
                    if (dtype != "F32") throw new InvalidDataException($"Tensor '{property.Name}' has dtype {dtype}; only F32 is supported.");
                    JsonElement offsets = property.Value.GetProperty("data_offsets");
                    long begin = offsets[0].GetInt64(), end = offsets[1].GetInt64();
                    long elements = 1;
                    var shape = new List<int>();
                    foreach (JsonElement d in property.Value.GetProperty("shape").EnumerateArray())
                    {
                        elements = checked(elements * d.GetInt64());
                        shape.Add(checked((int)d.GetInt64()));
                    }
                    if (begin < 0 || end < begin || end - begin != elements * 4) throw new InvalidDataException($"Tensor '{property.Name}' has data offsets [{begin}, {end}) that do not fit its shape.");
                    tensors.Add((begin, end, property.Name, shape.ToArray()));
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or OverflowException or IndexOutOfRangeException or FormatException)
            {
                throw new InvalidDataException("The safetensors header is not valid: " + e.Message, e);
            }
            tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long dataStart = 8 + (long)headerLength, total = 0;
            foreach ((long begin, long end, string name, int[] _) in tensors)
            {
                if (begin != total) throw new InvalidDataException($"Tensor '{name}' starts at byte {begin}; the tensors must be packed back to back.");
                total = end;
            }
            if (total != 4L * model.ParameterCount) throw new InvalidDataException($"The safetensors file holds {total / 4} floats; the model has {model.ParameterCount} parameters.");
            if (dataStart + total != file.Length) throw new InvalidDataException($"The safetensors file has {file.Length - dataStart} data bytes; its header describes {total}.");
            if (tensors.Count <= 1)
            {
                Apply(model, file.AsSpan((int)dataStart, (int)total));
                return;
            }
            // Several tensors: one per kernel and bias. Match them to the layers by shape (a chain from InputSize to
            // OutputSize), transposing PyTorch's weight[out, in]; bytes are never reinterpreted silently.
            var raw = new float[total / 4];
            for (int i = 0; i < raw.Length; i++) raw[i] = BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)dataStart + 4 * i));
            TensorEntry[] entries = tensors.ConvertAll(t => new TensorEntry(t.Name, t.Shape, (int)(t.Begin / 4))).ToArray();
            float[] arranged = TensorLayout.Arrange(raw, entries, model.InputSize, model.OutputSize, model.ParameterCount, layers: null)
                ?? throw new InvalidDataException(
                    $"The safetensors tensors do not chain from {model.InputSize} inputs to {model.OutputSize} outputs as kernels [inputs, units] "
                    + "(or PyTorch weights [units, inputs], named '...weight') each followed by its bias: "
                    + string.Join(", ", entries));
            var bytes = new byte[arranged.Length * 4];
            for (int i = 0; i < arranged.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), arranged[i]);
            Apply(model, bytes);
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
            Apply(model, all);
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

        // Decodes and checks everything before the model is touched.
        private static void Apply(IModel model, ReadOnlySpan<byte> data)
        {
            var values = new float[data.Length / 4];
            for (int i = 0; i < values.Length; i++)
            {
                float v = BinaryPrimitives.ReadSingleLittleEndian(data.Slice(i * 4));
                if (!float.IsFinite(v)) throw new InvalidDataException($"Parameter {i} is {v}; weight files must hold finite numbers.");
                values[i] = v;
            }
            values.CopyTo(model.Parameters);
        }

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

        /// <summary>CRC-32 (IEEE 802.3, reflected, as zip and PNG).</summary>
        internal static class Crc32
        {
            private static readonly uint[] s_table = CreateTable();

            private static uint[] CreateTable()
            {
                var table = new uint[256];
                for (uint i = 0; i < 256; i++)
                {
                    uint c = i;
                    for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                    table[i] = c;
                }
                return table;
            }

            public static uint Compute(ReadOnlySpan<byte> data)
            {
                uint crc = 0xFFFFFFFFu;
                foreach (byte b in data) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
                return ~crc;
            }
        }
    }
}
