using System;
using System.Collections.Generic;
using System.Text;

namespace ModelGen.Formats.Hdf5
{
    /// <summary>Old-style groups: a v1 B-tree of symbol table nodes whose names live in a local heap.</summary>
    internal static class Hdf5Groups
    {
        internal static void ReadSymbolTable(Hdf5File f, long btree, long heap, List<Hdf5Link> links, string path)
        {
            long h = f.Position(heap, 8 + 2L * f.LengthSize + f.OffsetSize, $"the local heap of group '{path}'");
            f.ExpectSignature(h, "HEAP", "A local heap");
            long p = h + 8;
            long dataSize = f.ReadLength(ref p, f.Data.Length, $"the local heap size of group '{path}'");
            p += f.LengthSize; // free list head
            long dataAddress = f.ReadAddress(ref p);
            long data = f.Position(dataAddress, dataSize, $"the local heap data of group '{path}'");
            if (btree < 0) return;
            Walk(f, btree, 0, new HashSet<long>(), data, dataSize, links, path);
        }

        private static void Walk(Hdf5File f, long address, int depth, HashSet<long> visited, long heapData, long heapSize, List<Hdf5Link> links, string path)
        {
            if (depth > Hdf5File.MaxDepth) throw new FileFormatException($"the group B-tree of '{path}' is deeper than {Hdf5File.MaxDepth}");
            if (!visited.Add(address)) throw new FileFormatException($"the group B-tree of '{path}' is cyclic");
            long at = f.Position(address, 8 + 2L * f.OffsetSize, $"a group B-tree node of '{path}'");
            f.ExpectSignature(at, "TREE", "A group B-tree node");
            if (f.U8(at + 4) != 0) throw new FileFormatException($"a B-tree node of group '{path}' indexes chunks, not links");
            int level = f.U8(at + 5);
            int entries = f.U16(at + 6);
            long p = at + 8 + 2L * f.OffsetSize;
            for (int i = 0; i < entries; i++)
            {
                f.Step();
                p += f.LengthSize; // key: heap offset of the largest name in the child
                long child = f.ReadAddress(ref p);
                if (level == 0) ReadSymbolNode(f, child, visited, heapData, heapSize, links, path);
                else Walk(f, child, depth + 1, visited, heapData, heapSize, links, path);
            }
        }

        private static void ReadSymbolNode(Hdf5File f, long address, HashSet<long> visited, long heapData, long heapSize, List<Hdf5Link> links, string path)
        {
            if (!visited.Add(address)) throw new FileFormatException($"the group B-tree of '{path}' points twice at one symbol node");
            long at = f.Position(address, 8, $"a symbol table node of '{path}'");
            f.ExpectSignature(at, "SNOD", "A symbol table node");
            int count = f.U16(at + 6);
            long entrySize = 2L * f.OffsetSize + 24;
            f.Check(at + 8, count * entrySize);
            long p = at + 8;
            for (int i = 0; i < count; i++)
            {
                f.Step();
                long q = p;
                long nameOffset = (long)f.Unsigned(q, f.OffsetSize);
                q += f.OffsetSize;
                long header = f.ReadAddress(ref q);
                if (nameOffset < 0 || nameOffset >= heapSize) throw new FileFormatException($"a link name of group '{path}' lies outside its local heap");
                long start = heapData + nameOffset;
                long end = start;
                long limit = heapData + heapSize;
                while (end < limit && f.Data[end] != 0) end++;
                if (end - start > Hdf5File.MaxStringBytes) throw new FileFormatException($"a link name of group '{path}' is too long");
                string name = Encoding.UTF8.GetString(f.Data, (int)start, (int)(end - start));
                if (links.Count >= Hdf5Object.MaxLinks) throw new FileFormatException($"group '{path}' has more than {Hdf5Object.MaxLinks} links");
                if (header >= 0) links.Add(new Hdf5Link(name, header));
                p += entrySize;
            }
        }
    }

    /// <summary>A version 2 B-tree (the name index of dense links and attributes): its records, in key order.</summary>
    internal static class BTree2
    {
        /// <summary>Largest node size accepted.</summary>
        public const long MaxNodeSize = 1 << 20;

        internal static List<byte[]> Records(Hdf5File f, long address, int expectedType, string path)
        {
            var records = new List<byte[]>();
            if (address < 0) return records;
            long at = f.Position(address, 16 + 2L * f.OffsetSize + f.LengthSize, $"the v2 B-tree of '{path}'");
            f.ExpectSignature(at, "BTHD", "A v2 B-tree header");
            int type = f.U8(at + 5);
            if (type != expectedType) throw new FileFormatException($"the v2 B-tree of '{path}' has record type {type}; {expectedType} expected");
            long nodeSize = f.U32(at + 6);
            int recordSize = f.U16(at + 10);
            int depth = f.U16(at + 12);
            long p = at + 16;
            long root = f.ReadAddress(ref p);
            int rootCount = f.U16(p);
            if (nodeSize < 16 || nodeSize > MaxNodeSize || recordSize == 0 || recordSize > nodeSize) throw new FileFormatException($"the v2 B-tree of '{path}' has nodes of {nodeSize} bytes and records of {recordSize}");
            if (depth > Hdf5File.MaxDepth) throw new FileFormatException($"the v2 B-tree of '{path}' is {depth} levels deep");

            // Sizes of the child-pointer fields, as the library derives them from the node size (H5B2__hdr_init).
            var maxRecords = new long[depth + 1];
            var cumulative = new long[depth + 1];
            var cumulativeSize = new int[depth + 1];
            maxRecords[0] = (nodeSize - 10) / recordSize;
            cumulative[0] = maxRecords[0];
            int recordCountSize = EncodedSize(maxRecords[0]);
            for (int d = 1; d <= depth; d++)
            {
                long pointer = f.OffsetSize + recordCountSize + (d > 1 ? cumulativeSize[d - 1] : 0);
                maxRecords[d] = (nodeSize - (10 + pointer)) / (recordSize + pointer);
                if (maxRecords[d] <= 0) throw new FileFormatException($"the v2 B-tree of '{path}' has nodes too small for its depth");
                cumulative[d] = Saturate((maxRecords[d] + 1) * cumulative[d - 1] + maxRecords[d]);
                cumulativeSize[d] = EncodedSize(cumulative[d]);
            }
            if (root >= 0) Walk(f, root, rootCount, depth, recordSize, recordCountSize, cumulativeSize, maxRecords, new HashSet<long>(), records, path);
            return records;
        }

        private static long Saturate(long value) => value < 0 || value > (1L << 56) ? 1L << 56 : value;

        private static int EncodedSize(long value)
        {
            int log2 = 0;
            while (value > 1)
            {
                value >>= 1;
                log2++;
            }
            return log2 / 8 + 1;
        }

        private static void Walk(Hdf5File f, long address, int count, int depth, int recordSize, int recordCountSize, int[] cumulativeSize, long[] maxRecords, HashSet<long> visited, List<byte[]> records, string path)
        {
            if (!visited.Add(address)) throw new FileFormatException($"the v2 B-tree of '{path}' is cyclic");
            if (count > maxRecords[depth]) throw new FileFormatException($"a v2 B-tree node of '{path}' claims {count} records, more than fit");
            long at = f.Position(address, 6 + (long)count * recordSize, $"a v2 B-tree node of '{path}'");
            f.ExpectSignature(at, depth == 0 ? "BTLF" : "BTIN", "A v2 B-tree node");
            long recordsAt = at + 6;
            if (depth == 0)
            {
                for (int i = 0; i < count; i++)
                {
                    f.Step();
                    records.Add(Copy(f, recordsAt + (long)i * recordSize, recordSize));
                }
                return;
            }
            long pointers = recordsAt + (long)count * recordSize;
            int pointerSize = f.OffsetSize + recordCountSize + (depth > 1 ? cumulativeSize[depth - 1] : 0);
            f.Check(pointers, (count + 1L) * pointerSize);
            for (int i = 0; i <= count; i++)
            {
                f.Step();
                long q = pointers + (long)i * pointerSize;
                long child = f.ReadAddress(ref q);
                int childCount = (int)Math.Min(f.Unsigned(q, recordCountSize), int.MaxValue);
                if (child >= 0) Walk(f, child, childCount, depth - 1, recordSize, recordCountSize, cumulativeSize, maxRecords, visited, records, path);
                if (i < count) records.Add(Copy(f, recordsAt + (long)i * recordSize, recordSize));
            }
        }

        private static byte[] Copy(Hdf5File f, long at, int count)
        {
            f.Check(at, count);
            var bytes = new byte[count];
            Buffer.BlockCopy(f.Data, (int)at, bytes, 0, count);
            return bytes;
        }
    }

    /// <summary>A fractal heap (dense links and attributes live in one): locates managed and tiny objects by heap ID.</summary>
    internal sealed class FractalHeap
    {
        private readonly Hdf5File _f;
        private readonly long _address;
        private readonly int _idLength;
        private readonly int _width;
        private readonly long _startBlock;
        private readonly long _maxDirectBlock;
        private readonly int _offsetBytes;
        private readonly int _lengthBytes;
        private readonly long _root;
        private readonly int _rootRows;
        private readonly int _maxDirectRows;
        private readonly int _firstRowBits;

        internal FractalHeap(Hdf5File f, long address)
        {
            _f = f;
            _address = address;
            int o = f.OffsetSize;
            int l = f.LengthSize;
            long at = f.Position(address, 22 + 12L * l + 3L * o, "a fractal heap header");
            f.ExpectSignature(at, "FRHP", "A fractal heap header");
            if (f.U8(at + 4) != 0) throw new FileFormatException($"fractal heap version {f.U8(at + 4)} is not supported");
            _idLength = f.U16(at + 5);
            int filterLength = f.U16(at + 7);
            if (filterLength != 0) throw new FileFormatException("a fractal heap with I/O filters is not supported");
            long maxManaged = f.U32(at + 10);
            long p = at + 14 + l + o + l + o + 8L * l;
            _width = f.U16(p);
            p += 2;
            _startBlock = f.ReadLength(ref p, 1L << 40, "a fractal heap's starting block size");
            _maxDirectBlock = f.ReadLength(ref p, 1L << 40, "a fractal heap's largest direct block");
            int maxHeapBits = f.U16(p);
            p += 4; // maximum heap size, starting rows of the root indirect block
            _root = f.ReadAddress(ref p);
            _rootRows = f.U16(p);
            if (_width == 0 || !IsPowerOfTwo(_width) || _width > 65536 || !IsPowerOfTwo(_startBlock) || !IsPowerOfTwo(_maxDirectBlock) ||
                _maxDirectBlock < _startBlock || _maxDirectBlock > 1L << 32 || maxHeapBits is < 1 or > 64 || _idLength is < 2 or > 64)
            {
                throw new FileFormatException("a fractal heap header has invalid table parameters");
            }
            _offsetBytes = (maxHeapBits + 7) / 8;
            _lengthBytes = Math.Min((Log2(_maxDirectBlock) + 7) / 8, Log2Floor(maxManaged) / 8 + 1);
            _maxDirectRows = Log2(_maxDirectBlock) - Log2(_startBlock) + 2;
            _firstRowBits = Log2(_startBlock) + Log2(_width);
            if (_rootRows > 64) throw new FileFormatException("a fractal heap's root block has too many rows");
        }

        /// <summary>The object whose heap ID starts at <paramref name="offset"/> of <paramref name="record"/>.</summary>
        internal byte[] Read(byte[] record, int offset, string path)
        {
            if (record.Length < offset + _idLength) throw new FileFormatException($"a heap ID of '{path}' is truncated");
            int flags = record[offset];
            if ((flags >> 6) != 0) throw new FileFormatException($"a heap ID of '{path}' has version {flags >> 6}");
            int kind = (flags >> 4) & 3;
            if (kind == 2)
            {
                int tinyLength = (flags & 0x0F) + 1;
                if (offset + 1 + tinyLength > record.Length) throw new FileFormatException($"a tiny heap object of '{path}' is truncated");
                var tiny = new byte[tinyLength];
                Buffer.BlockCopy(record, offset + 1, tiny, 0, tinyLength);
                return tiny;
            }
            if (kind != 0) throw new FileFormatException($"'{path}' keeps a huge object in its fractal heap, which is not supported");
            var r = new SpanReader(record, offset + 1, _idLength - 1, $"a heap ID of '{path}'", _f.OffsetSize);
            long heapOffset = (long)Math.Min(r.Unsigned(_offsetBytes), long.MaxValue / 2);
            long length = (long)Math.Min(r.Unsigned(_lengthBytes), long.MaxValue / 2);
            if (length > _maxDirectBlock) throw new FileFormatException($"a heap object of '{path}' claims {length} bytes");
            long position = _rootRows == 0
                ? Direct(_root, 0, _startBlock, heapOffset, length, path)
                : Indirect(_root, _rootRows, 0, heapOffset, length, 0, path);
            var bytes = new byte[length];
            Buffer.BlockCopy(_f.Data, (int)position, bytes, 0, (int)length);
            return bytes;
        }

        private long Direct(long block, long blockOffset, long blockSize, long heapOffset, long length, string path)
        {
            long within = heapOffset - blockOffset;
            if (within < 0 || within + length > blockSize) throw new FileFormatException($"a heap object of '{path}' runs past its direct block");
            long at = _f.Position(block, blockSize, $"a fractal heap direct block of '{path}'");
            _f.ExpectSignature(at, "FHDB", "A fractal heap direct block");
            return at + within;
        }

        private long Indirect(long block, int rows, long blockOffset, long heapOffset, long length, int depth, string path)
        {
            if (depth > Hdf5File.MaxDepth) throw new FileFormatException($"the fractal heap of '{path}' is nested too deeply");
            long at = _f.Position(block, 5 + _f.OffsetSize + _offsetBytes, $"a fractal heap indirect block of '{path}'");
            _f.ExpectSignature(at, "FHIB", "A fractal heap indirect block");
            long entries = at + 5 + _f.OffsetSize + _offsetBytes;
            long start = blockOffset;
            for (int row = 0; row < rows; row++)
            {
                long size = row < 2 ? _startBlock : _startBlock << Math.Min(row - 1, 40);
                for (int column = 0; column < _width; column++)
                {
                    _f.Step();
                    if (heapOffset >= start && heapOffset < start + size)
                    {
                        long q = entries + ((long)row * _width + column) * _f.OffsetSize;
                        long child = _f.ReadAddress(ref q);
                        if (child < 0) throw new FileFormatException($"a heap object of '{path}' lies in an unallocated block");
                        if (row < _maxDirectRows) return Direct(child, start, size, heapOffset, length, path);
                        int childRows = Log2(size) - _firstRowBits + 1;
                        if (childRows < 1 || childRows > 64) throw new FileFormatException($"the fractal heap of '{path}' has an invalid indirect block");
                        return Indirect(child, childRows, start, heapOffset, length, depth + 1, path);
                    }
                    start += size;
                }
            }
            throw new FileFormatException($"a heap object of '{path}' lies outside its fractal heap (address {_address})");
        }

        private static bool IsPowerOfTwo(long value) => value > 0 && (value & (value - 1)) == 0;

        private static int Log2(long powerOfTwo) => Log2Floor(powerOfTwo);

        private static int Log2Floor(long value)
        {
            int log = 0;
            while (value > 1)
            {
                value >>= 1;
                log++;
            }
            return log;
        }
    }
}
