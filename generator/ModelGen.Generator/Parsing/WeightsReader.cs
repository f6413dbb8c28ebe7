using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// One weights file as the generator sees it: the path of the original binary file, its format, and its values (or why it
    /// could not be read).
    /// </summary>
    /// <remarks>Holds only strings and an <see cref="EquatableArray{T}"/> of floats, so it is equatable and safe to cache.</remarks>
    /// <param name="SourcePath">The full path of the binary file.</param>
    /// <param name="Format">"raw float32", "MGW1" or "safetensors".</param>
    /// <param name="Values">Every value in file order (all tensors back to back, in data order, for safetensors).</param>
    /// <param name="Error">Why the file cannot be used, or null.</param>
    internal sealed record WeightsFile(string SourcePath, string Format, EquatableArray<float> Values, string? Error)
    {
        /// <summary>The tensors of a safetensors file, in data order, each with its run in <see cref="Values"/>; empty for the other formats.</summary>
        public EquatableArray<WeightsTensor> Tensors { get; init; }
    }

    /// <summary>One tensor of a safetensors file: its name, shape, and where its values start in <see cref="WeightsFile.Values"/>.</summary>
    /// <remarks>Strings and numbers only: equatable and safe to cache.</remarks>
    internal readonly record struct WeightsTensor(string Name, EquatableArray<int> Shape, int Start, int Count);

    /// <summary>
    /// Reads the text form of a weights file that ModelGen's build targets write under <c>obj/</c> (a first line
    /// <c>ModelGen weights 1: {full path}</c>, then the file's bytes in base64), and decodes the binary formats
    /// <c>[Model(Weights = ...)]</c> accepts: ModelGen's MGW1 files, safetensors (every F32 tensor in data order), and raw
    /// little-endian float32 (a TensorFlow.js <c>weights.bin</c>).
    /// </summary>
    internal static class WeightsReader
    {
        /// <summary>The <see cref="WeightsFile.Format"/> of raw little-endian float32 files.</summary>
        public const string RawFormat = "raw float32";

        /// <summary>Extension of the text files the build targets write.</summary>
        public const string TextExtension = ".modelgen-weights";

        private const string HeaderPrefix = "ModelGen weights 1: ";

        /// <summary>Largest number of values a weights file may hold (the limit of weights compiled into a model).</summary>
        private const long MaxValues = NetworkBuilder.MaxEmbeddedParameters;

        /// <summary>Largest base64 text read: the values, up to 1 MB of safetensors header, and the first line.</summary>
        private const long MaxTextLength = (4 * MaxValues + (1 << 20)) / 3 * 4 + 8192;

        /// <summary>Reads <paramref name="text"/>, the content of an AdditionalFile at <paramref name="path"/>.</summary>
        public static WeightsFile Read(string path, SourceText text, CancellationToken cancellationToken)
        {
            // Refused before the text is copied or decoded: a weights file too large to compile in costs nothing more.
            if (text.Length > MaxTextLength)
            {
                return Failed(path, $"it is {text.Length} characters of base64, more than weights compiled into a model can take ({MaxValues} float32 values); load it at run time with WeightFile instead");
            }
            string content = text.ToString();
            int newline = content.IndexOf('\n');
            if (!content.StartsWith(HeaderPrefix, StringComparison.Ordinal) || newline < 0)
            {
                return Failed(path, "it is not a weights text written by ModelGen's build targets (the first line must be 'ModelGen weights 1: <path>')");
            }
            string source = content.Substring(HeaderPrefix.Length, newline - HeaderPrefix.Length).TrimEnd('\r');
            cancellationToken.ThrowIfCancellationRequested();
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(content.Substring(newline + 1));
            }
            catch (FormatException)
            {
                return Failed(source, "its base64 text is corrupt; rebuild so that the build targets write it again");
            }
            cancellationToken.ThrowIfCancellationRequested();
            return Decode(source, bytes, cancellationToken);
        }

        /// <summary>Decodes the bytes of a weights file, detecting its format.</summary>
        public static WeightsFile Decode(string source, byte[] bytes, CancellationToken cancellationToken)
        {
            if (bytes.Length >= 4 && bytes[0] == (byte)'M' && bytes[1] == (byte)'G' && bytes[2] == (byte)'W' && bytes[3] == (byte)'1') return DecodeMgw(source, bytes);
            if (LooksLikeSafetensors(bytes)) return DecodeSafetensors(source, bytes, cancellationToken);
            if (bytes.Length % 4 != 0) return Failed(source, $"it has {bytes.Length} bytes, which is not a whole number of float32 values, and it is neither an MGW1 nor a safetensors file");
            return Values(source, RawFormat, bytes, 0, bytes.Length / 4);
        }

        private static bool LooksLikeSafetensors(byte[] bytes)
        {
            if (bytes.Length < 10) return false;
            ulong headerLength = ReadUInt64(bytes, 0);
            return headerLength >= 2 && headerLength <= (ulong)(bytes.Length - 8) && bytes[8] == (byte)'{';
        }

        private static WeightsFile DecodeMgw(string source, byte[] bytes)
        {
            const int headerSize = 24;
            if (bytes.Length < headerSize) return Failed(source, "its MGW1 header is cut short");
            uint version = ReadUInt32(bytes, 4), count = ReadUInt32(bytes, 8), crc = ReadUInt32(bytes, 20);
            if (version != 1) return Failed(source, $"it is MGW1 version {version}; this ModelGen reads version 1");
            if (count > MaxValues || headerSize + 4L * count != bytes.Length) return Failed(source, $"its MGW1 header gives {count} parameters, but the file has {bytes.Length - headerSize} data bytes");
            if (Crc32(bytes, headerSize, bytes.Length - headerSize) != crc) return Failed(source, "its MGW1 checksum does not match its data (the file is damaged)");
            return Values(source, "MGW1", bytes, headerSize, (int)count);
        }

        private static WeightsFile DecodeSafetensors(string source, byte[] bytes, CancellationToken cancellationToken)
        {
            int headerLength = (int)ReadUInt64(bytes, 0);
            string header = System.Text.Encoding.UTF8.GetString(bytes, 8, headerLength);
            if (!SafetensorsHeader.TryParse(header, out List<(string Name, string DType, long Begin, long End, long Elements, int[] Shape)> tensors, out string? problem, cancellationToken))
            {
                return Failed(source, "its safetensors header is not valid: " + problem);
            }
            tensors.Sort((a, b) => a.Begin.CompareTo(b.Begin));
            long total = 0;
            foreach ((string name, string dtype, long begin, long end, long elements, int[] _) in tensors)
            {
                if (dtype != "F32") return Failed(source, $"tensor '{name}' has dtype {dtype}; only F32 is supported");
                if (begin < 0 || end < begin || end - begin != elements * 4) return Failed(source, $"tensor '{name}' has data offsets [{begin}, {end}) that do not fit its shape");
                if (begin != total) return Failed(source, $"tensor '{name}' starts at byte {begin}; the tensors must be packed back to back");
                total = end;
            }
            long dataStart = 8 + (long)headerLength;
            if (dataStart + total != bytes.Length) return Failed(source, $"it has {bytes.Length - dataStart} data bytes, but its header describes {total}");
            WeightsFile file = Values(source, "safetensors", bytes, (int)dataStart, (int)(total / 4));
            var described = new WeightsTensor[tensors.Count];
            for (int t = 0; t < described.Length; t++)
            {
                described[t] = new WeightsTensor(tensors[t].Name, new EquatableArray<int>(tensors[t].Shape), (int)(tensors[t].Begin / 4), (int)tensors[t].Elements);
            }
            return file with { Tensors = new EquatableArray<WeightsTensor>(described) };
        }

        private static WeightsFile Values(string source, string format, byte[] bytes, int start, int count)
        {
            if (count > MaxValues) return Failed(source, $"it holds {count} values, more than a model can have ({MaxValues})");
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                float v = BitConverter.IsLittleEndian ? BitConverter.ToSingle(bytes, start + 4 * i) : BitConverter.ToSingle(BitConverter.GetBytes(ReadUInt32(bytes, start + 4 * i)), 0);
                if (float.IsNaN(v) || float.IsInfinity(v)) return Failed(source, $"value {i} is {(float.IsNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity")}; weights must be finite");
                values[i] = v;
            }
            return new WeightsFile(source, format, new EquatableArray<float>(values), null);
        }

        private static WeightsFile Failed(string source, string error) => new(source, "", new EquatableArray<float>(Array.Empty<float>()), error);

        private static uint ReadUInt32(byte[] b, int i) => (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);

        private static ulong ReadUInt64(byte[] b, int i) => ReadUInt32(b, i) | (ulong)ReadUInt32(b, i + 4) << 32;

        private static uint Crc32(byte[] data, int start, int length)
        {
            uint crc = 0xFFFFFFFFu;
            for (int i = start; i < start + length; i++)
            {
                crc ^= data[i];
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            return ~crc;
        }
    }
}
