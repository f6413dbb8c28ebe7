using System;
using System.Collections.Generic;
using System.Text;

namespace ModelGen.Formats.Hdf5
{
    /// <summary>An element type (datatype message): the classes Keras files use are decoded, others only described.</summary>
    internal sealed class Hdf5Datatype
    {
        /// <summary>Largest element a datatype may declare.</summary>
        public const long MaxElementSize = 1 << 20;

        private Hdf5Datatype(int typeClass, int version, int bits, long size, Hdf5Datatype? baseType)
        {
            Class = typeClass;
            Version = version;
            Bits = bits;
            Size = size;
            Base = baseType;
        }

        /// <summary>0 fixed-point, 1 floating-point, 3 string, 9 variable-length, ... (the specification's classes).</summary>
        public int Class { get; }

        /// <summary>The datatype message version.</summary>
        public int Version { get; }

        /// <summary>The class bit field (24 bits).</summary>
        public int Bits { get; }

        /// <summary>Bytes of one element.</summary>
        public long Size { get; }

        /// <summary>The base type of a variable-length type.</summary>
        public Hdf5Datatype? Base { get; }

        /// <summary>True for IEEE floating point.</summary>
        public bool IsFloat => Class == 1;

        /// <summary>True for integers.</summary>
        public bool IsInteger => Class == 0;

        /// <summary>True for fixed-length strings.</summary>
        public bool IsFixedString => Class == 3;

        /// <summary>True for variable-length strings (stored in the global heap).</summary>
        public bool IsVariableString => Class == 9 && (Bits & 0xF) == 1;

        /// <summary>A short description for messages ("float64", "int32", "fixed-length string", ...).</summary>
        public string Describe() => Class switch
        {
            0 => ((Bits & 8) != 0 ? "int" : "uint") + (Size * 8),
            1 => "float" + (Size * 8),
            3 => "fixed-length string",
            9 => IsVariableString ? "variable-length string" : "variable-length sequence",
            _ => $"class-{Class}",
        };

        internal static Hdf5Datatype Parse(Hdf5File file, Hdf5Object.Message message, int depth, string path)
        {
            var reader = new SpanReader(file.Data, message.Body, message.Size, $"the datatype of '{path}'", file.OffsetSize);
            return Parse(ref reader, depth, path);
        }

        internal static Hdf5Datatype Parse(ref SpanReader r, int depth, string path)
        {
            if (depth > Hdf5File.MaxDepth) throw new FileFormatException($"the datatype of '{path}' is nested too deeply");
            int start = r.Position;
            int classAndVersion = r.U8();
            int bits = r.U8() | (r.U8() << 8) | (r.U8() << 16);
            long size = r.U32();
            int typeClass = classAndVersion & 0x0F;
            int version = classAndVersion >> 4;
            if (size > MaxElementSize) throw new FileFormatException($"the datatype of '{path}' declares {size}-byte elements");
            Hdf5Datatype? baseType = null;
            if (typeClass == 9)
            {
                baseType = Parse(ref r, depth + 1, path);
            }
            else if (typeClass is 0 or 1)
            {
                r.Position = start + 8;
                r.Need(4);
            }
            return new Hdf5Datatype(typeClass, version, bits, size, baseType);
        }

        /// <summary>Converts raw elements of a numeric type to doubles.</summary>
        public double[] ToDoubles(byte[] raw, string path)
        {
            CheckNumeric(path);
            int size = (int)Size;
            int count = raw.Length / size;
            var values = new double[count];
            bool bigEndian = (Bits & 1) != 0;
            bool signed = (Bits & 8) != 0;
            var scratch = new byte[8];
            for (int i = 0; i < count; i++)
            {
                for (int b = 0; b < size; b++) scratch[b] = raw[i * size + (bigEndian ? size - 1 - b : b)];
                values[i] = Class == 1
                    ? (size == 4 ? BitConverterLe.Single(scratch) : BitConverterLe.Double(scratch))
                    : Integer(scratch, size, signed);
            }
            return values;
        }

        /// <summary>Converts raw float32 elements to floats.</summary>
        public float[] ToFloat32(byte[] raw, string path)
        {
            CheckNumeric(path);
            if (Class != 1 || Size != 4) throw new FileFormatException($"'{path}' holds {Describe()} values, not float32");
            bool bigEndian = (Bits & 1) != 0;
            var values = new float[raw.Length / 4];
            var scratch = new byte[4];
            for (int i = 0; i < values.Length; i++)
            {
                for (int b = 0; b < 4; b++) scratch[b] = raw[i * 4 + (bigEndian ? 3 - b : b)];
                values[i] = BitConverterLe.Single(scratch);
            }
            return values;
        }

        private void CheckNumeric(string path)
        {
            if (Class == 1)
            {
                if ((Bits & 0x40) != 0) throw new FileFormatException($"'{path}' uses VAX floating point");
                if (Size != 4 && Size != 8) throw new FileFormatException($"'{path}' holds {Size * 8}-bit floats; 32 and 64 bits are supported");
            }
            else if (Class == 0)
            {
                if (Size is not (1 or 2 or 4 or 8)) throw new FileFormatException($"'{path}' holds {Size}-byte integers");
            }
            else
            {
                throw new FileFormatException($"'{path}' holds {Describe()} values, not numbers");
            }
        }

        private static double Integer(byte[] le, int size, bool signed)
        {
            ulong value = 0;
            for (int i = size - 1; i >= 0; i--) value = (value << 8) | le[i];
            if (!signed) return value;
            int shift = 64 - 8 * size;
            return (long)(value << shift) >> shift;
        }
    }

    /// <summary>Little-endian float decoding that works the same on netstandard2.0 and net9.0.</summary>
    internal static class BitConverterLe
    {
        public static float Single(byte[] le)
        {
            int bits = le[0] | (le[1] << 8) | (le[2] << 16) | (le[3] << 24);
            return BitConverter.ToSingle(BitConverter.GetBytes(bits), 0);
        }

        public static double Double(byte[] le)
        {
            long bits = 0;
            for (int i = 7; i >= 0; i--) bits = (bits << 8) | le[i];
            return BitConverter.Int64BitsToDouble(bits);
        }
    }

    /// <summary>A dataspace: its dimensions (empty for a scalar) and its element count (0 for a null dataspace).</summary>
    internal sealed class Hdf5Dataspace
    {
        private Hdf5Dataspace(long[] dimensions, long count)
        {
            Dimensions = dimensions;
            ElementCount = count;
        }

        /// <summary>The current dimensions, slowest first.</summary>
        public long[] Dimensions { get; }

        /// <summary>How many elements it holds.</summary>
        public long ElementCount { get; }

        internal static Hdf5Dataspace Parse(Hdf5File file, Hdf5Object.Message message, string path)
        {
            var reader = new SpanReader(file.Data, message.Body, message.Size, $"the dataspace of '{path}'", file.OffsetSize);
            return Parse(ref reader, file.LengthSize, path);
        }

        internal static Hdf5Dataspace Parse(ref SpanReader r, int lengthSize, string path)
        {
            int version = r.U8();
            int rank = r.U8();
            int flags = r.U8();
            bool isNull = false;
            if (version == 1)
            {
                r.Skip(5);
            }
            else if (version == 2)
            {
                int type = r.U8();
                isNull = type == 2;
            }
            else
            {
                throw new FileFormatException($"the dataspace of '{path}' has version {version}; 1 and 2 are supported");
            }
            if (rank > Hdf5File.MaxRank) throw new FileFormatException($"the dataspace of '{path}' has {rank} dimensions, more than the limit of {Hdf5File.MaxRank}");
            var dimensions = new long[rank];
            long count = 1;
            for (int i = 0; i < rank; i++)
            {
                ulong d = r.Unsigned(lengthSize);
                if (d > (ulong)Hdf5File.MaxElements) throw new FileFormatException($"dimension {i} of '{path}' is {d}, more than the limit of {Hdf5File.MaxElements} elements");
                dimensions[i] = (long)d;
                count *= (long)d;
                if (count > Hdf5File.MaxElements) throw new FileFormatException($"'{path}' has more than {Hdf5File.MaxElements} elements");
            }
            if ((flags & 1) != 0) r.Skip((long)rank * lengthSize);
            return new Hdf5Dataspace(dimensions, isNull ? 0 : count);
        }
    }

    /// <summary>One attribute: its name, type, shape and raw value; decoded on request.</summary>
    internal sealed class Hdf5Attribute
    {
        private readonly Hdf5File _file;
        private readonly byte[] _value;
        private readonly string _owner;

        private Hdf5Attribute(Hdf5File file, string name, Hdf5Datatype type, Hdf5Dataspace space, byte[] value, string owner)
        {
            _file = file;
            Name = name;
            Datatype = type;
            Dataspace = space;
            _value = value;
            _owner = owner;
        }

        /// <summary>The attribute's name.</summary>
        public string Name { get; }

        /// <summary>Its element type.</summary>
        public Hdf5Datatype Datatype { get; }

        /// <summary>Its shape.</summary>
        public Hdf5Dataspace Dataspace { get; }

        private string Where => $"attribute '{Name}' of '{_owner}'";

        /// <summary>Parses an attribute message (from an object header or a dense-storage heap object).</summary>
        internal static Hdf5Attribute Parse(Hdf5File file, byte[] message, string owner)
        {
            var r = new SpanReader(message, $"an attribute of '{owner}'", file.OffsetSize);
            int version = r.U8();
            if (version is < 1 or > 3) throw new FileFormatException($"an attribute of '{owner}' has version {version}; 1 to 3 are supported");
            int flags = r.U8();
            if (version >= 2 && (flags & 3) != 0) throw new FileFormatException($"an attribute of '{owner}' uses a shared datatype or dataspace, which is not supported");
            int nameSize = r.U16();
            int typeSize = r.U16();
            int spaceSize = r.U16();
            if (version == 3) r.Skip(1);
            int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
            int nameStart = r.Position;
            r.Need(nameSize);
            int nameLength = nameSize;
            while (nameLength > 0 && message[nameStart + nameLength - 1] == 0) nameLength--;
            string name = Encoding.UTF8.GetString(message, nameStart, nameLength);
            r.Skip(Pad(nameSize));
            int typeStart = r.Position;
            var typeReader = new SpanReader(message, typeStart, Math.Min(typeSize, message.Length - typeStart), $"the datatype of attribute '{name}' of '{owner}'", file.OffsetSize);
            Hdf5Datatype type = Hdf5Datatype.Parse(ref typeReader, 0, owner + " @" + name);
            r.Skip(Pad(typeSize));
            int spaceStart = r.Position;
            var spaceReader = new SpanReader(message, spaceStart, Math.Min(spaceSize, message.Length - spaceStart), $"the dataspace of attribute '{name}' of '{owner}'", file.OffsetSize);
            Hdf5Dataspace space = Hdf5Dataspace.Parse(ref spaceReader, file.LengthSize, owner + " @" + name);
            r.Skip(Pad(spaceSize));
            long bytes = space.ElementCount * type.Size;
            if (bytes > Hdf5File.MaxValueBytes) throw new FileFormatException($"attribute '{name}' of '{owner}' holds {bytes} bytes, more than the limit of {Hdf5File.MaxValueBytes}");
            byte[] value = r.Bytes(bytes);
            return new Hdf5Attribute(file, name, type, space, value, owner);
        }

        /// <summary>The numbers of a numeric attribute.</summary>
        public double[] ReadDoubles() => Datatype.ToDoubles(_value, Where);

        /// <summary>True when the attribute is a string (fixed or variable length).</summary>
        public bool IsString => Datatype.IsFixedString || Datatype.IsVariableString;

        /// <summary>The strings of a string attribute (one per element; a scalar gives one).</summary>
        public string[] ReadStrings()
        {
            long count = Dataspace.ElementCount;
            var strings = new string[count];
            if (Datatype.IsFixedString)
            {
                int size = (int)Datatype.Size;
                bool spacePadded = (Datatype.Bits & 0xF) == 2;
                for (long i = 0; i < count; i++)
                {
                    int start = (int)(i * size);
                    int length = 0;
                    while (length < size && _value[start + length] != 0) length++;
                    if (spacePadded)
                    {
                        while (length > 0 && _value[start + length - 1] == (byte)' ') length--;
                    }
                    strings[i] = Encoding.UTF8.GetString(_value, start, length);
                }
                return strings;
            }
            if (Datatype.IsVariableString)
            {
                int offsetSize = _file.OffsetSize;
                int element = 4 + offsetSize + 4;
                if (Datatype.Size != element) throw new FileFormatException($"{Where} has variable-length elements of {Datatype.Size} bytes; {element} expected");
                for (long i = 0; i < count; i++)
                {
                    var r = new SpanReader(_value, i * element, element, Where, offsetSize);
                    long length = r.U32();
                    ulong collection = r.Unsigned(offsetSize);
                    int index = (int)r.U32();
                    if (length == 0)
                    {
                        strings[i] = string.Empty;
                        continue;
                    }
                    if (length > Hdf5File.MaxStringBytes || collection > (ulong)_file.Data.Length) throw new FileFormatException($"{Where} has a string of {length} bytes at address {collection}");
                    KeyValuePair<long, long> found = _file.GlobalHeapObject((long)collection, index);
                    if (found.Value < length) throw new FileFormatException($"{Where} has a string of {length} bytes in a heap object of {found.Value} bytes");
                    int stored = (int)length;
                    while (stored > 0 && _file.Data[found.Key + stored - 1] == 0) stored--;
                    strings[i] = Encoding.UTF8.GetString(_file.Data, (int)found.Key, stored);
                }
                return strings;
            }
            throw new FileFormatException($"{Where} holds {Datatype.Describe()} values, not strings");
        }
    }
}
