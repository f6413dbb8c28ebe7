using System;
using System.Collections.Generic;
using ModelGen.Formats.Zip;

namespace ModelGen.Formats.Hdf5
{
    /// <summary>
    /// Reads a dataset's value from its data layout message: compact, contiguous, or chunked (v1 B-tree index, or the
    /// single-chunk, implicit and fixed-array indexes of layout version 4), through the deflate, shuffle and Fletcher-32
    /// filters.
    /// </summary>
    internal static class Hdf5Storage
    {
        /// <summary>Largest chunk (decoded), in bytes.</summary>
        public const long MaxChunkBytes = 1L << 30;

        /// <summary>Most filters in a pipeline.</summary>
        public const int MaxFilters = 32;

        private readonly struct Filter
        {
            public Filter(int id, int[] values)
            {
                Id = id;
                Values = values;
            }

            public int Id { get; }

            public int[] Values { get; }
        }

        internal static byte[] Read(Hdf5File f, Hdf5Object.Message layout, Hdf5Object.Message? filterMessage, Hdf5Dataspace space, Hdf5Datatype type, string path)
        {
            long total = space.ElementCount * type.Size;
            if (type.Size <= 0) throw new FileFormatException($"dataset '{path}' has elements of {type.Size} bytes");
            if (total > Hdf5File.MaxValueBytes) throw new FileFormatException($"dataset '{path}' holds {total} bytes, more than the limit of {Hdf5File.MaxValueBytes}");
            Filter[] filters = filterMessage is null ? new Filter[0] : ParseFilters(f, filterMessage.Value, path);
            var r = new SpanReader(f.Data, layout.Body, layout.Size, $"the data layout of '{path}'", f.OffsetSize);
            int version = r.U8();
            var output = new byte[total];
            if (version is 1 or 2)
            {
                int dimensionality = r.U8();
                int layoutClass = r.U8();
                r.Skip(5);
                long address = layoutClass != 0 ? Address(f, ref r) : -1;
                if (dimensionality > Hdf5File.MaxRank + 1) throw new FileFormatException($"the data layout of '{path}' has {dimensionality} dimensions");
                var sizes = new long[dimensionality];
                for (int i = 0; i < dimensionality; i++) sizes[i] = r.U32();
                if (layoutClass == 0)
                {
                    long size = r.U32();
                    CopyCompact(f, ref r, size, output, path);
                }
                else if (layoutClass == 1)
                {
                    CopyContiguous(f, address, total, output, path);
                }
                else if (layoutClass == 2)
                {
                    int rank = space.Dimensions.Length;
                    if (dimensionality < rank) throw new FileFormatException($"the chunk shape of '{path}' has {dimensionality} dimensions for a rank-{rank} dataset");
                    var chunk = new long[rank];
                    Array.Copy(sizes, chunk, rank);
                    ReadBTreeChunks(f, address, rank + 1, chunk, space, type, filters, output, path);
                }
                else
                {
                    throw new FileFormatException($"dataset '{path}' has layout class {layoutClass}");
                }
                return output;
            }
            if (version is not (3 or 4)) throw new FileFormatException($"the data layout of '{path}' has version {version}; 1 to 4 are supported");
            int cls = r.U8();
            switch (cls)
            {
                case 0:
                    {
                        int size = r.U16();
                        CopyCompact(f, ref r, size, output, path);
                        return output;
                    }
                case 1:
                    {
                        long address = Address(f, ref r);
                        long size = (long)r.Unsigned(f.LengthSize);
                        if (address >= 0 && size < total) throw new FileFormatException($"dataset '{path}' stores {size} bytes contiguously but needs {total}");
                        CopyContiguous(f, address, total, output, path);
                        return output;
                    }
                case 2:
                    break;
                default:
                    throw new FileFormatException($"dataset '{path}' has layout class {cls}, which is not supported (compact, contiguous and chunked are)");
            }

            int ranks = space.Dimensions.Length;
            if (version == 3)
            {
                int dimensionality = r.U8();
                if (dimensionality != ranks + 1) throw new FileFormatException($"the chunk shape of '{path}' has {dimensionality} dimensions for a rank-{ranks} dataset");
                long address = Address(f, ref r);
                long[] chunk = ChunkShape(ref r, dimensionality, 4, type, path);
                ReadBTreeChunks(f, address, dimensionality, chunk, space, type, filters, output, path);
                return output;
            }

            int flags = r.U8();
            int dims = r.U8();
            int width = r.U8();
            if (dims != ranks + 1) throw new FileFormatException($"the chunk shape of '{path}' has {dims} dimensions for a rank-{ranks} dataset");
            if (width is < 1 or > 8) throw new FileFormatException($"the chunk shape of '{path}' uses {width}-byte dimensions");
            long[] chunkShape = ChunkShape(ref r, dims, width, type, path);
            int index = r.U8();
            long chunkBytes = ChunkBytes(chunkShape, type, path);
            switch (index)
            {
                case 1:
                    {
                        long filteredSize = chunkBytes;
                        uint mask = 0;
                        if ((flags & 2) != 0)
                        {
                            filteredSize = (long)r.Unsigned(f.LengthSize);
                            mask = r.U32();
                        }
                        long address = Address(f, ref r);
                        if (address >= 0) PlaceChunk(f, address, filteredSize, mask, new long[ranks], chunkShape, space, type, filters, output, path);
                        return output;
                    }
                case 2:
                    {
                        long address = Address(f, ref r);
                        if (address < 0) return output;
                        if (filters.Length > 0) throw new FileFormatException($"dataset '{path}' has an implicit chunk index with filters");
                        ForEachGridChunk(f, chunkShape, space, (i, offset) => PlaceChunk(f, address + i * chunkBytes, chunkBytes, 0, offset, chunkShape, space, type, filters, output, path));
                        return output;
                    }
                case 3:
                    {
                        r.Skip(1);
                        long address = Address(f, ref r);
                        if (address >= 0) ReadFixedArray(f, address, chunkShape, chunkBytes, space, type, filters, output, path);
                        return output;
                    }
                default:
                    throw new FileFormatException($"dataset '{path}' uses chunk index type {index} (extensible array or v2 B-tree, written for resizable datasets), which is not supported");
            }
        }

        private static long Address(Hdf5File f, ref SpanReader r)
        {
            ulong value = r.Unsigned(f.OffsetSize);
            ulong undefined = f.OffsetSize == 8 ? ulong.MaxValue : (1UL << (8 * f.OffsetSize)) - 1;
            if (value == undefined) return -1;
            if (value > (ulong)f.Data.Length) throw new FileFormatException($"address {value} lies outside the file");
            return (long)value;
        }

        private static long[] ChunkShape(ref SpanReader r, int dimensionality, int width, Hdf5Datatype type, string path)
        {
            var chunk = new long[dimensionality - 1];
            for (int i = 0; i < dimensionality; i++)
            {
                ulong d = r.Unsigned(width);
                if (i < dimensionality - 1)
                {
                    if (d == 0 || d > (ulong)Hdf5File.MaxElements) throw new FileFormatException($"chunk dimension {i} of '{path}' is {d}");
                    chunk[i] = (long)d;
                }
                else if (d != (ulong)type.Size)
                {
                    throw new FileFormatException($"the chunk element size of '{path}' is {d}, but its elements have {type.Size} bytes");
                }
            }
            return chunk;
        }

        private static long ChunkBytes(long[] chunk, Hdf5Datatype type, string path)
        {
            long bytes = type.Size;
            foreach (long d in chunk)
            {
                bytes *= d;
                if (bytes > MaxChunkBytes) throw new FileFormatException($"a chunk of '{path}' holds more than {MaxChunkBytes} bytes");
            }
            return bytes;
        }

        private static void CopyCompact(Hdf5File f, ref SpanReader r, long size, byte[] output, string path)
        {
            if (size < output.Length) throw new FileFormatException($"dataset '{path}' stores {size} compact bytes but needs {output.Length}");
            r.Need(size);
            Buffer.BlockCopy(r.Data, r.Position, output, 0, output.Length);
        }

        private static void CopyContiguous(Hdf5File f, long address, long total, byte[] output, string path)
        {
            if (address < 0) return; // never written: the fill value, zero for h5py's numeric datasets
            long at = f.Position(address, total, $"the data of '{path}'");
            Buffer.BlockCopy(f.Data, (int)at, output, 0, (int)total);
        }

        private static Filter[] ParseFilters(Hdf5File f, Hdf5Object.Message message, string path)
        {
            var r = new SpanReader(f.Data, message.Body, message.Size, $"the filter pipeline of '{path}'", f.OffsetSize);
            int version = r.U8();
            int count = r.U8();
            if (count > MaxFilters) throw new FileFormatException($"the filter pipeline of '{path}' has {count} filters");
            if (version == 1) r.Skip(6);
            else if (version != 2) throw new FileFormatException($"the filter pipeline of '{path}' has version {version}");
            var filters = new Filter[count];
            for (int i = 0; i < count; i++)
            {
                int id = r.U16();
                int nameLength = version == 1 || id >= 256 ? r.U16() : 0;
                r.U16(); // flags
                int valueCount = r.U16();
                if (version == 1) r.Skip((nameLength + 7) & ~7);
                else r.Skip(nameLength);
                if (valueCount > 256) throw new FileFormatException($"filter {id} of '{path}' has {valueCount} parameters");
                var values = new int[valueCount];
                for (int v = 0; v < valueCount; v++) values[v] = (int)r.U32();
                if (version == 1 && valueCount % 2 == 1) r.Skip(4);
                filters[i] = new Filter(id, values);
            }
            return filters;
        }

        private static void ReadBTreeChunks(Hdf5File f, long address, int dimensionality, long[] chunkShape, Hdf5Dataspace space, Hdf5Datatype type, Filter[] filters, byte[] output, string path)
        {
            if (address < 0) return;
            var visited = new HashSet<long>();
            WalkChunkNode(f, address, dimensionality, 0, visited, chunkShape, space, type, filters, output, path);
        }

        private static void WalkChunkNode(Hdf5File f, long address, int dimensionality, int depth, HashSet<long> visited, long[] chunkShape, Hdf5Dataspace space, Hdf5Datatype type, Filter[] filters, byte[] output, string path)
        {
            if (depth > Hdf5File.MaxDepth) throw new FileFormatException($"the chunk B-tree of '{path}' is deeper than {Hdf5File.MaxDepth}");
            if (!visited.Add(address)) throw new FileFormatException($"the chunk B-tree of '{path}' is cyclic");
            long at = f.Position(address, 8 + 2L * f.OffsetSize, $"a chunk B-tree node of '{path}'");
            f.ExpectSignature(at, "TREE", "A chunk B-tree node");
            if (f.U8(at + 4) != 1) throw new FileFormatException($"a B-tree node of '{path}' indexes groups, not chunks");
            int level = f.U8(at + 5);
            int entries = f.U16(at + 6);
            long p = at + 8 + 2L * f.OffsetSize;
            long keySize = 8 + 8L * dimensionality;
            f.Check(p, entries * (keySize + f.OffsetSize) + keySize);
            int rank = dimensionality - 1;
            for (int i = 0; i < entries; i++)
            {
                f.Step();
                long chunkSize = f.U32(p);
                uint mask = f.U32(p + 4);
                var offset = new long[rank];
                for (int d = 0; d < rank; d++)
                {
                    ulong o = f.U64(p + 8 + 8L * d);
                    if (o > (ulong)Hdf5File.MaxElements) throw new FileFormatException($"a chunk of '{path}' has offset {o}");
                    offset[d] = (long)o;
                }
                p += keySize;
                long child = f.ReadAddress(ref p);
                if (level == 0)
                {
                    PlaceChunk(f, child, chunkSize, mask, offset, chunkShape, space, type, filters, output, path);
                }
                else
                {
                    WalkChunkNode(f, child, dimensionality, depth + 1, visited, chunkShape, space, type, filters, output, path);
                }
            }
        }

        private static void ReadFixedArray(Hdf5File f, long address, long[] chunkShape, long chunkBytes, Hdf5Dataspace space, Hdf5Datatype type, Filter[] filters, byte[] output, string path)
        {
            long at = f.Position(address, 12 + f.LengthSize + f.OffsetSize, $"the fixed-array chunk index of '{path}'");
            f.ExpectSignature(at, "FAHD", "A fixed-array header");
            int client = f.U8(at + 5);
            int entrySize = f.U8(at + 6);
            int pageBits = f.U8(at + 7);
            long p = at + 8;
            long maxEntries = f.ReadLength(ref p, Hdf5File.MaxElements, $"the chunk count of '{path}'");
            long dataBlock = f.ReadAddress(ref p);
            if (pageBits < 32 && maxEntries > (1L << pageBits)) throw new FileFormatException($"the fixed-array chunk index of '{path}' is paged, which is not supported");
            int expected = client == 0 ? f.OffsetSize : f.OffsetSize + 4 + 1;
            if (client is not (0 or 1) || entrySize < expected || entrySize > f.OffsetSize + 4 + 8) throw new FileFormatException($"the fixed-array chunk index of '{path}' has client {client} and entries of {entrySize} bytes");
            if (dataBlock < 0) return;
            long block = f.Position(dataBlock, 6 + f.OffsetSize + maxEntries * entrySize, $"the fixed-array data block of '{path}'");
            f.ExpectSignature(block, "FADB", "A fixed-array data block");
            long elements = block + 6 + f.OffsetSize;
            ForEachGridChunk(f, chunkShape, space, (i, offset) =>
            {
                if (i >= maxEntries) throw new FileFormatException($"the fixed-array chunk index of '{path}' has {maxEntries} entries, too few for its chunks");
                long q = elements + i * entrySize;
                long chunkAddress = f.ReadAddress(ref q);
                long size = chunkBytes;
                uint mask = 0;
                if (client == 1)
                {
                    int sizeWidth = entrySize - f.OffsetSize - 4;
                    size = (long)f.Unsigned(q, sizeWidth);
                    mask = f.U32(q + sizeWidth);
                }
                if (chunkAddress >= 0) PlaceChunk(f, chunkAddress, size, mask, offset, chunkShape, space, type, filters, output, path);
            });
        }

        /// <summary>Calls <paramref name="action"/> for each chunk of the grid in row-major order, with its index and element offset.</summary>
        private static void ForEachGridChunk(Hdf5File f, long[] chunkShape, Hdf5Dataspace space, Action<long, long[]> action)
        {
            long[] dims = space.Dimensions;
            int rank = dims.Length;
            var counts = new long[rank];
            long total = 1;
            for (int d = 0; d < rank; d++)
            {
                counts[d] = (dims[d] + chunkShape[d] - 1) / chunkShape[d];
                total *= counts[d];
            }
            if (rank == 0 || total == 0) return;
            var index = new long[rank];
            for (long i = 0; i < total; i++)
            {
                f.Step();
                var offset = new long[rank];
                for (int d = 0; d < rank; d++) offset[d] = index[d] * chunkShape[d];
                action(i, offset);
                for (int d = rank - 1; d >= 0; d--)
                {
                    if (++index[d] < counts[d]) break;
                    index[d] = 0;
                }
            }
        }

        /// <summary>Decodes one stored chunk and copies the part of it inside the dataset into <paramref name="output"/>.</summary>
        private static void PlaceChunk(Hdf5File f, long address, long storedSize, uint mask, long[] offset, long[] chunkShape, Hdf5Dataspace space, Hdf5Datatype type, Filter[] filters, byte[] output, string path)
        {
            if (space.Dimensions.Length == 0) throw new FileFormatException($"dataset '{path}' is a chunked scalar");
            long chunkBytes = ChunkBytes(chunkShape, type, path);
            if (storedSize > MaxChunkBytes) throw new FileFormatException($"a chunk of '{path}' stores {storedSize} bytes");
            long at = f.Position(address, storedSize, $"a chunk of '{path}'");
            var stored = new byte[storedSize];
            Buffer.BlockCopy(f.Data, (int)at, stored, 0, (int)storedSize);
            byte[] data = Decode(stored, mask, chunkBytes, filters, type, path);
            if (data.Length < chunkBytes) throw new FileFormatException($"a chunk of '{path}' decodes to {data.Length} bytes; {chunkBytes} expected");

            long[] dims = space.Dimensions;
            int rank = dims.Length;
            for (int d = 0; d < rank; d++)
            {
                if (offset[d] >= dims[d]) return; // a chunk wholly outside the current extent holds nothing to read
            }
            int elementSize = (int)type.Size;
            long run = Math.Min(chunkShape[rank - 1], dims[rank - 1] - offset[rank - 1]);
            var counts = new long[rank - 1];
            long rows = 1;
            for (int d = 0; d < rank - 1; d++)
            {
                counts[d] = Math.Min(chunkShape[d], dims[d] - offset[d]);
                rows *= counts[d];
            }
            var index = new long[Math.Max(rank - 1, 0)];
            for (long row = 0; row < rows; row++)
            {
                long source = 0;
                long target = 0;
                for (int d = 0; d < rank - 1; d++)
                {
                    source = source * chunkShape[d] + index[d];
                    target = target * dims[d] + offset[d] + index[d];
                }
                source = source * chunkShape[rank - 1];
                target = target * dims[rank - 1] + offset[rank - 1];
                Buffer.BlockCopy(data, (int)(source * elementSize), output, (int)(target * elementSize), (int)(run * elementSize));
                for (int d = rank - 2; d >= 0; d--)
                {
                    if (++index[d] < counts[d]) break;
                    index[d] = 0;
                }
            }
            f.Step(rows);
        }

        private static byte[] Decode(byte[] data, uint mask, long chunkBytes, Filter[] filters, Hdf5Datatype type, string path)
        {
            for (int i = filters.Length - 1; i >= 0; i--)
            {
                if ((mask & (1u << i)) != 0) continue;
                Filter filter = filters[i];
                // What filter i consumed when writing: the chunk plus the checksums appended by the filters before it.
                long expected = chunkBytes;
                for (int j = 0; j < i; j++)
                {
                    if (filters[j].Id == 3 && (mask & (1u << j)) == 0) expected += 4;
                }
                switch (filter.Id)
                {
                    case 1:
                        data = Unzlib(data, expected, path);
                        break;
                    case 2:
                        data = Unshuffle(data, filter.Values.Length > 0 ? filter.Values[0] : (int)type.Size, path);
                        break;
                    case 3:
                        if (data.Length < 4) throw new FileFormatException($"a chunk of '{path}' is too short for its Fletcher-32 checksum");
                        Array.Resize(ref data, data.Length - 4);
                        break;
                    default:
                        throw new FileFormatException($"dataset '{path}' uses filter {filter.Id}, which is not supported (deflate, shuffle and Fletcher-32 are)");
                }
            }
            return data;
        }

        private static byte[] Unzlib(byte[] data, long expected, string path)
        {
            if (data.Length < 2) throw new FileFormatException($"a deflated chunk of '{path}' is empty");
            int cmf = data[0];
            int flg = data[1];
            if ((cmf & 0x0F) != 8 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20) != 0) throw new FileFormatException($"a deflated chunk of '{path}' has no valid zlib header");
            if (expected > MaxChunkBytes) throw new FileFormatException($"a chunk of '{path}' holds {expected} bytes");
            if (expected > (data.Length + 1L) * 1032) throw new FileFormatException($"a deflated chunk of '{path}' cannot hold {expected} bytes");
            try
            {
                return ZipReader.Inflate(data, 2, data.Length - 2, (int)expected);
            }
            catch (FileFormatException e)
            {
                throw new FileFormatException($"a chunk of '{path}': {e.Message}");
            }
        }

        private static byte[] Unshuffle(byte[] data, int elementSize, string path)
        {
            if (elementSize <= 1) return data;
            if (elementSize > Hdf5Datatype.MaxElementSize) throw new FileFormatException($"the shuffle filter of '{path}' has element size {elementSize}");
            int count = data.Length / elementSize;
            var output = new byte[data.Length];
            for (int b = 0; b < elementSize; b++)
            {
                for (int j = 0; j < count; j++) output[j * elementSize + b] = data[b * count + j];
            }
            Buffer.BlockCopy(data, count * elementSize, output, count * elementSize, data.Length - count * elementSize);
            return output;
        }
    }
}
