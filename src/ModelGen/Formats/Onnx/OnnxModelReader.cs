// Linked into the generator (netstandard2.0) and the runtime (net9.0): no Span, no dependency.
using System.Collections.Generic;

namespace ModelGen.Formats.Onnx
{
    /// <summary>
    /// Parses the ONNX protobuf messages ModelGen needs from a file's bytes. Unknown fields are skipped. Nesting is
    /// bounded by construction: only the fixed path Model → Graph → Node → Attribute → Tensor and
    /// ValueInfo → Type → Tensor type → Shape → Dimension is descended (at most 5 levels); recursive parts of the schema
    /// (subgraph attributes, sequence and map types, functions) are skipped unread. Counts are capped before lists grow.
    /// </summary>
    internal static class OnnxModelReader
    {
        /// <summary>Most nodes, initializers, inputs, outputs or value infos a graph may have.</summary>
        public const int MaxGraphEntries = 1 << 17;
        /// <summary>Most attributes of one node, inputs or outputs of one node.</summary>
        public const int MaxNodeEntries = 1 << 12;
        /// <summary>Highest tensor rank.</summary>
        public const int MaxRank = 16;

        /// <summary>Parses <paramref name="data"/>; throws <see cref="FileFormatException"/> for malformed input.</summary>
        public static OnnxModel Parse(byte[] data)
        {
            var reader = new ProtoReader(data, 0, data.Length);
            var model = new OnnxModel();
            bool sawIr = false;
            while (reader.TryReadTag(out int field, out int wire))
            {
                switch (field)
                {
                    case 1: reader.Expect(wire, ProtoReader.Varint, "ir_version"); model.IrVersion = reader.ReadInt64(); sawIr = true; break;
                    case 2: reader.Expect(wire, ProtoReader.LengthDelimited, "producer_name"); model.ProducerName = reader.ReadString(); break;
                    case 3: reader.Expect(wire, ProtoReader.LengthDelimited, "producer_version"); model.ProducerVersion = reader.ReadString(); break;
                    case 7:
                        reader.Expect(wire, ProtoReader.LengthDelimited, "graph");
                        if (model.Graph is not null) throw new FileFormatException("the model has two graph fields");
                        model.Graph = ReadGraph(reader.ReadMessage());
                        break;
                    case 8:
                        reader.Expect(wire, ProtoReader.LengthDelimited, "opset_import");
                        if (model.Opsets.Count >= MaxNodeEntries) throw new FileFormatException($"more than {MaxNodeEntries} opset imports");
                        model.Opsets.Add(ReadOpset(reader.ReadMessage()));
                        break;
                    case 20: case 25: model.HasFunctions = true; reader.Skip(wire); break;
                    default: reader.Skip(wire); break;
                }
            }
            if (!sawIr || model.Graph is null) throw new FileFormatException("not an ONNX model: no ir_version or no graph");
            return model;
        }

        private static KeyValuePair<string, long> ReadOpset(ProtoReader r)
        {
            string domain = "";
            long version = 0;
            while (r.TryReadTag(out int field, out int wire))
            {
                if (field == 1 && wire == ProtoReader.LengthDelimited) domain = r.ReadString();
                else if (field == 2 && wire == ProtoReader.Varint) version = r.ReadInt64();
                else r.Skip(wire);
            }
            return new KeyValuePair<string, long>(domain, version);
        }

        private static OnnxGraph ReadGraph(ProtoReader r)
        {
            var g = new OnnxGraph();
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field)
                {
                    case 1:
                        r.Expect(wire, ProtoReader.LengthDelimited, "node");
                        Cap(g.Nodes.Count, "nodes");
                        OnnxNode node = ReadNode(r.ReadMessage());
                        node.Index = g.Nodes.Count;
                        g.Nodes.Add(node);
                        break;
                    case 5: r.Expect(wire, ProtoReader.LengthDelimited, "initializer"); Cap(g.Initializers.Count, "initializers"); g.Initializers.Add(ReadTensor(r.ReadMessage())); break;
                    case 11: r.Expect(wire, ProtoReader.LengthDelimited, "input"); Cap(g.Inputs.Count, "inputs"); g.Inputs.Add(ReadValueInfo(r.ReadMessage())); break;
                    case 12: r.Expect(wire, ProtoReader.LengthDelimited, "output"); Cap(g.Outputs.Count, "outputs"); g.Outputs.Add(ReadValueInfo(r.ReadMessage())); break;
                    case 13: r.Expect(wire, ProtoReader.LengthDelimited, "value_info"); Cap(g.ValueInfo.Count, "value infos"); g.ValueInfo.Add(ReadValueInfo(r.ReadMessage())); break;
                    case 15: g.SparseInitializers++; r.Skip(wire); break;
                    default: r.Skip(wire); break;
                }
            }
            return g;
        }

        private static void Cap(int count, string what)
        {
            if (count >= MaxGraphEntries) throw new FileFormatException($"the graph has more than {MaxGraphEntries} {what}");
        }

        private static OnnxNode ReadNode(ProtoReader r)
        {
            var n = new OnnxNode();
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field)
                {
                    case 1: r.Expect(wire, ProtoReader.LengthDelimited, "node input"); CapNode(n.Inputs.Count); n.Inputs.Add(r.ReadString()); break;
                    case 2: r.Expect(wire, ProtoReader.LengthDelimited, "node output"); CapNode(n.Outputs.Count); n.Outputs.Add(r.ReadString()); break;
                    case 3: r.Expect(wire, ProtoReader.LengthDelimited, "node name"); n.Name = r.ReadString(); break;
                    case 4: r.Expect(wire, ProtoReader.LengthDelimited, "op_type"); n.OpType = r.ReadString(); break;
                    case 5: r.Expect(wire, ProtoReader.LengthDelimited, "attribute"); CapNode(n.Attributes.Count); n.Attributes.Add(ReadAttribute(r.ReadMessage())); break;
                    case 7: r.Expect(wire, ProtoReader.LengthDelimited, "domain"); n.Domain = r.ReadString(); break;
                    default: r.Skip(wire); break;
                }
            }
            return n;
        }

        private static void CapNode(int count)
        {
            if (count >= MaxNodeEntries) throw new FileFormatException($"a node has more than {MaxNodeEntries} inputs, outputs or attributes");
        }

        private static OnnxAttribute ReadAttribute(ProtoReader r)
        {
            var a = new OnnxAttribute();
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field)
                {
                    case 1: r.Expect(wire, ProtoReader.LengthDelimited, "attribute name"); a.Name = r.ReadString(); break;
                    case 2: r.Expect(wire, ProtoReader.Fixed32, "attribute f"); a.F = r.ReadFloat(); a.HasF = true; break;
                    case 3: r.Expect(wire, ProtoReader.Varint, "attribute i"); a.I = r.ReadInt64(); a.HasI = true; break;
                    case 4: r.Expect(wire, ProtoReader.LengthDelimited, "attribute s"); a.S = r.ReadBytes(); break;
                    case 5: r.Expect(wire, ProtoReader.LengthDelimited, "attribute t"); a.T = ReadTensor(r.ReadMessage()); break;
                    case 7: r.ReadFloats(wire, a.Floats); break;
                    case 8: r.ReadInt64s(wire, a.Ints); break;
                    case 20: r.Expect(wire, ProtoReader.Varint, "attribute type"); a.Type = r.ReadInt32(); break;
                    case 6: case 10: case 11: case 14: case 15: case 22: case 23: a.HasOther = true; r.Skip(wire); break;
                    default: r.Skip(wire); break;
                }
            }
            return a;
        }

        /// <summary>Reads a <c>TensorProto</c> (also used for Constant node values).</summary>
        private static OnnxTensor ReadTensor(ProtoReader r)
        {
            var t = new OnnxTensor();
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field)
                {
                    case 1:
                        r.ReadInt64s(wire, t.Dims);
                        if (t.Dims.Count > MaxRank) throw new FileFormatException($"a tensor of rank {t.Dims.Count} (the limit is {MaxRank})");
                        break;
                    case 2: r.Expect(wire, ProtoReader.Varint, "data_type"); t.DataType = r.ReadInt32(); break;
                    case 3: t.Segmented = true; r.Skip(wire); break;
                    case 4: r.ReadFloats(wire, t.FloatData); break;
                    case 5: r.ReadInt64s(wire, t.Int32Data); break;
                    case 7: r.ReadInt64s(wire, t.Int64Data); break;
                    case 8: r.Expect(wire, ProtoReader.LengthDelimited, "tensor name"); t.Name = r.ReadString(); break;
                    case 9: r.Expect(wire, ProtoReader.LengthDelimited, "raw_data"); t.RawData = r.ReadBytes(); break;
                    case 10: r.ReadDoubles(wire, t.DoubleData); break;
                    case 13: t.External = true; r.Skip(wire); break;
                    case 14:
                        r.Expect(wire, ProtoReader.Varint, "data_location");
                        if (r.ReadInt32() != 0) t.External = true;
                        break;
                    default: r.Skip(wire); break;
                }
            }
            return t;
        }

        private static OnnxValueInfo ReadValueInfo(ProtoReader r)
        {
            var v = new OnnxValueInfo();
            while (r.TryReadTag(out int field, out int wire))
            {
                if (field == 1 && wire == ProtoReader.LengthDelimited) v.Name = r.ReadString();
                else if (field == 2 && wire == ProtoReader.LengthDelimited) ReadType(r.ReadMessage(), v);
                else r.Skip(wire);
            }
            return v;
        }

        private static void ReadType(ProtoReader r, OnnxValueInfo v)
        {
            while (r.TryReadTag(out int field, out int wire))
            {
                switch (field)
                {
                    case 1:
                        r.Expect(wire, ProtoReader.LengthDelimited, "tensor_type");
                        v.IsTensor = true;
                        ReadTensorType(r.ReadMessage(), v);
                        break;
                    case 4: v.OtherKind = "sequence"; r.Skip(wire); break;
                    case 5: v.OtherKind = "map"; r.Skip(wire); break;
                    case 7: v.OtherKind = "opaque"; r.Skip(wire); break;
                    case 8: v.OtherKind = "sparse tensor"; r.Skip(wire); break;
                    case 9: v.OtherKind = "optional"; r.Skip(wire); break;
                    default: r.Skip(wire); break;
                }
            }
        }

        private static void ReadTensorType(ProtoReader r, OnnxValueInfo v)
        {
            while (r.TryReadTag(out int field, out int wire))
            {
                if (field == 1 && wire == ProtoReader.Varint) v.ElemType = r.ReadInt32();
                else if (field == 2 && wire == ProtoReader.LengthDelimited) v.Shape = ReadShape(r.ReadMessage());
                else r.Skip(wire);
            }
        }

        private static List<OnnxDim> ReadShape(ProtoReader r)
        {
            var dims = new List<OnnxDim>();
            while (r.TryReadTag(out int field, out int wire))
            {
                if (field != 1)
                {
                    r.Skip(wire);
                    continue;
                }
                r.Expect(wire, ProtoReader.LengthDelimited, "dim");
                if (dims.Count >= MaxRank) throw new FileFormatException($"a value of rank above {MaxRank}");
                ProtoReader d = r.ReadMessage();
                long value = 0;
                string? param = null;
                bool hasValue = false;
                while (d.TryReadTag(out int df, out int dw))
                {
                    if (df == 1 && dw == ProtoReader.Varint)
                    {
                        value = d.ReadInt64();
                        hasValue = true;
                    }
                    else if (df == 2 && dw == ProtoReader.LengthDelimited) param = d.ReadString();
                    else d.Skip(dw);
                }
                dims.Add(new OnnxDim(value, param, hasValue));
            }
            return dims;
        }
    }
}
