// Compiled into both the runtime and the generator (linked, like everything under Formats/).
using System;
using System.Threading;

namespace ModelGen.Formats.Weights
{
    /// <summary>
    /// The weights formats and the one decoder that tells them apart: ModelGen's MGW1, safetensors (F32 tensors), and raw
    /// little-endian float32 (a TensorFlow.js <c>weights.bin</c> or shard). Errors are clauses that read after "cannot be
    /// read: " ("its MGW1 checksum does not match its data (the file is damaged)").
    /// </summary>
    internal static class WeightFormats
    {
        /// <summary>The format name of ModelGen's own files.</summary>
        public const string Mgw1 = "MGW1";
        /// <summary>The format name of safetensors files.</summary>
        public const string Safetensors = "safetensors";
        /// <summary>The format name of raw little-endian float32 files.</summary>
        public const string RawFloat32 = "raw float32";

        /// <summary>Decodes <paramref name="bytes"/>, detecting the format: MGW1 by its magic, safetensors by its header, raw float32 otherwise.</summary>
        /// <param name="bytes">The whole file.</param>
        /// <param name="maxValues">The most values a file may hold (the model size limit).</param>
        /// <param name="cancellationToken">Checked while the safetensors header is parsed.</param>
        public static FormatResult<WeightData> Decode(byte[] bytes, long maxValues, CancellationToken cancellationToken)
        {
            if (Mgw1Format.HasMagic(bytes)) return Mgw1Format.Read(bytes, maxValues);
            if (SafetensorsFormat.LooksLike(bytes)) return SafetensorsFormat.Read(bytes, maxValues, cancellationToken);
            if (bytes.Length % 4 != 0) return FormatResult<WeightData>.Fail($"it has {bytes.Length} bytes, which is not a whole number of float32 values, and it is neither an MGW1 nor a safetensors file");
            return RawFloat32Format.Read(bytes, maxValues);
        }

        /// <summary>
        /// Decodes <paramref name="count"/> little-endian float32 values from <paramref name="start"/>, rejecting NaN and
        /// infinities (no trained network has them) and more than <paramref name="maxValues"/> values.
        /// </summary>
        internal static FormatResult<float[]> ReadFloats(byte[] bytes, int start, long count, long maxValues)
        {
            if (count > maxValues) return FormatResult<float[]>.Fail($"it holds {count} values, more than a model can have ({maxValues})");
            var values = new float[count];
            for (int i = 0; i < values.Length; i++)
            {
                float v = ReadSingle(bytes, start + 4 * i);
                if (float.IsNaN(v) || float.IsInfinity(v)) return FormatResult<float[]>.Fail($"value {i} is {(float.IsNaN(v) ? "NaN" : v > 0 ? "+infinity" : "-infinity")}; weights must be finite");
                values[i] = v;
            }
            return FormatResult<float[]>.Ok(values);
        }

        /// <summary>A little-endian uint32.</summary>
        internal static uint ReadUInt32(byte[] b, int i) => (uint)(b[i] | b[i + 1] << 8 | b[i + 2] << 16 | b[i + 3] << 24);

        /// <summary>A little-endian uint64.</summary>
        internal static ulong ReadUInt64(byte[] b, int i) => ReadUInt32(b, i) | (ulong)ReadUInt32(b, i + 4) << 32;

        /// <summary>A little-endian float32.</summary>
        private static float ReadSingle(byte[] b, int i) =>
            BitConverter.IsLittleEndian ? BitConverter.ToSingle(b, i) : BitConverter.ToSingle(BitConverter.GetBytes(ReadUInt32(b, i)), 0);
    }
}
