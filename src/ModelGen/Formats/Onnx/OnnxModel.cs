// Linked into the generator (netstandard2.0) and the runtime (net9.0): no Span, no dependency.
using System.Collections.Generic;

namespace ModelGen.Formats.Onnx
{
    /// <summary>The parts of an ONNX <c>ModelProto</c> that ModelGen reads (field numbers of onnx/onnx.proto).</summary>
    internal sealed class OnnxModel
    {
        /// <summary><c>ir_version</c> (1).</summary>
        public long IrVersion { get; set; }
        /// <summary><c>producer_name</c> (2).</summary>
        public string ProducerName { get; set; } = "";
        /// <summary><c>producer_version</c> (3).</summary>
        public string ProducerVersion { get; set; } = "";
        /// <summary><c>opset_import</c> (8): domain ("" is the default ai.onnx domain) and version.</summary>
        public List<KeyValuePair<string, long>> Opsets { get; } = new();
        /// <summary><c>graph</c> (7); null when absent.</summary>
        public OnnxGraph? Graph { get; set; }
        /// <summary>True when the file carries <c>training_info</c> (20) or <c>functions</c> (25), which ModelGen ignores.</summary>
        public bool HasFunctions { get; set; }
    }

    /// <summary>A <c>GraphProto</c>.</summary>
    internal sealed class OnnxGraph
    {
        /// <summary><c>node</c> (1), in file order.</summary>
        public List<OnnxNode> Nodes { get; } = new();
        /// <summary><c>initializer</c> (5).</summary>
        public List<OnnxTensor> Initializers { get; } = new();
        /// <summary>Number of <c>sparse_initializer</c> entries (15); refused when used.</summary>
        public int SparseInitializers { get; set; }
        /// <summary><c>input</c> (11).</summary>
        public List<OnnxValueInfo> Inputs { get; } = new();
        /// <summary><c>output</c> (12).</summary>
        public List<OnnxValueInfo> Outputs { get; } = new();
        /// <summary><c>value_info</c> (13).</summary>
        public List<OnnxValueInfo> ValueInfo { get; } = new();
    }

    /// <summary>A <c>NodeProto</c>.</summary>
    internal sealed class OnnxNode
    {
        /// <summary><c>input</c> (1); "" marks an omitted optional input.</summary>
        public List<string> Inputs { get; } = new();
        /// <summary><c>output</c> (2); "" marks an omitted optional output.</summary>
        public List<string> Outputs { get; } = new();
        /// <summary><c>name</c> (3); may be empty.</summary>
        public string Name { get; set; } = "";
        /// <summary><c>op_type</c> (4).</summary>
        public string OpType { get; set; } = "";
        /// <summary><c>domain</c> (7); "" or "ai.onnx" for the default operator set.</summary>
        public string Domain { get; set; } = "";
        /// <summary><c>attribute</c> (5).</summary>
        public List<OnnxAttribute> Attributes { get; } = new();

        /// <summary>Index in the graph's node list, for messages about unnamed nodes.</summary>
        public int Index { get; set; }

        /// <summary>How messages name the node: <c>Gemm node '/fc1/Gemm'</c>, or its position when it has no name.</summary>
        public string Describe() => Name.Length > 0 ? $"{QualifiedOp} node '{Name}'" : $"{QualifiedOp} node #{Index} (unnamed)";

        /// <summary>The operator with its domain when that is not the default one.</summary>
        public string QualifiedOp => IsDefaultDomain ? OpType : Domain + ":" + OpType;

        /// <summary>True for the default (ai.onnx) operator set.</summary>
        public bool IsDefaultDomain => Domain.Length == 0 || Domain == "ai.onnx";

        /// <summary>The attribute called <paramref name="name"/>, or null.</summary>
        public OnnxAttribute? Attribute(string name)
        {
            foreach (OnnxAttribute a in Attributes) if (a.Name == name) return a;
            return null;
        }
    }

    /// <summary>An <c>AttributeProto</c>.</summary>
    internal sealed class OnnxAttribute
    {
        /// <summary>ONNX <c>AttributeType</c> values used here.</summary>
        public const int FloatType = 1, IntType = 2, StringType = 3, TensorType = 4, GraphType = 5, FloatsType = 6, IntsType = 7;

        /// <summary><c>name</c> (1).</summary>
        public string Name { get; set; } = "";
        /// <summary><c>type</c> (20); 0 in files older than IR 2, where the set field decides.</summary>
        public int Type { get; set; }
        /// <summary><c>f</c> (2).</summary>
        public float F { get; set; }
        /// <summary><c>i</c> (3).</summary>
        public long I { get; set; }
        /// <summary><c>s</c> (4).</summary>
        public byte[]? S { get; set; }
        /// <summary><c>t</c> (5).</summary>
        public OnnxTensor? T { get; set; }
        /// <summary><c>floats</c> (7).</summary>
        public List<float> Floats { get; } = new();
        /// <summary><c>ints</c> (8).</summary>
        public List<long> Ints { get; } = new();
        /// <summary>True when a graph, sparse tensor or type field was present (skipped unread).</summary>
        public bool HasOther { get; set; }
        /// <summary>Which of f, i, s, t was present (for IR 1 files without a type).</summary>
        public bool HasF { get; set; }
        /// <summary>True when <c>i</c> was present.</summary>
        public bool HasI { get; set; }
    }

    /// <summary>A <c>TensorProto</c>: shape, type and where its values are (not yet converted).</summary>
    internal sealed class OnnxTensor
    {
        /// <summary>ONNX <c>DataType</c> values used here.</summary>
        public const int Float = 1, Uint8 = 2, Int8 = 3, Int32 = 6, Int64 = 7, Float16 = 10, Double = 11, BFloat16 = 16;

        /// <summary><c>name</c> (8).</summary>
        public string Name { get; set; } = "";
        /// <summary><c>dims</c> (1).</summary>
        public List<long> Dims { get; } = new();
        /// <summary><c>data_type</c> (2).</summary>
        public int DataType { get; set; }
        /// <summary><c>float_data</c> (4).</summary>
        public List<float> FloatData { get; } = new();
        /// <summary><c>int64_data</c> (7).</summary>
        public List<long> Int64Data { get; } = new();
        /// <summary><c>int32_data</c> (5).</summary>
        public List<long> Int32Data { get; } = new();
        /// <summary><c>double_data</c> (10).</summary>
        public List<double> DoubleData { get; } = new();
        /// <summary><c>raw_data</c> (9); null when absent.</summary>
        public byte[]? RawData { get; set; }
        /// <summary>True when <c>data_location</c> (14) is EXTERNAL or <c>external_data</c> (13) is present.</summary>
        public bool External { get; set; }
        /// <summary>True when the tensor has <c>segment</c> (3): a chunk of a larger tensor.</summary>
        public bool Segmented { get; set; }

        /// <summary>The ONNX name of a data type, for messages.</summary>
        public static string TypeName(int dataType) => dataType switch
        {
            1 => "float32", 2 => "uint8", 3 => "int8", 4 => "uint16", 5 => "int16", 6 => "int32", 7 => "int64",
            8 => "string", 9 => "bool", 10 => "float16", 11 => "float64", 12 => "uint32", 13 => "uint64",
            14 => "complex64", 15 => "complex128", 16 => "bfloat16", _ => "data type " + dataType,
        };
    }

    /// <summary>A <c>ValueInfoProto</c> with its <c>TypeProto.Tensor</c> (other types are marked, not read).</summary>
    internal sealed class OnnxValueInfo
    {
        /// <summary><c>name</c> (1).</summary>
        public string Name { get; set; } = "";
        /// <summary>True when the type is a tensor type (<c>tensor_type</c>, 1).</summary>
        public bool IsTensor { get; set; }
        /// <summary>The kind of a non-tensor type ("sequence", "map", ...), for messages.</summary>
        public string OtherKind { get; set; } = "";
        /// <summary><c>elem_type</c> (1 of TypeProto.Tensor).</summary>
        public int ElemType { get; set; }
        /// <summary>The dimensions of <c>shape</c>; null when the shape (and so the rank) is unknown.</summary>
        public List<OnnxDim>? Shape { get; set; }
    }

    /// <summary>A <c>TensorShapeProto.Dimension</c>: a value, a symbolic name, or neither (unknown).</summary>
    internal readonly struct OnnxDim
    {
        /// <summary>Creates a dimension.</summary>
        public OnnxDim(long value, string? param, bool hasValue)
        {
            Value = value;
            Param = param;
            HasValue = hasValue;
        }

        /// <summary><c>dim_value</c> (1).</summary>
        public long Value { get; }
        /// <summary><c>dim_param</c> (2), or null.</summary>
        public string? Param { get; }
        /// <summary>True when <c>dim_value</c> was given.</summary>
        public bool HasValue { get; }

        /// <inheritdoc/>
        public override string ToString() => HasValue ? Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : (Param is { Length: > 0 } ? Param : "?");
    }
}
