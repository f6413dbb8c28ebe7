using System;
using System.Collections.Generic;
using System.Text;

namespace ModelGen.Formats.Hdf5
{
    /// <summary>A link from a group to an object: its name and the address of the object's header.</summary>
    internal readonly struct Hdf5Link
    {
        public Hdf5Link(string name, long address)
        {
            Name = name;
            Address = address;
        }

        /// <summary>The link's name.</summary>
        public string Name { get; }

        /// <summary>The file address of the target's object header.</summary>
        public long Address { get; }
    }

    /// <summary>
    /// One object (group or dataset) of an <see cref="Hdf5File"/>: its header messages, parsed on first use; its links
    /// when it is a group, its attributes, and its value when it is a dataset. Members throw <see cref="FileFormatException"/>.
    /// </summary>
    internal sealed class Hdf5Object
    {
        /// <summary>Most header messages one object may carry.</summary>
        public const int MaxMessages = 1 << 16;

        /// <summary>Most links of one group.</summary>
        public const int MaxLinks = 1 << 20;

        /// <summary>Most attributes of one object.</summary>
        public const int MaxAttributes = 1 << 16;

        internal const int MessageDataspace = 0x01;
        internal const int MessageLinkInfo = 0x02;
        internal const int MessageDatatype = 0x03;
        internal const int MessageLink = 0x06;
        internal const int MessageLayout = 0x08;
        internal const int MessageFilters = 0x0B;
        internal const int MessageAttribute = 0x0C;
        internal const int MessageContinuation = 0x10;
        internal const int MessageSymbolTable = 0x11;
        internal const int MessageAttributeInfo = 0x15;

        private readonly Hdf5File _file;
        private List<Message>? _messages;
        private List<Hdf5Link>? _links;
        private List<Hdf5Attribute>? _attributes;

        internal Hdf5Object(Hdf5File file, long address, string path)
        {
            _file = file;
            Address = address;
            Path = path;
        }

        /// <summary>The file address of the object header.</summary>
        public long Address { get; }

        /// <summary>The path by which the object was first reached (for messages).</summary>
        public string Path { get; }

        /// <summary>True when the object is a group (it has a symbol table, link info or links, or it is the root).</summary>
        public bool IsGroup => Find(MessageSymbolTable) is not null || Find(MessageLinkInfo) is not null || Find(MessageLink) is not null || (Path == "/" && !IsDataset);

        /// <summary>True when the object is a dataset (it has a data layout).</summary>
        public bool IsDataset => Find(MessageLayout) is not null;

        internal Hdf5File File => _file;

        /// <summary>The object's links in the order the file stores them (name order for symbol tables).</summary>
        public IReadOnlyList<Hdf5Link> Links => _links ??= ReadLinks();

        /// <summary>The object's attributes.</summary>
        public IReadOnlyList<Hdf5Attribute> Attributes => _attributes ??= ReadAttributes();

        /// <summary>The object at <paramref name="path"/> below this one, or null when a part of the path does not exist.</summary>
        public Hdf5Object? Get(string path)
        {
            Hdf5Object current = this;
            string[] parts = path.Split('/');
            int depth = 0;
            foreach (string part in parts)
            {
                if (part.Length == 0) continue;
                if (++depth > 1024) throw new FileFormatException($"the path '{path}' is too deep");
                if (!current.IsGroup) return null;
                Hdf5Link? link = current.FindLink(part);
                if (link is null) return null;
                string childPath = current.Path == "/" ? "/" + part : current.Path + "/" + part;
                current = _file.GetObject(link.Value.Address, childPath);
            }
            return current;
        }

        /// <summary>The child called <paramref name="name"/>, or null.</summary>
        public Hdf5Object? Child(string name)
        {
            Hdf5Link? link = FindLink(name);
            return link is null ? null : _file.GetObject(link.Value.Address, Path == "/" ? "/" + name : Path + "/" + name);
        }

        private Hdf5Link? FindLink(string name)
        {
            foreach (Hdf5Link link in Links)
            {
                if (string.Equals(link.Name, name, StringComparison.Ordinal)) return link;
            }
            return null;
        }

        /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
        public Hdf5Attribute? Attribute(string name)
        {
            foreach (Hdf5Attribute attribute in Attributes)
            {
                if (string.Equals(attribute.Name, name, StringComparison.Ordinal)) return attribute;
            }
            return null;
        }

        /// <summary>The dataset's shape.</summary>
        public long[] Shape => Hdf5Dataspace.Parse(_file, Require(MessageDataspace, "a dataspace"), Path).Dimensions;

        /// <summary>The dataset's element type.</summary>
        public Hdf5Datatype Datatype => Hdf5Datatype.Parse(_file, Require(MessageDatatype, "a datatype"), 0, Path);

        /// <summary>Reads the dataset's elements, in row-major order, as raw bytes of the file's element type.</summary>
        public byte[] ReadRaw()
        {
            Hdf5Dataspace space = Hdf5Dataspace.Parse(_file, Require(MessageDataspace, "a dataspace"), Path);
            Hdf5Datatype type = Datatype;
            Message layout = Require(MessageLayout, "a data layout");
            Message? filters = Find(MessageFilters);
            return Hdf5Storage.Read(_file, layout, filters, space, type, Path);
        }

        /// <summary>Reads the dataset as float32 values; any other element type is an error naming it.</summary>
        public float[] ReadFloat32()
        {
            Hdf5Datatype type = Datatype;
            if (!type.IsFloat || type.Size != 4) throw new FileFormatException($"dataset '{Path}' holds {type.Describe()} values, not float32");
            return type.ToFloat32(ReadRaw(), Path);
        }

        /// <summary>Reads the dataset's numbers as doubles (float or integer element types).</summary>
        public double[] ReadDoubles() => Datatype.ToDoubles(ReadRaw(), Path);

        internal Message? Find(int type)
        {
            foreach (Message message in Messages)
            {
                if (message.Type == type) return message;
            }
            return null;
        }

        private Message Require(int type, string what)
        {
            Message? message = Find(type);
            if (message is null) throw new FileFormatException($"object '{Path}' has no {what} message");
            if (message.Value.Shared) throw new FileFormatException($"object '{Path}' has a shared {what} message, which is not supported");
            return message.Value;
        }

        internal List<Message> Messages => _messages ??= ReadHeader();

        private List<Message> ReadHeader()
        {
            Hdf5File f = _file;
            long start = f.Position(Address, 16, $"the object header of '{Path}'");
            var messages = new List<Message>();
            var blocks = new Queue<KeyValuePair<long, long>>();
            var seen = new HashSet<long>();
            bool version2;
            bool creationOrder = false;
            if (f.Data[start] == 1)
            {
                version2 = false;
                long size = f.U32(start + 8);
                blocks.Enqueue(new KeyValuePair<long, long>(start + 16, size));
            }
            else if (f.Data[start] == (byte)'O' && f.Data[start + 1] == (byte)'H' && f.Data[start + 2] == (byte)'D' && f.Data[start + 3] == (byte)'R')
            {
                version2 = true;
                int version = f.U8(start + 4);
                if (version != 2) throw new FileFormatException($"object header of '{Path}' has version {version}; 1 and 2 are supported");
                int flags = f.U8(start + 5);
                long p = start + 6;
                if ((flags & 0x20) != 0) p += 16;
                if ((flags & 0x10) != 0) p += 4;
                int width = 1 << (flags & 3);
                long size = (long)f.Unsigned(p, width);
                p += width;
                creationOrder = (flags & 0x04) != 0;
                blocks.Enqueue(new KeyValuePair<long, long>(p, size));
            }
            else
            {
                throw new FileFormatException($"object header of '{Path}' at address {Address} has an unknown version {f.Data[start]}");
            }

            int blockCount = 0;
            while (blocks.Count > 0)
            {
                if (++blockCount > Hdf5File.MaxHeaderBlocks) throw new FileFormatException($"object header of '{Path}' has more than {Hdf5File.MaxHeaderBlocks} continuation blocks");
                KeyValuePair<long, long> block = blocks.Dequeue();
                long at = block.Key;
                long end = at + block.Value;
                f.Check(at, block.Value);
                int headerSize = version2 ? (creationOrder ? 6 : 4) : 8;
                while (end - at >= headerSize)
                {
                    f.Step();
                    int type, size, flags;
                    if (version2)
                    {
                        type = f.U8(at);
                        size = f.U16(at + 1);
                        flags = f.U8(at + 3);
                    }
                    else
                    {
                        type = f.U16(at);
                        size = f.U16(at + 2);
                        flags = f.U8(at + 4);
                    }
                    long body = at + headerSize;
                    if (body + size > end) throw new FileFormatException($"a message of type {type} in the object header of '{Path}' runs past its block");
                    if (messages.Count >= MaxMessages) throw new FileFormatException($"object header of '{Path}' has more than {MaxMessages} messages");
                    if (type == MessageContinuation)
                    {
                        long q = body;
                        long address = f.ReadAddress(ref q);
                        long length = f.ReadLength(ref q, f.Data.Length, "a continuation block's length");
                        long position = f.Position(address, length, $"a continuation block of '{Path}'");
                        if (!seen.Add(position)) throw new FileFormatException($"the object header of '{Path}' continues into a block it already read");
                        if (version2)
                        {
                            f.ExpectSignature(position, "OCHK", "An object header continuation block");
                            if (length < 8) throw new FileFormatException($"a continuation block of '{Path}' is too short");
                            blocks.Enqueue(new KeyValuePair<long, long>(position + 4, length - 8));
                        }
                        else
                        {
                            blocks.Enqueue(new KeyValuePair<long, long>(position, length));
                        }
                    }
                    else if (type != 0)
                    {
                        messages.Add(new Message(type, body, size, (flags & 0x02) != 0));
                    }
                    at = body + size;
                }
            }
            return messages;
        }

        private List<Hdf5Link> ReadLinks()
        {
            var links = new List<Hdf5Link>();
            Message? table = Find(MessageSymbolTable);
            if (table is not null)
            {
                long p = table.Value.Body;
                long btree = _file.ReadAddress(ref p);
                long heap = _file.ReadAddress(ref p);
                Hdf5Groups.ReadSymbolTable(_file, btree, heap, links, Path);
            }
            foreach (Message message in Messages)
            {
                if (message.Type == MessageLink) AddLink(links, ParseLink(_file, message.Body, message.Size, Path));
            }
            Message? info = Find(MessageLinkInfo);
            if (info is not null)
            {
                long p = info.Value.Body;
                if (_file.U8(p) != 0) throw new FileFormatException($"group '{Path}' has link info version {_file.U8(p)}");
                int flags = _file.U8(p + 1);
                p += 2;
                if ((flags & 1) != 0) p += 8;
                long heapAddress = _file.ReadAddress(ref p);
                long nameIndex = _file.ReadAddress(ref p);
                if (heapAddress >= 0)
                {
                    FractalHeap heap = _file.GetFractalHeap(heapAddress);
                    foreach (byte[] record in BTree2.Records(_file, nameIndex, expectedType: 5, Path))
                    {
                        byte[] message = heap.Read(record, 4, Path);
                        AddLink(links, ParseLinkBytes(_file, message, Path));
                    }
                }
            }
            return links;
        }

        private static void AddLink(List<Hdf5Link> links, Hdf5Link? link)
        {
            if (link is null) return;
            if (links.Count >= MaxLinks) throw new FileFormatException($"a group has more than {MaxLinks} links");
            links.Add(link.Value);
        }

        private static Hdf5Link? ParseLink(Hdf5File file, long body, int size, string path)
        {
            file.Check(body, size);
            var bytes = new byte[size];
            Buffer.BlockCopy(file.Data, (int)body, bytes, 0, size);
            return ParseLinkBytes(file, bytes, path);
        }

        /// <summary>Parses a link message; soft and external links are skipped (h5py writes hard links for Keras files).</summary>
        private static Hdf5Link? ParseLinkBytes(Hdf5File file, byte[] m, string path)
        {
            var r = new SpanReader(m, $"a link of '{path}'", file.OffsetSize);
            int version = r.U8();
            if (version != 1) throw new FileFormatException($"a link of '{path}' has version {version}");
            int flags = r.U8();
            int linkType = (flags & 0x08) != 0 ? r.U8() : 0;
            if ((flags & 0x04) != 0) r.Skip(8);
            if ((flags & 0x10) != 0) r.Skip(1);
            int lengthWidth = 1 << (flags & 3);
            long nameLength = (long)r.Unsigned(lengthWidth);
            if (nameLength > Hdf5File.MaxStringBytes) throw new FileFormatException($"a link name of '{path}' has {nameLength} bytes");
            string name = r.Utf8((int)nameLength);
            if (linkType != 0) return null;
            ulong address = r.Unsigned(r.OffsetSize);
            if (address > (ulong)file.Data.Length) throw new FileFormatException($"link '{name}' of '{path}' points outside the file");
            return new Hdf5Link(name, (long)address);
        }

        private List<Hdf5Attribute> ReadAttributes()
        {
            var attributes = new List<Hdf5Attribute>();
            foreach (Message message in Messages)
            {
                if (message.Type != MessageAttribute) continue;
                _file.Check(message.Body, message.Size);
                var bytes = new byte[message.Size];
                Buffer.BlockCopy(_file.Data, (int)message.Body, bytes, 0, message.Size);
                AddAttribute(attributes, Hdf5Attribute.Parse(_file, bytes, Path));
            }
            Message? info = Find(MessageAttributeInfo);
            if (info is not null)
            {
                long p = info.Value.Body;
                if (_file.U8(p) != 0) throw new FileFormatException($"object '{Path}' has attribute info version {_file.U8(p)}");
                int flags = _file.U8(p + 1);
                p += 2;
                if ((flags & 1) != 0) p += 2;
                long heapAddress = _file.ReadAddress(ref p);
                long nameIndex = _file.ReadAddress(ref p);
                if (heapAddress >= 0)
                {
                    FractalHeap heap = _file.GetFractalHeap(heapAddress);
                    foreach (byte[] record in BTree2.Records(_file, nameIndex, expectedType: 8, Path))
                    {
                        byte[] message = heap.Read(record, 0, Path);
                        AddAttribute(attributes, Hdf5Attribute.Parse(_file, message, Path));
                    }
                }
            }
            return attributes;
        }

        private static void AddAttribute(List<Hdf5Attribute> attributes, Hdf5Attribute attribute)
        {
            if (attributes.Count >= MaxAttributes) throw new FileFormatException($"an object has more than {MaxAttributes} attributes");
            attributes.Add(attribute);
        }

        /// <summary>One header message: its type, where its body is, its size, and whether it is shared.</summary>
        internal readonly struct Message
        {
            public Message(int type, long body, int size, bool shared)
            {
                Type = type;
                Body = body;
                Size = size;
                Shared = shared;
            }

            public int Type { get; }

            public long Body { get; }

            public int Size { get; }

            public bool Shared { get; }
        }
    }

    /// <summary>A bounds-checked little-endian reader over part of a byte array (a message, a heap object).</summary>
    internal struct SpanReader
    {
        private readonly byte[] _data;
        private readonly int _end;
        private readonly string _what;

        public SpanReader(byte[] data, string what, int offsetSize)
            : this(data, 0, data.Length, what, offsetSize)
        {
        }

        public SpanReader(byte[] data, long start, long length, string what, int offsetSize)
        {
            if (start < 0 || length < 0 || start > data.Length || length > data.Length - start) throw new FileFormatException($"{what} lies outside the file");
            _data = data;
            _end = (int)(start + length);
            _what = what;
            Position = (int)start;
            OffsetSize = offsetSize;
        }

        public int Position { get; set; }

        public int OffsetSize { get; }

        public int Remaining => _end - Position;

        public byte[] Data => _data;

        public void Need(long count)
        {
            if (count < 0 || count > _end - Position) throw new FileFormatException($"{_what} is truncated");
        }

        public void Skip(long count)
        {
            Need(count);
            Position += (int)count;
        }

        public int U8()
        {
            Need(1);
            return _data[Position++];
        }

        public int U16() => (int)Unsigned(2);

        public uint U32() => (uint)Unsigned(4);

        public ulong Unsigned(int size)
        {
            Need(size);
            ulong value = 0;
            for (int i = size - 1; i >= 0; i--) value = (value << 8) | _data[Position + i];
            Position += size;
            return value;
        }

        public string Utf8(int count)
        {
            Need(count);
            string text = Encoding.UTF8.GetString(_data, Position, count);
            Position += count;
            return text;
        }

        public byte[] Bytes(long count)
        {
            Need(count);
            var bytes = new byte[count];
            Buffer.BlockCopy(_data, Position, bytes, 0, (int)count);
            Position += (int)count;
            return bytes;
        }
    }
}
