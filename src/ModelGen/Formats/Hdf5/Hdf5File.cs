// An HDF5 reader for the subset h5py writes for Keras files. Compiled into runtime and generator (see FormatResult.cs).
// Format reference: the HDF5 File Format Specification, version 3.0 (superblock, object headers, B-trees, heaps).
using System;
using System.Collections.Generic;

namespace ModelGen.Formats.Hdf5
{
    /// <summary>
    /// An HDF5 file held in memory: superblock versions 0 to 3, object headers versions 1 and 2, groups stored as symbol
    /// tables (v1 B-tree + local heap) or as links (compact, or dense through a fractal heap and a v2 B-tree), compact and
    /// dense attributes, and contiguous, compact and chunked datasets (see <see cref="Hdf5Object"/>). Every read is checked
    /// against the input; every size taken from the file is checked against the limits below before anything is allocated;
    /// every walk is bounded by <see cref="MaxSteps"/> and by cycle checks.
    /// </summary>
    /// <remarks>
    /// <see cref="Open"/> returns a result; the navigation members of <see cref="Hdf5Object"/> throw
    /// <see cref="FileFormatException"/>, which the readers built on this class (the Keras reader) catch at their entry points.
    /// </remarks>
    internal sealed class Hdf5File
    {
        /// <summary>Most dimensions of a dataspace.</summary>
        public const int MaxRank = 32;

        /// <summary>Most elements of one dataset or attribute.</summary>
        public const long MaxElements = 1L << 28;

        /// <summary>Largest decoded dataset or attribute value, in bytes.</summary>
        public const long MaxValueBytes = 1L << 30;

        /// <summary>Longest string read from the file (a link name, an attribute string, a global-heap object).</summary>
        public const int MaxStringBytes = 64 << 20;

        /// <summary>Most object-header continuation blocks of one object.</summary>
        public const int MaxHeaderBlocks = 1024;

        /// <summary>Deepest B-tree, fractal-heap indirect-block chain or datatype nesting followed.</summary>
        public const int MaxDepth = 32;

        /// <summary>
        /// Budget of elementary steps (messages, B-tree records, heap objects, chunks) for the whole file: a hostile file
        /// whose structures loop or fan out without end fails with an error instead of hanging.
        /// </summary>
        public const long MaxSteps = 50_000_000;

        private static readonly byte[] s_signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a };

        private readonly Dictionary<long, Hdf5Object> _objects = new();
        private readonly Dictionary<long, Dictionary<int, KeyValuePair<long, long>>> _globalHeaps = new();
        private readonly Dictionary<long, FractalHeap> _fractalHeaps = new();
        private long _steps;

        private Hdf5File(byte[] data)
        {
            Data = data;
        }

        /// <summary>The file's bytes.</summary>
        internal byte[] Data { get; }

        /// <summary>Bytes of an address (2, 4 or 8).</summary>
        internal int OffsetSize { get; private set; }

        /// <summary>Bytes of a length (2, 4 or 8).</summary>
        internal int LengthSize { get; private set; }

        /// <summary>Where address 0 is in <see cref="Data"/> (the superblock's base address; non-zero after a user block).</summary>
        internal long BaseAddress { get; private set; }

        /// <summary>The superblock version (0 to 3).</summary>
        public int SuperblockVersion { get; private set; }

        /// <summary>The root group.</summary>
        public Hdf5Object Root { get; private set; } = null!;

        /// <summary>True when <paramref name="data"/> carries the HDF5 signature at offset 0 (or after a user block).</summary>
        public static bool HasSignature(byte[] data) => FindSignature(data) >= 0;

        /// <summary>Reads the superblock and the root group's object header.</summary>
        public static FormatResult<Hdf5File> Open(byte[] data)
        {
            if (data is null) throw new ArgumentNullException(nameof(data));
            try
            {
                var file = new Hdf5File(data);
                file.ReadSuperblock();
                return FormatResult<Hdf5File>.Ok(file);
            }
            catch (FileFormatException e)
            {
                return FormatResult<Hdf5File>.Fail("HDF5 file: " + e.Message);
            }
        }

        /// <summary>The object at <paramref name="path"/> ('/'-separated, relative to the root), or null when a part is missing.</summary>
        public Hdf5Object? Get(string path) => Root.Get(path);

        private static long FindSignature(byte[] data)
        {
            // The superblock sits at 0, 512, 1024, 2048, ... (after a user block of a power-of-two size).
            for (long at = 0; at + 8 <= data.Length; at = at == 0 ? 512 : at * 2)
            {
                bool match = true;
                for (int i = 0; i < 8 && match; i++) match = data[at + i] == s_signature[i];
                if (match) return at;
            }
            return -1;
        }

        private void ReadSuperblock()
        {
            long at = FindSignature(Data);
            if (at < 0) throw new FileFormatException("no HDF5 signature (the file is not HDF5)");
            int version = U8(at + 8);
            SuperblockVersion = version;
            long rootHeader;
            if (version == 0 || version == 1)
            {
                OffsetSize = U8(at + 13);
                LengthSize = U8(at + 14);
                CheckSizes();
                long p = at + 24 + (version == 1 ? 4 : 0);
                long baseAddress = ReadRawAddress(ref p);
                BaseAddress = baseAddress < 0 ? at : baseAddress;
                p += 3L * OffsetSize; // free-space info, end of file, driver information
                p += OffsetSize;      // root symbol table entry: link name offset
                rootHeader = ReadAddress(ref p);
            }
            else if (version == 2 || version == 3)
            {
                OffsetSize = U8(at + 9);
                LengthSize = U8(at + 10);
                CheckSizes();
                long p = at + 12;
                long baseAddress = ReadRawAddress(ref p);
                BaseAddress = baseAddress < 0 ? at : baseAddress;
                p += 2L * OffsetSize; // superblock extension, end of file
                rootHeader = ReadAddress(ref p);
            }
            else
            {
                throw new FileFormatException($"superblock version {version} is not supported (0 to 3 are)");
            }
            if (rootHeader < 0) throw new FileFormatException("the superblock has no root group");
            Root = GetObject(rootHeader, "/");
        }

        private void CheckSizes()
        {
            if (OffsetSize is not (2 or 4 or 8) || LengthSize is not (2 or 4 or 8))
            {
                throw new FileFormatException($"the superblock gives offsets of {OffsetSize} and lengths of {LengthSize} bytes; 2, 4 or 8 are allowed");
            }
        }

        /// <summary>The object whose header is at file address <paramref name="address"/> (parsed once, then cached).</summary>
        internal Hdf5Object GetObject(long address, string path)
        {
            if (_objects.TryGetValue(address, out Hdf5Object? known)) return known;
            var created = new Hdf5Object(this, address, path);
            _objects.Add(address, created);
            return created;
        }

        /// <summary>Counts <paramref name="count"/> steps against <see cref="MaxSteps"/>.</summary>
        internal void Step(long count = 1)
        {
            _steps += count;
            if (_steps > MaxSteps) throw new FileFormatException($"reading it takes more than {MaxSteps} steps: its structures are cyclic or far larger than any Keras file");
        }

        /// <summary>Position in <see cref="Data"/> of file address <paramref name="address"/>, checked to leave <paramref name="count"/> bytes.</summary>
        internal long Position(long address, long count, string what)
        {
            if (address < 0) throw new FileFormatException($"{what} has an undefined address");
            long position = address + BaseAddress;
            if (position < 0 || count < 0 || position > Data.Length || count > Data.Length - position)
            {
                throw new FileFormatException($"{what} ({count} bytes at address {address}) lies outside the file of {Data.Length} bytes");
            }
            return position;
        }

        /// <summary>Checks that <paramref name="count"/> bytes from position <paramref name="at"/> lie inside the file.</summary>
        internal void Check(long at, long count)
        {
            if (at < 0 || count < 0 || at > Data.Length || count > Data.Length - at)
            {
                throw new FileFormatException($"a read of {count} bytes at offset {at} runs past the end of the file ({Data.Length} bytes)");
            }
        }

        internal int U8(long at)
        {
            Check(at, 1);
            return Data[at];
        }

        internal int U16(long at)
        {
            Check(at, 2);
            return Data[at] | (Data[at + 1] << 8);
        }

        internal uint U32(long at)
        {
            Check(at, 4);
            return (uint)(Data[at] | (Data[at + 1] << 8) | (Data[at + 2] << 16) | (Data[at + 3] << 24));
        }

        internal ulong U64(long at) => U32(at) | ((ulong)U32(at + 4) << 32);

        /// <summary>Reads a little-endian unsigned integer of <paramref name="size"/> bytes (1 to 8).</summary>
        internal ulong Unsigned(long at, int size)
        {
            Check(at, size);
            ulong value = 0;
            for (int i = size - 1; i >= 0; i--) value = (value << 8) | Data[at + i];
            return value;
        }

        /// <summary>Reads a file address: -1 for the undefined address (all bits set); otherwise checked to be in range.</summary>
        internal long ReadAddress(ref long at)
        {
            long address = ReadRawAddress(ref at);
            if (address >= 0 && address > Data.Length) throw new FileFormatException($"address {address} lies outside the file of {Data.Length} bytes");
            return address;
        }

        private long ReadRawAddress(ref long at)
        {
            ulong value = Unsigned(at, OffsetSize);
            at += OffsetSize;
            ulong undefined = OffsetSize == 8 ? ulong.MaxValue : (1UL << (8 * OffsetSize)) - 1;
            if (value == undefined) return -1;
            if (value > (ulong)Data.Length) throw new FileFormatException($"address {value} lies outside the file of {Data.Length} bytes");
            return (long)value;
        }

        /// <summary>Reads a length field, checked not to exceed <paramref name="limit"/>.</summary>
        internal long ReadLength(ref long at, long limit, string what)
        {
            ulong value = Unsigned(at, LengthSize);
            at += LengthSize;
            if (value > (ulong)limit) throw new FileFormatException($"{what} is {value}, more than the limit of {limit}");
            return (long)value;
        }

        /// <summary>Checks the 4-byte signature at <paramref name="at"/>.</summary>
        internal void ExpectSignature(long at, string signature, string what)
        {
            Check(at, 4);
            for (int i = 0; i < 4; i++)
            {
                if (Data[at + i] != signature[i]) throw new FileFormatException($"{what} at offset {at} lacks its signature '{signature}'");
            }
        }

        /// <summary>
        /// The bytes of object <paramref name="index"/> of the global heap collection at <paramref name="address"/>
        /// (variable-length strings live there): its position and length.
        /// </summary>
        internal KeyValuePair<long, long> GlobalHeapObject(long address, int index)
        {
            if (!_globalHeaps.TryGetValue(address, out Dictionary<int, KeyValuePair<long, long>>? objects))
            {
                objects = ReadGlobalHeap(address);
                _globalHeaps.Add(address, objects);
            }
            if (!objects.TryGetValue(index, out KeyValuePair<long, long> found))
            {
                throw new FileFormatException($"the global heap at address {address} has no object {index}");
            }
            return found;
        }

        private Dictionary<int, KeyValuePair<long, long>> ReadGlobalHeap(long address)
        {
            long start = Position(address, 8 + LengthSize, "a global heap collection");
            ExpectSignature(start, "GCOL", "A global heap collection");
            if (U8(start + 4) != 1) throw new FileFormatException($"global heap version {U8(start + 4)} is not supported");
            long p = start + 8;
            long size = ReadLength(ref p, Data.Length, "a global heap collection's size");
            long end = start + size;
            Check(start, size);
            var objects = new Dictionary<int, KeyValuePair<long, long>>();
            while (p + 8 + LengthSize <= end)
            {
                Step();
                int index = U16(p);
                if (index == 0) break; // the free space ends the collection
                long q = p + 8;
                long length = ReadLength(ref q, end - q, "a global heap object's size");
                objects[index] = new KeyValuePair<long, long>(q, length);
                p = q + ((length + 7) & ~7L);
            }
            return objects;
        }

        /// <summary>The fractal heap at <paramref name="address"/> (parsed once).</summary>
        internal FractalHeap GetFractalHeap(long address)
        {
            if (!_fractalHeaps.TryGetValue(address, out FractalHeap? heap))
            {
                heap = new FractalHeap(this, address);
                _fractalHeaps.Add(address, heap);
            }
            return heap;
        }
    }
}
