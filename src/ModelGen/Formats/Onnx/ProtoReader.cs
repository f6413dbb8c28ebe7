// Linked into the generator (netstandard2.0) and the runtime (net9.0): no Span, no dependency.
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;

namespace ModelGen.Formats.Onnx
{
    /// <summary>
    /// A minimal protobuf wire-format reader over a byte array slice: varints, 64- and 32-bit fixed values and
    /// length-delimited fields. Every length is checked against the bytes left in the enclosing message before it is
    /// used, so a read never leaves the input; malformed input throws <see cref="FileFormatException"/> naming the offset.
    /// </summary>
    internal struct ProtoReader
    {
        /// <summary>Wire type of varint fields.</summary>
        public const int Varint = 0;
        /// <summary>Wire type of 64-bit fixed fields (double, fixed64).</summary>
        public const int Fixed64 = 1;
        /// <summary>Wire type of length-delimited fields (strings, bytes, messages, packed repeated scalars).</summary>
        public const int LengthDelimited = 2;
        /// <summary>Wire type of 32-bit fixed fields (float, fixed32).</summary>
        public const int Fixed32 = 5;

        private readonly byte[] _data;
        private readonly int _end;
        private int _position;

        /// <summary>Reads <paramref name="data"/> from <paramref name="start"/> up to (not including) <paramref name="end"/>.</summary>
        public ProtoReader(byte[] data, int start, int end)
        {
            if (data is null || start < 0 || end < start || end > data.Length) throw new FileFormatException("invalid protobuf slice");
            _data = data;
            _position = start;
            _end = end;
        }

        /// <summary>Offset of the next byte to read, for error messages.</summary>
        public int Position => _position;

        /// <summary>Reads the next field's tag; false at the end of the message.</summary>
        public bool TryReadTag(out int field, out int wireType)
        {
            if (_position >= _end)
            {
                field = 0;
                wireType = 0;
                return false;
            }
            int at = _position;
            ulong tag = ReadVarint();
            wireType = (int)(tag & 7);
            ulong number = tag >> 3;
            if (number == 0 || number > 536870911) throw new FileFormatException($"invalid protobuf field number {number} at byte {at}");
            field = (int)number;
            if (wireType == 3 || wireType == 4) throw new FileFormatException($"protobuf group (wire type {wireType}) at byte {at}: not used by ONNX");
            if (wireType != Varint && wireType != Fixed64 && wireType != LengthDelimited && wireType != Fixed32)
            {
                throw new FileFormatException($"invalid protobuf wire type {wireType} at byte {at}");
            }
            return true;
        }

        /// <summary>A base-128 varint of at most 10 bytes.</summary>
        public ulong ReadVarint()
        {
            int at = _position;
            ulong value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                if (_position >= _end) throw new FileFormatException($"truncated varint at byte {at}");
                byte b = _data[_position++];
                if (shift == 63 && b > 1) throw new FileFormatException($"varint longer than 64 bits at byte {at}");
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
            throw new FileFormatException($"varint longer than 10 bytes at byte {at}");
        }

        /// <summary>An <c>int64</c> field.</summary>
        public long ReadInt64() => unchecked((long)ReadVarint());

        /// <summary>An <c>int32</c> or enum field (negative values are sign-extended to 10 bytes on the wire).</summary>
        public int ReadInt32() => unchecked((int)ReadVarint());

        /// <summary>A little-endian 32-bit value.</summary>
        public uint ReadFixed32()
        {
            Need(4);
            uint v = (uint)(_data[_position] | _data[_position + 1] << 8 | _data[_position + 2] << 16 | _data[_position + 3] << 24);
            _position += 4;
            return v;
        }

        /// <summary>A little-endian 64-bit value.</summary>
        public ulong ReadFixed64()
        {
            Need(8);
            ulong lo = (uint)(_data[_position] | _data[_position + 1] << 8 | _data[_position + 2] << 16 | _data[_position + 3] << 24);
            ulong hi = (uint)(_data[_position + 4] | _data[_position + 5] << 8 | _data[_position + 6] << 16 | _data[_position + 7] << 24);
            _position += 8;
            return lo | hi << 32;
        }

        /// <summary>A <c>float</c> field.</summary>
        public float ReadFloat() => Bits.ToSingle(ReadFixed32());

        /// <summary>A <c>double</c> field.</summary>
        public double ReadDouble() => BitConverter.Int64BitsToDouble(unchecked((long)ReadFixed64()));

        /// <summary>The bounds of a length-delimited field's payload, checked against the message; moves past it.</summary>
        public void ReadLength(out int start, out int length)
        {
            int at = _position;
            ulong n = ReadVarint();
            if (n > (ulong)(_end - _position)) throw new FileFormatException($"length {n} at byte {at} runs past the end of its message ({_end - _position} bytes left)");
            start = _position;
            length = (int)n;
            _position += length;
        }

        /// <summary>A reader over an embedded message's payload.</summary>
        public ProtoReader ReadMessage()
        {
            ReadLength(out int start, out int length);
            return new ProtoReader(_data, start, start + length);
        }

        /// <summary>A <c>bytes</c> field, copied.</summary>
        public byte[] ReadBytes()
        {
            ReadLength(out int start, out int length);
            var bytes = new byte[length];
            Buffer.BlockCopy(_data, start, bytes, 0, length);
            return bytes;
        }

        /// <summary>A <c>string</c> field (UTF-8; invalid sequences become U+FFFD).</summary>
        public string ReadString()
        {
            ReadLength(out int start, out int length);
            return Encoding.UTF8.GetString(_data, start, length);
        }

        /// <summary>Skips a field of <paramref name="wireType"/>.</summary>
        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case Varint: ReadVarint(); break;
                case Fixed64: Need(8); _position += 8; break;
                case Fixed32: Need(4); _position += 4; break;
                case LengthDelimited: ReadLength(out _, out _); break;
                default: throw new FileFormatException($"invalid protobuf wire type {wireType} at byte {_position}");
            }
        }

        /// <summary>Appends a repeated <c>float</c> field, packed or not.</summary>
        public void ReadFloats(int wireType, List<float> into)
        {
            if (wireType == Fixed32)
            {
                into.Add(ReadFloat());
                return;
            }
            Expect(wireType, LengthDelimited, "repeated float");
            var packed = ReadMessage();
            if ((packed._end - packed._position) % 4 != 0) throw new FileFormatException($"packed floats of {packed._end - packed._position} bytes at byte {packed._position}: not a multiple of 4");
            while (packed._position < packed._end) into.Add(packed.ReadFloat());
        }

        /// <summary>Appends a repeated <c>double</c> field, packed or not.</summary>
        public void ReadDoubles(int wireType, List<double> into)
        {
            if (wireType == Fixed64)
            {
                into.Add(ReadDouble());
                return;
            }
            Expect(wireType, LengthDelimited, "repeated double");
            var packed = ReadMessage();
            if ((packed._end - packed._position) % 8 != 0) throw new FileFormatException($"packed doubles of {packed._end - packed._position} bytes at byte {packed._position}: not a multiple of 8");
            while (packed._position < packed._end) into.Add(packed.ReadDouble());
        }

        /// <summary>Appends a repeated varint field (<c>int64</c>, <c>int32</c>), packed or not.</summary>
        public void ReadInt64s(int wireType, List<long> into)
        {
            if (wireType == Varint)
            {
                into.Add(ReadInt64());
                return;
            }
            Expect(wireType, LengthDelimited, "repeated integer");
            var packed = ReadMessage();
            while (packed._position < packed._end) into.Add(packed.ReadInt64());
        }

        /// <summary>Throws unless <paramref name="wireType"/> is <paramref name="expected"/>.</summary>
        public void Expect(int wireType, int expected, string what)
        {
            if (wireType != expected) throw new FileFormatException($"{what} field with wire type {wireType} (expected {expected}) at byte {_position}");
        }

        private void Need(int bytes)
        {
            if (_end - _position < bytes) throw new FileFormatException($"truncated {bytes}-byte value at byte {_position}");
        }
    }

    /// <summary>Bit conversions that netstandard2.0 lacks, independent of the machine's byte order.</summary>
    internal static class Bits
    {
        /// <summary>The float whose IEEE bits are <paramref name="bits"/>.</summary>
        public static float ToSingle(uint bits) => new SingleBits { Bits = bits }.Value;

        /// <summary>Little-endian float at <paramref name="offset"/> of <paramref name="data"/> (the caller checks bounds).</summary>
        public static float SingleAt(byte[] data, int offset) =>
            ToSingle((uint)(data[offset] | data[offset + 1] << 8 | data[offset + 2] << 16 | data[offset + 3] << 24));

        /// <summary>Little-endian int64 at <paramref name="offset"/> of <paramref name="data"/> (the caller checks bounds).</summary>
        public static long Int64At(byte[] data, int offset)
        {
            ulong lo = (uint)(data[offset] | data[offset + 1] << 8 | data[offset + 2] << 16 | data[offset + 3] << 24);
            ulong hi = (uint)(data[offset + 4] | data[offset + 5] << 8 | data[offset + 6] << 16 | data[offset + 7] << 24);
            return unchecked((long)(lo | hi << 32));
        }

        /// <summary>Little-endian double at <paramref name="offset"/> of <paramref name="data"/> (the caller checks bounds).</summary>
        public static double DoubleAt(byte[] data, int offset) => BitConverter.Int64BitsToDouble(Int64At(data, offset));

        // BitConverter.Int32BitsToSingle is not in netstandard2.0: an explicit-layout union (safe code) reinterprets the bits.
        [StructLayout(LayoutKind.Explicit)]
        private struct SingleBits
        {
            [FieldOffset(0)] public uint Bits;
            [FieldOffset(0)] public float Value;
        }
    }
}
