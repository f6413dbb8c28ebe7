// Compiled into both the runtime and the generator (linked, like everything under Formats/).
namespace ModelGen.Formats.Weights
{
    /// <summary>
    /// ModelGen's own weights format: the 4 bytes "MGW1", then little-endian uint32s (format version 1, parameter count,
    /// input size, output size, CRC-32 of the data), then the parameters as little-endian float32.
    /// </summary>
    internal static class Mgw1Format
    {
        /// <summary>Bytes before the data.</summary>
        public const int HeaderSize = 24;
        /// <summary>The version this code reads and writes.</summary>
        public const uint Version = 1;

        /// <summary>True when <paramref name="bytes"/> starts with "MGW1".</summary>
        public static bool HasMagic(byte[] bytes) =>
            bytes.Length >= 4 && bytes[0] == (byte)'M' && bytes[1] == (byte)'G' && bytes[2] == (byte)'W' && bytes[3] == (byte)'1';

        /// <summary>Reads the header at the start of <paramref name="bytes"/> (at least <see cref="HeaderSize"/> bytes of it).</summary>
        public static FormatResult<Mgw1Header> ReadHeader(byte[] bytes)
        {
            if (!HasMagic(bytes)) return FormatResult<Mgw1Header>.Fail("it does not start with \"MGW1\", so it is not a ModelGen weights file");
            if (bytes.Length < HeaderSize) return FormatResult<Mgw1Header>.Fail("its MGW1 header is cut short");
            var header = new Mgw1Header(
                WeightFormats.ReadUInt32(bytes, 4), WeightFormats.ReadUInt32(bytes, 8), WeightFormats.ReadUInt32(bytes, 12),
                WeightFormats.ReadUInt32(bytes, 16), WeightFormats.ReadUInt32(bytes, 20));
            if (header.Version != Version) return FormatResult<Mgw1Header>.Fail($"it is MGW1 version {header.Version}; this ModelGen reads version {Version}");
            return FormatResult<Mgw1Header>.Ok(header);
        }

        /// <summary>Decodes a whole MGW1 file: header, size, checksum, finite values.</summary>
        public static FormatResult<WeightData> Read(byte[] bytes, long maxValues)
        {
            FormatResult<Mgw1Header> read = ReadHeader(bytes);
            if (read.Value is not { } header) return FormatResult<WeightData>.Fail(read.Error!);
            uint count = header.ParameterCount;
            if (count > maxValues || HeaderSize + 4L * count != bytes.Length) return FormatResult<WeightData>.Fail($"its MGW1 header gives {count} parameters, but the file has {bytes.Length - HeaderSize} data bytes");
            if (Crc32.Compute(bytes, HeaderSize, bytes.Length - HeaderSize) != header.Checksum) return FormatResult<WeightData>.Fail("its MGW1 checksum does not match its data (the file is damaged)");
            FormatResult<float[]> values = WeightFormats.ReadFloats(bytes, HeaderSize, count, maxValues);
            return values.Value is null ? FormatResult<WeightData>.Fail(values.Error!) : FormatResult<WeightData>.Ok(new WeightData(WeightFormats.Mgw1, values.Value, header: header));
        }

        /// <summary>The header for <paramref name="data"/> (the parameters' bytes) of a model with the given sizes.</summary>
        public static byte[] WriteHeader(byte[] data, int parameterCount, int inputSize, int outputSize)
        {
            var header = new byte[HeaderSize];
            header[0] = (byte)'M';
            header[1] = (byte)'G';
            header[2] = (byte)'W';
            header[3] = (byte)'1';
            WriteUInt32(header, 4, Version);
            WriteUInt32(header, 8, (uint)parameterCount);
            WriteUInt32(header, 12, (uint)inputSize);
            WriteUInt32(header, 16, (uint)outputSize);
            WriteUInt32(header, 20, Crc32.Compute(data, 0, data.Length));
            return header;
        }

        private static void WriteUInt32(byte[] b, int i, uint value)
        {
            b[i] = (byte)value;
            b[i + 1] = (byte)(value >> 8);
            b[i + 2] = (byte)(value >> 16);
            b[i + 3] = (byte)(value >> 24);
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

        /// <summary>The CRC-32 of <paramref name="length"/> bytes of <paramref name="data"/> from <paramref name="start"/>.</summary>
        public static uint Compute(byte[] data, int start, int length)
        {
            uint crc = 0xFFFFFFFFu;
            for (int i = start; i < start + length; i++) crc = s_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }
    }
}
