// A zip reader over a byte array, for the .keras files Keras writes (Python's zipfile: stored or deflated entries, ZIP64
// records when an archive or entry passes 4 GiB or 65535 entries). Compiled into runtime and generator (see FormatResult.cs).
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace ModelGen.Formats.Zip
{
    /// <summary>One entry of the central directory.</summary>
    internal sealed class ZipEntry
    {
        internal ZipEntry(string name, int method, uint crc32, long compressedSize, long uncompressedSize, long localHeaderOffset, int flags)
        {
            Name = name;
            Method = method;
            Crc32 = crc32;
            CompressedSize = compressedSize;
            UncompressedSize = uncompressedSize;
            LocalHeaderOffset = localHeaderOffset;
            Flags = flags;
        }

        /// <summary>The entry's name as stored (forward slashes).</summary>
        public string Name { get; }

        /// <summary>0 (stored) or 8 (deflate); anything else is refused when the entry is read.</summary>
        public int Method { get; }

        /// <summary>The CRC-32 the central directory records.</summary>
        public uint Crc32 { get; }

        /// <summary>Bytes of the entry's data in the archive.</summary>
        public long CompressedSize { get; }

        /// <summary>Bytes of the entry once extracted.</summary>
        public long UncompressedSize { get; }

        /// <summary>Where the entry's local header starts.</summary>
        public long LocalHeaderOffset { get; }

        /// <summary>The general-purpose flags (bit 0: encrypted).</summary>
        public int Flags { get; }
    }

    /// <summary>
    /// Reads a zip archive held in memory: the end-of-central-directory record (and its ZIP64 form), the central directory,
    /// each entry's local header, and stored or deflated data checked against its CRC-32. Every size and offset is checked
    /// against the input and the limits below before anything is allocated; nothing is read outside the input.
    /// </summary>
    internal sealed class ZipReader
    {
        /// <summary>Most entries an archive may list (a .keras file has three).</summary>
        public const int MaxEntries = 65536;

        /// <summary>Largest extracted entry (a weights file far beyond any model ModelGen compiles).</summary>
        public const long MaxEntryBytes = 1L << 30;

        /// <summary>Longest archive comment the end record may be preceded by (the format's own maximum).</summary>
        private const int MaxCommentLength = 65535;

        /// <summary>Deflate cannot expand data by more than this factor (a 258-byte match costs at least two bits).</summary>
        private const long MaxDeflateRatio = 1032;

        private const uint EndSignature = 0x06054b50;
        private const uint Zip64EndSignature = 0x06064b50;
        private const uint Zip64LocatorSignature = 0x07064b50;
        private const uint CentralSignature = 0x02014b50;
        private const uint LocalSignature = 0x04034b50;

        private readonly byte[] _data;

        private ZipReader(byte[] data, List<ZipEntry> entries)
        {
            _data = data;
            Entries = entries;
        }

        /// <summary>The entries in central-directory order.</summary>
        public IReadOnlyList<ZipEntry> Entries { get; }

        /// <summary>True when <paramref name="data"/> starts like a zip archive (a local header or an empty archive's end record).</summary>
        public static bool HasSignature(byte[] data) =>
            data.Length >= 4 && data[0] == (byte)'P' && data[1] == (byte)'K' &&
            ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6));

        /// <summary>Reads the central directory of <paramref name="data"/>.</summary>
        public static FormatResult<ZipReader> Open(byte[] data)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            try
            {
                return FormatResult<ZipReader>.Ok(new ZipReader(data, ReadDirectory(data)));
            }
            catch (FileFormatException e)
            {
                return FormatResult<ZipReader>.Fail("zip archive: " + e.Message);
            }
        }

        /// <summary>The entry named <paramref name="name"/> (ordinal comparison), or null.</summary>
        public ZipEntry? Find(string name)
        {
            foreach (ZipEntry entry in Entries)
            {
                if (string.Equals(entry.Name, name, StringComparison.Ordinal)) return entry;
            }
            return null;
        }

        /// <summary>Extracts <paramref name="entry"/>, checking its local header, its sizes and its CRC-32.</summary>
        public FormatResult<byte[]> Read(ZipEntry entry)
        {
            try
            {
                return FormatResult<byte[]>.Ok(Extract(entry));
            }
            catch (FileFormatException e)
            {
                return FormatResult<byte[]>.Fail($"zip entry '{entry.Name}': {e.Message}");
            }
        }

        private static List<ZipEntry> ReadDirectory(byte[] data)
        {
            if (data.Length < 22) throw new FileFormatException($"the file has {data.Length} bytes, fewer than an end-of-central-directory record");

            // The end record is the last 22 bytes plus a comment of up to 65535 bytes: search backwards for its signature
            // whose comment length reaches exactly the end of the file.
            long end = -1;
            long lowest = Math.Max(0, data.Length - 22L - MaxCommentLength);
            for (long at = data.Length - 22; at >= lowest; at--)
            {
                if (U32(data, at) == EndSignature && at + 22 + U16(data, at + 20) == data.Length)
                {
                    end = at;
                    break;
                }
            }
            if (end < 0) throw new FileFormatException("no end-of-central-directory record (the file is not a zip archive, or it is truncated)");

            long entryCount = U16(data, end + 10);
            long directorySize = U32(data, end + 12);
            long directoryOffset = U32(data, end + 16);
            if (U16(data, end + 4) != 0 || U16(data, end + 6) != 0) throw new FileFormatException("it spans several disks, which is not supported");

            // ZIP64: a locator sits right before the end record when any of its fields overflowed.
            if (end >= 20 && U32(data, end - 20) == Zip64LocatorSignature)
            {
                ulong recordOffset = U64(data, end - 20 + 8);
                if (end - 20 < 56 || recordOffset > (ulong)(end - 20 - 56)) throw new FileFormatException("the ZIP64 end record offset lies outside the file");
                long record = (long)recordOffset;
                if (U32(data, record) != Zip64EndSignature) throw new FileFormatException("the ZIP64 locator does not point at a ZIP64 end record");
                ulong count64 = U64(data, record + 32);
                ulong size64 = U64(data, record + 40);
                ulong offset64 = U64(data, record + 48);
                if (count64 > MaxEntries) throw new FileFormatException($"it lists {count64} entries, more than the limit of {MaxEntries}");
                if (size64 > (ulong)data.Length || offset64 > (ulong)data.Length) throw new FileFormatException("the ZIP64 central directory lies outside the file");
                entryCount = (long)count64;
                directorySize = (long)size64;
                directoryOffset = (long)offset64;
            }

            if (entryCount > MaxEntries) throw new FileFormatException($"it lists {entryCount} entries, more than the limit of {MaxEntries}");
            if (directoryOffset + directorySize > data.Length) throw new FileFormatException($"the central directory ({directorySize} bytes at offset {directoryOffset}) lies outside the file of {data.Length} bytes");
            if (entryCount * 46 > directorySize) throw new FileFormatException($"the central directory of {directorySize} bytes cannot hold {entryCount} entries");

            var entries = new List<ZipEntry>((int)entryCount);
            long at2 = directoryOffset;
            long directoryEnd = directoryOffset + directorySize;
            for (long i = 0; i < entryCount; i++)
            {
                if (at2 + 46 > directoryEnd) throw new FileFormatException($"central directory entry {i} runs past the directory's end");
                if (U32(data, at2) != CentralSignature) throw new FileFormatException($"central directory entry {i} at offset {at2} has no signature");
                int flags = U16(data, at2 + 8);
                int method = U16(data, at2 + 10);
                uint crc = U32(data, at2 + 16);
                long compressed = U32(data, at2 + 20);
                long uncompressed = U32(data, at2 + 24);
                int nameLength = U16(data, at2 + 28);
                int extraLength = U16(data, at2 + 30);
                int commentLength = U16(data, at2 + 32);
                long localOffset = U32(data, at2 + 42);
                long nameAt = at2 + 46;
                long extraAt = nameAt + nameLength;
                long next = extraAt + extraLength + commentLength;
                if (next > directoryEnd) throw new FileFormatException($"central directory entry {i} (name, extra field and comment) runs past the directory's end");
                string name = (flags & 0x800) != 0 || IsAscii(data, nameAt, nameLength)
                    ? Encoding.UTF8.GetString(data, (int)nameAt, nameLength)
                    : Latin1(data, nameAt, nameLength);
                ReadZip64Extra(data, extraAt, extraLength, ref uncompressed, ref compressed, ref localOffset, name);
                if (localOffset + 30 > data.Length) throw new FileFormatException($"entry '{name}' has its local header at offset {localOffset}, outside the file");
                if (compressed > data.Length) throw new FileFormatException($"entry '{name}' claims {compressed} compressed bytes, more than the file holds");
                entries.Add(new ZipEntry(name, method, crc, compressed, uncompressed, localOffset, flags));
                at2 = next;
            }
            return entries;
        }

        /// <summary>Applies a ZIP64 extended-information extra field (id 1): each 64-bit value replaces a field that holds 0xFFFFFFFF.</summary>
        private static void ReadZip64Extra(byte[] data, long at, int length, ref long uncompressed, ref long compressed, ref long localOffset, string name)
        {
            long end = at + length;
            while (at + 4 <= end)
            {
                int id = U16(data, at);
                int size = U16(data, at + 2);
                long body = at + 4;
                if (body + size > end) throw new FileFormatException($"entry '{name}' has an extra field running past its end");
                if (id == 1)
                {
                    long cursor = body;
                    if (uncompressed == 0xFFFFFFFF) uncompressed = Field64(data, ref cursor, body + size, name);
                    if (compressed == 0xFFFFFFFF) compressed = Field64(data, ref cursor, body + size, name);
                    if (localOffset == 0xFFFFFFFF) localOffset = Field64(data, ref cursor, body + size, name);
                }
                at = body + size;
            }
        }

        private static long Field64(byte[] data, ref long cursor, long end, string name)
        {
            if (cursor + 8 > end) throw new FileFormatException($"entry '{name}' has a ZIP64 extra field that is too short");
            ulong value = U64(data, cursor);
            cursor += 8;
            if (value > (ulong)long.MaxValue) throw new FileFormatException($"entry '{name}' has a ZIP64 size beyond any file");
            return (long)value;
        }

        private byte[] Extract(ZipEntry entry)
        {
            byte[] data = _data;
            if ((entry.Flags & 1) != 0) throw new FileFormatException("it is encrypted");
            if (entry.Method != 0 && entry.Method != 8) throw new FileFormatException($"it uses compression method {entry.Method}; only stored (0) and deflate (8) are supported");
            if (entry.UncompressedSize > MaxEntryBytes) throw new FileFormatException($"it extracts to {entry.UncompressedSize} bytes, more than the limit of {MaxEntryBytes}");
            long header = entry.LocalHeaderOffset;
            if (U32(data, header) != LocalSignature) throw new FileFormatException($"no local header at offset {header}");
            long start = header + 30 + U16(data, header + 26) + U16(data, header + 28);
            if (start + entry.CompressedSize > data.Length) throw new FileFormatException($"its data ({entry.CompressedSize} bytes at offset {start}) runs past the end of the file");
            int size = (int)entry.UncompressedSize;
            byte[] output;
            if (entry.Method == 0)
            {
                if (entry.CompressedSize != entry.UncompressedSize) throw new FileFormatException($"it is stored, yet its sizes differ ({entry.CompressedSize} and {entry.UncompressedSize})");
                output = new byte[size];
                Buffer.BlockCopy(data, (int)start, output, 0, size);
            }
            else
            {
                if (entry.UncompressedSize > (entry.CompressedSize + 1) * MaxDeflateRatio) throw new FileFormatException($"it claims {entry.UncompressedSize} bytes from {entry.CompressedSize} deflated bytes, more than deflate can produce");
                output = Inflate(data, (int)start, (int)entry.CompressedSize, size);
            }
            uint crc = Crc32.Compute(output, 0, output.Length);
            if (crc != entry.Crc32) throw new FileFormatException($"its CRC-32 is {crc:x8}, but the directory records {entry.Crc32:x8} (the file is corrupt)");
            return output;
        }

        /// <summary>Inflates raw deflate data into exactly <paramref name="size"/> bytes; more or fewer is an error.</summary>
        internal static byte[] Inflate(byte[] data, int offset, int count, int size)
        {
            var output = new byte[size];
            try
            {
                using var input = new MemoryStream(data, offset, count, writable: false);
                using var inflater = new DeflateStream(input, CompressionMode.Decompress);
                int filled = 0;
                // Each pass either makes progress or ends the loop, so it runs at most size + 1 times.
                while (filled < size)
                {
                    int read = inflater.Read(output, filled, size - filled);
                    if (read <= 0) break;
                    filled += read;
                }
                if (filled != size) throw new FileFormatException($"the deflated data ends after {filled} of {size} bytes");
                if (inflater.Read(new byte[1], 0, 1) > 0) throw new FileFormatException($"the deflated data holds more than the declared {size} bytes");
            }
            catch (InvalidDataException e)
            {
                throw new FileFormatException("the deflated data is corrupt (" + e.Message + ")");
            }
            return output;
        }

        private static bool IsAscii(byte[] data, long at, int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (data[at + i] >= 0x80) return false;
            }
            return true;
        }

        private static string Latin1(byte[] data, long at, int length)
        {
            // Without the UTF-8 flag a name is in code page 437; its ASCII half is all that Keras writes.
            var chars = new char[length];
            for (int i = 0; i < length; i++) chars[i] = (char)data[at + i];
            return new string(chars);
        }

        private static int U16(byte[] data, long at)
        {
            if (at < 0 || at + 2 > data.Length) throw new FileFormatException($"a read at offset {at} runs past the end of the file");
            return data[at] | (data[at + 1] << 8);
        }

        private static uint U32(byte[] data, long at)
        {
            if (at < 0 || at + 4 > data.Length) throw new FileFormatException($"a read at offset {at} runs past the end of the file");
            return (uint)(data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24));
        }

        private static ulong U64(byte[] data, long at) => U32(data, at) | ((ulong)U32(data, at + 4) << 32);
    }

    /// <summary>CRC-32 (IEEE 802.3, reflected, as zip uses).</summary>
    internal static class Crc32
    {
        private static readonly uint[] s_table = BuildTable();

        /// <summary>The CRC-32 of <paramref name="count"/> bytes of <paramref name="data"/> from <paramref name="offset"/>.</summary>
        public static uint Compute(byte[] data, int offset, int count)
        {
            uint crc = 0xFFFFFFFF;
            for (int i = offset; i < offset + count; i++) crc = s_table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
            return ~crc;
        }

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint n = 0; n < 256; n++)
            {
                uint c = n;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            return table;
        }
    }
}
