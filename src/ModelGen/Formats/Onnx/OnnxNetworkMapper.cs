// Linked into the generator (netstandard2.0) and the runtime (net9.0): no Span, no dependency.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelGen.Formats.Onnx
{
    /// <summary>
    /// Reads a <c>.onnx</c> file into an <see cref="ImportedNetwork"/>: the entry point shared by generator and runtime.
    /// </summary>
    internal static class OnnxReader
    {
        /// <summary>Parses and maps <paramref name="data"/>; an error names the operator and node, or the byte offset.</summary>
        public static FormatResult<ImportedNetwork> Read(byte[] data)
        {
            if (data is null || data.Length == 0) return FormatResult<ImportedNetwork>.Fail("the file is empty");
            try
            {
                OnnxModel model = OnnxModelReader.Parse(data);
                return FormatResult<ImportedNetwork>.Ok(new OnnxNetworkMapper(model).Map());
            }
            catch (FileFormatException e)
            {
                return FormatResult<ImportedNetwork>.Fail(e.Message);
            }
        }
    }

    /// <summary>
    /// Maps an ONNX graph that is a chain of dense layers to an <see cref="ImportedNetwork"/>, following the operator
    /// specification of the file's opset. Supported: <c>Gemm</c> (alpha, beta, transB; transA = 0), <c>MatMul</c> with
    /// an optional <c>Add</c> bias, the activations <c>Relu LeakyRelu Sigmoid Tanh Softmax LogSoftmax Elu Selu Softplus
    /// Softsign HardSigmoid HardSwish Gelu</c>, PyTorch's decompositions of gelu (erf), silu and hardswish,
    /// <c>BatchNormalization</c> (inference), <c>Identity</c>, <c>Dropout</c>, <c>Cast</c> to float, and
    /// <c>Flatten</c>/<c>Reshape</c> that keep one sample per row. Anything else is a <see cref="FileFormatException"/>
    /// naming the operator and node.
    /// </summary>
    internal sealed class OnnxNetworkMapper
    {
        /// <summary>Largest width of the input or of any layer.</summary>
        public const int MaxWidth = 1 << 20;

        /// <summary>Largest element count of one weight tensor.</summary>
        public const long MaxElements = 1L << 28;

        private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
        {
            "Gemm", "MatMul", "Add", "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Elu", "Selu",
            "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Gelu", "Erf", "Div", "Mul", "BatchNormalization",
            "Identity", "Dropout", "Flatten", "Reshape", "Cast", "Constant", "Abs", "Shape",
        };

        // Operators taken only inside a shape computation feeding a Reshape (PyTorch's x.view(x.size(0), -1)).
        private static readonly HashSet<string> ShapeOperators = new(StringComparer.Ordinal) { "Gather", "Unsqueeze", "Squeeze", "Concat", "Cast" };

        /// <summary>Stands for the batch size in a shape computed from the input's shape.</summary>
        private const long Batch = long.MinValue;

        private static readonly float Sqrt2 = (float)Math.Sqrt(2.0);
        private static readonly float InvSqrt2 = (float)(1 / Math.Sqrt(2.0));
        private static readonly float OneSixth = (float)(1 / 6.0);

        private readonly OnnxModel _model;
        private readonly OnnxGraph _graph;
        private readonly Dictionary<string, OnnxTensor> _constants = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, OnnxNode> _producers = new(StringComparer.Ordinal);
        private string _inputName = "";
        private List<int> _inputShape = new();
        private readonly HashSet<OnnxNode> _visited = new();
        private readonly List<ImportedLayer> _layers = new();
        private long _opset;
        private string _outputName = "";
        private int _width;
        private int _rank;
        private long _fixedBatch = -1;
        private int _shapeSteps;

        /// <summary>Prepares to map <paramref name="model"/>.</summary>
        public OnnxNetworkMapper(OnnxModel model)
        {
            _model = model;
            _graph = model.Graph ?? throw new FileFormatException("not an ONNX model: no graph");
        }

        /// <summary>Maps the graph; throws <see cref="FileFormatException"/> naming what is not supported.</summary>
        public ImportedNetwork Map()
        {
            ReadOpset();
            if (_graph.SparseInitializers > 0) throw new FileFormatException("the graph has sparse initializers, which ModelGen does not read");
            CollectConstants();
            RejectUnsupportedOperators();
            OnnxValueInfo input = FindInput(out List<int> inputShape);
            FindOutput();
            IndexConsumers();

            string current = input.Name;
            while (true)
            {
                List<OnnxNode> consumers = Consumers(current);
                bool isOutput = current == _outputName;
                if (consumers.Count == 0)
                {
                    if (isOutput) break;
                    throw new FileFormatException($"tensor '{current}' is used by no node and is not the graph's output '{_outputName}'");
                }
                if (isOutput)
                {
                    throw new FileFormatException($"the graph's output '{current}' also feeds {List(consumers)}: the graph is not a chain");
                }
                current = consumers.Count == 1 ? Step(consumers[0], current) : Pattern(current, consumers);
            }

            foreach (OnnxNode node in _graph.Nodes)
            {
                if (!_visited.Contains(node))
                {
                    throw new FileFormatException($"{node.Describe()} is not on the chain from the input '{input.Name}' to the output '{_outputName}': ModelGen reads graphs that are one chain of layers");
                }
            }
            CheckDeclaredOutput();
            if (_rank != 2) throw new FileFormatException($"the output '{_outputName}' has rank {_rank}: ModelGen's models end in a [batch, units] tensor");

            string producer = (_model.ProducerName + " " + _model.ProducerVersion).Trim();
            string description = "ONNX IR " + _model.IrVersion.ToString(CultureInfo.InvariantCulture) + ", opset " + _opset.ToString(CultureInfo.InvariantCulture)
                + (producer.Length > 0 ? ", written by " + producer : "");
            return new ImportedNetwork(Product(inputShape), inputShape, _layers.ToArray(), description);
        }

        // ---- graph setup -------------------------------------------------------------------------------------------

        private void ReadOpset()
        {
            _opset = -1;
            foreach (KeyValuePair<string, long> o in _model.Opsets)
            {
                if (o.Key.Length == 0 || o.Key == "ai.onnx") _opset = o.Value;
            }
            if (_opset < 0)
            {
                // IR version 1-2 files may omit opset_import; they mean opset 1.
                if (_model.Opsets.Count == 0 && _model.IrVersion <= 2) _opset = 1;
                else throw new FileFormatException("the model imports no version of the default ONNX operator set (ai.onnx)");
            }
            if (_opset < 1 || _opset > 1000) throw new FileFormatException($"invalid ai.onnx opset version {_opset}");
        }

        private void CollectConstants()
        {
            foreach (OnnxTensor t in _graph.Initializers)
            {
                if (t.Name.Length == 0) throw new FileFormatException("an initializer has no name");
                if (_constants.ContainsKey(t.Name)) throw new FileFormatException($"two initializers are named '{t.Name}'");
                _constants[t.Name] = t;
            }
            foreach (OnnxNode node in _graph.Nodes)
            {
                if (node.OpType != "Constant" || !node.IsDefaultDomain) continue;
                _visited.Add(node);
                if (node.Outputs.Count != 1 || node.Outputs[0].Length == 0) throw new FileFormatException($"{node.Describe()} must have one output");
                if (node.Attributes.Count != 1) throw new FileFormatException($"{node.Describe()} must have exactly one value attribute");
                OnnxAttribute a = node.Attributes[0];
                OnnxTensor value;
                switch (a.Name)
                {
                    case "value":
                        value = a.T ?? throw new FileFormatException($"{node.Describe()} has a 'value' attribute without a tensor");
                        break;
                    case "value_float":
                        value = new OnnxTensor { DataType = OnnxTensor.Float };
                        value.FloatData.Add(a.F);
                        break;
                    case "value_floats":
                        value = new OnnxTensor { DataType = OnnxTensor.Float };
                        value.Dims.Add(a.Floats.Count);
                        value.FloatData.AddRange(a.Floats);
                        break;
                    case "value_int":
                        value = new OnnxTensor { DataType = OnnxTensor.Int64 };
                        value.Int64Data.Add(a.I);
                        break;
                    case "value_ints":
                        value = new OnnxTensor { DataType = OnnxTensor.Int64 };
                        value.Dims.Add(a.Ints.Count);
                        value.Int64Data.AddRange(a.Ints);
                        break;
                    default:
                        throw new FileFormatException($"{node.Describe()} has a '{a.Name}' value, which ModelGen does not read");
                }
                string name = node.Outputs[0];
                if (_constants.ContainsKey(name)) throw new FileFormatException($"{node.Describe()} redefines '{name}'");
                _constants[name] = value;
            }
        }

        private void RejectUnsupportedOperators()
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var found = new List<string>();
            bool quantized = false;
            var shapeTensors = new HashSet<string>(StringComparer.Ordinal);
            foreach (OnnxNode node in _graph.Nodes)
            {
                if (node.IsDefaultDomain && (node.OpType == "Shape" || (ShapeOperators.Contains(node.OpType) && FedByShapes(node, shapeTensors))))
                {
                    foreach (string o in node.Outputs) shapeTensors.Add(o);
                    continue;
                }
                if (node.IsDefaultDomain && Supported.Contains(node.OpType)) continue;
                if (!seen.Add(node.QualifiedOp)) continue;
                found.Add(node.Describe());
                quantized |= node.OpType.IndexOf("Quantize", StringComparison.Ordinal) >= 0 || node.OpType.IndexOf("Integer", StringComparison.Ordinal) >= 0
                    || node.OpType.StartsWith("QLinear", StringComparison.Ordinal);
                if (found.Count == 12) break;
            }
            if (found.Count == 0) return;
            throw new FileFormatException(
                "the graph uses operators ModelGen does not map to dense layers: " + string.Join(", ", found)
                + (quantized ? " (a quantized model: ModelGen reads float32 weights)" : "")
                + ". ModelGen reads chains of Gemm or MatMul + Add with element-wise activations, BatchNormalization, Dropout, Identity and a Flatten/Reshape front");
        }

        // True when every input of a shape operator is a constant or the output of a shape computation (and one is).
        private bool FedByShapes(OnnxNode node, HashSet<string> shapeTensors)
        {
            bool any = false;
            foreach (string input in node.Inputs)
            {
                if (input.Length == 0 || _constants.ContainsKey(input)) continue;
                if (!shapeTensors.Contains(input)) return false;
                any = true;
            }
            return any;
        }

        private OnnxValueInfo FindInput(out List<int> perSample)
        {
            var real = new List<OnnxValueInfo>();
            foreach (OnnxValueInfo v in _graph.Inputs)
            {
                // IR 3 files list every initializer as a graph input too: the real input has no initializer.
                if (!_constants.ContainsKey(v.Name)) real.Add(v);
            }
            if (real.Count != 1)
            {
                throw new FileFormatException(real.Count == 0
                    ? "the graph has no input that is not an initializer"
                    : $"the graph has {real.Count} inputs ({Names(real)}): ModelGen reads models with one input");
            }
            OnnxValueInfo input = real[0];
            if (!input.IsTensor) throw new FileFormatException($"the input '{input.Name}' is a {(input.OtherKind.Length > 0 ? input.OtherKind : "value of unknown type")}, not a tensor");
            if (input.ElemType != OnnxTensor.Float) throw new FileFormatException($"the input '{input.Name}' is {OnnxTensor.TypeName(input.ElemType)}: ModelGen's models take float32");
            if (input.Shape is null) throw new FileFormatException($"the input '{input.Name}' declares no shape: ModelGen needs its size per sample");
            int rank = input.Shape.Count;
            if (rank < 2 || rank > 4) throw new FileFormatException($"the input '{input.Name}' has rank {rank} ([{Dims(input.Shape)}]): ModelGen reads [batch, features] inputs, or rank 3-4 inputs flattened in front of the first layer");
            perSample = new List<int>();
            long size = 1;
            for (int i = 1; i < rank; i++)
            {
                OnnxDim d = input.Shape[i];
                if (!d.HasValue || d.Value <= 0 || d.Value > MaxWidth)
                {
                    throw new FileFormatException($"dimension {i} of the input '{input.Name}' ([{Dims(input.Shape)}]) is {d}: ModelGen needs a fixed size per sample (1 to {MaxWidth})");
                }
                size *= d.Value;
                if (size > MaxWidth) throw new FileFormatException($"the input '{input.Name}' has more than {MaxWidth} values per sample");
                perSample.Add((int)d.Value);
            }
            if (input.Shape[0].HasValue) _fixedBatch = input.Shape[0].Value;
            _width = (int)size;
            _rank = rank;
            _inputName = input.Name;
            _inputShape = perSample;
            return input;
        }

        private void FindOutput()
        {
            if (_graph.Outputs.Count != 1)
            {
                throw new FileFormatException(_graph.Outputs.Count == 0
                    ? "the graph has no output"
                    : $"the graph has {_graph.Outputs.Count} outputs ({Names(_graph.Outputs)}): ModelGen reads models with one output");
            }
            OnnxValueInfo output = _graph.Outputs[0];
            if (output.IsTensor && output.ElemType != 0 && output.ElemType != OnnxTensor.Float)
            {
                throw new FileFormatException($"the output '{output.Name}' is {OnnxTensor.TypeName(output.ElemType)}: ModelGen's models return float32");
            }
            if (!output.IsTensor && output.OtherKind.Length > 0) throw new FileFormatException($"the output '{output.Name}' is a {output.OtherKind}, not a tensor");
            _outputName = output.Name;
        }

        private void IndexConsumers()
        {
            var produced = new HashSet<string>(StringComparer.Ordinal);
            foreach (OnnxNode node in _graph.Nodes)
            {
                if (_visited.Contains(node)) continue;
                foreach (string output in node.Outputs)
                {
                    if (output.Length == 0) continue;
                    if (!produced.Add(output) || _constants.ContainsKey(output)) throw new FileFormatException($"tensor '{output}' is produced twice ({node.Describe()})");
                    _producers[output] = node;
                }
                var distinct = new HashSet<string>(StringComparer.Ordinal);
                foreach (string input in node.Inputs)
                {
                    if (input.Length == 0 || _constants.ContainsKey(input) || !distinct.Add(input)) continue;
                    if (!_consumers.TryGetValue(input, out List<OnnxNode>? list)) _consumers[input] = list = new List<OnnxNode>();
                    list.Add(node);
                }
            }
        }

        private void CheckDeclaredOutput()
        {
            List<OnnxDim>? shape = _graph.Outputs[0].Shape;
            if (shape is null || shape.Count == 0) return;
            if (shape.Count != 2) throw new FileFormatException($"the output '{_outputName}' is declared with rank {shape.Count} ([{Dims(shape)}]): ModelGen's models end in [batch, units]");
            if (shape[1].HasValue && shape[1].Value != _width)
            {
                throw new FileFormatException($"the output '{_outputName}' is declared [{Dims(shape)}] but the chain computes {_width} values per sample");
            }
        }

        private List<OnnxNode> Consumers(string tensor)
        {
            var list = new List<OnnxNode>();
            if (_consumers.TryGetValue(tensor, out List<OnnxNode>? all))
            {
                foreach (OnnxNode n in all) if (!_visited.Contains(n) && !Is(n, "Shape")) list.Add(n);
            }
            return list;
        }

        // ---- one node ----------------------------------------------------------------------------------------------

        private string Step(OnnxNode node, string current)
        {
            _visited.Add(node);
            if (node.Inputs.Count == 0 || node.Inputs[0] != current)
            {
                throw new FileFormatException($"{node.Describe()} takes '{current}' as input {node.Inputs.IndexOf(current)}, not as its data input 0: ModelGen reads chains where each layer's first input is the previous layer's output");
            }
            string output = MainOutput(node);
            switch (node.OpType)
            {
                case "Gemm": return Gemm(node, output);
                case "MatMul": return MatMul(node, output);
                case "Relu": return Activate(node, output, new ImportedActivation(node.Describe(), Activation.Relu), 1);
                case "Sigmoid": return Activate(node, output, new ImportedActivation(node.Describe(), Activation.Sigmoid), 1);
                case "Tanh": return Activate(node, output, new ImportedActivation(node.Describe(), Activation.Tanh), 1);
                case "Softplus": return Activate(node, output, new ImportedActivation(node.Describe(), Activation.Softplus), 1);
                case "Softsign": return Activate(node, output, new ImportedActivation(node.Describe(), Activation.Softsign), 1);
                case "HardSwish": return Activate(node, output, new ImportedActivation(node.Describe(), Activation.HardSilu), 1);
                case "LeakyRelu":
                    return Activate(node, output, new ImportedActivation(node.Describe(), Activation.LeakyRelu, negativeSlope: FloatAttribute(node, "alpha", 0.01f)), 1);
                case "Elu":
                    return Activate(node, output, new ImportedActivation(node.Describe(), Activation.Elu, alpha: FloatAttribute(node, "alpha", 1f)), 1);
                case "Selu": return Activate(node, output, Selu(node), 1);
                case "HardSigmoid": return Activate(node, output, HardSigmoid(node), 1);
                case "Gelu": return Activate(node, output, Gelu(node), 1);
                case "Softmax":
                case "LogSoftmax":
                    return Activate(node, output, Softmax(node), 1);
                case "BatchNormalization": return BatchNormalization(node, output);
                case "Identity":
                    RequireInputs(node, 1, 1);
                    return output;
                case "Cast":
                    RequireInputs(node, 1, 1);
                    if (IntAttribute(node, "to", 0) != OnnxTensor.Float) throw new FileFormatException($"{node.Describe()} casts to {OnnxTensor.TypeName((int)IntAttribute(node, "to", 0))}: ModelGen's layers compute in float32");
                    return output;
                case "Dropout": return Dropout(node, output);
                case "Flatten": return Flatten(node, output);
                case "Reshape": return Reshape(node, output);
                case "Add":
                    throw new FileFormatException($"{node.Describe()} is not the bias of a MatMul or Gemm without one: ModelGen maps Add only as MatMul + Add");
                default:
                    throw new FileFormatException($"{node.Describe()} is not part of a pattern ModelGen recognises here (gelu as x * 0.5 * (1 + erf(x / sqrt 2)), silu as x * sigmoid(x), hardswish as x * HardSigmoid(x), softsign as x / (1 + abs(x)))");
            }
        }

        private string Activate(OnnxNode node, string output, ImportedActivation activation, int maxInputs)
        {
            RequireInputs(node, 1, maxInputs);
            _layers.Add(activation);
            return output;
        }

        private string Gemm(OnnxNode node, string output)
        {
            RequireInputs(node, 2, 3);
            RequireRank2(node);
            if (IntAttribute(node, "transA", 0) != 0)
            {
                throw new FileFormatException($"{node.Describe()} has transA = 1, which transposes the batch into the features: ModelGen reads Gemm with the batch as rows (transA = 0)");
            }
            bool transB = IntAttribute(node, "transB", 0) != 0;
            float alpha = FloatAttribute(node, "alpha", 1f);
            float beta = FloatAttribute(node, "beta", 1f);
            OnnxTensor b = ConstantInput(node, 1, "weights B");
            if (b.Dims.Count != 2) throw new FileFormatException($"{node.Describe()}: weights B '{b.Name}' have rank {b.Dims.Count}, not 2");
            int rows = Dim(b, 0, node), cols = Dim(b, 1, node);
            int inputs = transB ? cols : rows;
            int units = transB ? rows : cols;
            CheckInputs(node, b, inputs);
            float[] w = Floats(b, node, "weights B");
            var kernel = new float[(long)inputs * units];
            for (int i = 0; i < inputs; i++)
            {
                for (int j = 0; j < units; j++)
                {
                    float v = transB ? w[(long)j * inputs + i] : w[(long)i * units + j];
                    kernel[(long)i * units + j] = alpha == 1f ? v : (float)(alpha * (double)v);
                }
            }
            float[]? bias = null;
            if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0)
            {
                bias = Bias(node, ConstantInput(node, 2, "bias C"), units, "bias C");
                if (beta != 1f) for (int j = 0; j < units; j++) bias[j] = (float)(beta * (double)bias[j]);
            }
            return AddDense(node, output, inputs, units, kernel, bias);
        }

        private string MatMul(OnnxNode node, string output)
        {
            RequireInputs(node, 2, 2);
            RequireRank2(node);
            OnnxTensor w = ConstantInput(node, 1, "weights");
            if (w.Dims.Count != 2) throw new FileFormatException($"{node.Describe()}: weights '{w.Name}' have rank {w.Dims.Count}, not 2 ([inputs, units])");
            int inputs = Dim(w, 0, node), units = Dim(w, 1, node);
            CheckInputs(node, w, inputs);
            return AddDense(node, output, inputs, units, Floats(w, node, "weights"), null);
        }

        private string AddDense(OnnxNode node, string output, int inputs, int units, float[] kernel, float[]? bias)
        {
            string source = node.Describe();
            // A bias added by the next node (MatMul + Add, as tf2onnx, OnnxMLTools and skl2onnx write it) joins the layer.
            List<OnnxNode> next = Consumers(output);
            if (bias is null && output != _outputName && next.Count == 1 && next[0].OpType == "Add" && next[0].IsDefaultDomain && next[0].Inputs.Count == 2)
            {
                OnnxNode add = next[0];
                int other = add.Inputs[0] == output ? 1 : add.Inputs[1] == output ? 0 : -1;
                if (other >= 0 && _constants.TryGetValue(add.Inputs[other], out OnnxTensor? c))
                {
                    _visited.Add(add);
                    bias = Bias(add, c, units, "bias");
                    output = MainOutput(add);
                    source += " + " + add.Describe();
                }
            }
            _layers.Add(new ImportedDense(source, inputs, units, kernel, bias));
            _width = units;
            return output;
        }

        private float[] Bias(OnnxNode node, OnnxTensor c, int units, string role)
        {
            float[] values = Floats(c, node, role);
            bool vector = values.Length == units && (c.Dims.Count == 1 || (c.Dims.Count == 2 && c.Dims[0] == 1));
            bool scalar = values.Length == 1 && c.Dims.Count <= 2;
            if (!vector && !scalar)
            {
                throw new FileFormatException($"{node.Describe()}: {role} '{c.Name}' has shape [{string.Join(", ", c.Dims)}]; ModelGen takes [{units}], [1, {units}] or a scalar");
            }
            if (vector) return values;
            var filled = new float[units];
            for (int j = 0; j < units; j++) filled[j] = values[0];
            return filled;
        }

        private ImportedActivation Selu(OnnxNode node)
        {
            // ONNX's defaults are Keras's constants rounded to float32.
            float alpha = FloatAttribute(node, "alpha", (float)ActivationCatalog.SeluAlpha);
            float gamma = FloatAttribute(node, "gamma", (float)ActivationCatalog.SeluScale);
            if (alpha != (float)ActivationCatalog.SeluAlpha || gamma != (float)ActivationCatalog.SeluScale)
            {
                throw new FileFormatException($"{node.Describe()} has alpha {F(alpha)} and gamma {F(gamma)}: ModelGen's selu uses the standard constants (alpha 1.6732632, gamma 1.050701)");
            }
            return new ImportedActivation(node.Describe(), Activation.Selu);
        }

        private ImportedActivation HardSigmoid(OnnxNode node)
        {
            float alpha = FloatAttribute(node, "alpha", 0.2f);
            float beta = FloatAttribute(node, "beta", 0.5f);
            // ONNX's defaults are Keras 2's hard_sigmoid, clip(0.2 x + 0.5, 0, 1); PyTorch's Hardsigmoid exports alpha 1/6,
            // which is Keras 3's relu6(x + 3) / 6.
            if (alpha == 0.2f && beta == 0.5f) return new ImportedActivation(node.Describe(), Activation.HardSigmoidKeras2);
            if (alpha == OneSixth && beta == 0.5f) return new ImportedActivation(node.Describe(), Activation.HardSigmoid);
            throw new FileFormatException($"{node.Describe()} has alpha {F(alpha)} and beta {F(beta)}: ModelGen has hard_sigmoid with alpha 0.2, beta 0.5 (Keras 2, ONNX's default) or alpha 1/6, beta 0.5 (Keras 3, PyTorch)");
        }

        private ImportedActivation Gelu(OnnxNode node)
        {
            string approximate = StringAttribute(node, "approximate", "none");
            if (approximate == "none") return new ImportedActivation(node.Describe(), Activation.Gelu);
            if (approximate == "tanh") return new ImportedActivation(node.Describe(), Activation.GeluTanh);
            throw new FileFormatException($"{node.Describe()} has approximate = '{approximate}': ONNX defines 'none' and 'tanh'");
        }

        private ImportedActivation Softmax(OnnxNode node)
        {
            RequireRank2(node);
            // Before opset 13 the input is coerced to 2-D at axis (default 1); from 13 the function runs along axis
            // (default -1). On a [batch, units] tensor both mean "over each sample's units" for axis 1 or -1.
            long axis = IntAttribute(node, "axis", _opset >= 13 ? -1 : 1);
            if (axis != 1 && axis != -1)
            {
                throw new FileFormatException($"{node.Describe()} has axis {axis} on a [batch, {_width}] tensor (opset {_opset}): ModelGen applies {node.OpType} over each sample's units (axis 1 or -1)");
            }
            return new ImportedActivation(node.Describe(), node.OpType == "Softmax" ? Activation.Softmax : Activation.LogSoftmax);
        }

        private string BatchNormalization(OnnxNode node, string output)
        {
            RequireInputs(node, 5, 5);
            RequireRank2(node);
            if (IntAttribute(node, "training_mode", 0) != 0)
            {
                throw new FileFormatException($"{node.Describe()} has training_mode = 1 (batch statistics): ModelGen reads batch normalization in inference mode");
            }
            float epsilon = FloatAttribute(node, "epsilon", 1e-5f);
            var vectors = new float[4][];
            string[] roles = { "scale", "B", "input_mean", "input_var" };
            for (int k = 0; k < 4; k++)
            {
                OnnxTensor t = ConstantInput(node, k + 1, roles[k]);
                vectors[k] = Floats(t, node, roles[k]);
                if (vectors[k].Length != _width || t.Dims.Count != 1)
                {
                    throw new FileFormatException($"{node.Describe()}: {roles[k]} '{t.Name}' has shape [{string.Join(", ", t.Dims)}], not [{_width}]");
                }
            }
            foreach (float v in vectors[3])
            {
                if (!(v + (double)epsilon > 0)) throw new FileFormatException($"{node.Describe()}: a variance plus epsilon is {F((float)(v + (double)epsilon))}, not positive");
            }
            _layers.Add(new ImportedBatchNorm(node.Describe(), vectors[0], vectors[1], vectors[2], vectors[3], epsilon));
            return output;
        }

        private string Dropout(OnnxNode node, string output)
        {
            RequireInputs(node, 1, 3);
            float rate;
            if (_opset >= 12)
            {
                rate = node.Inputs.Count > 1 && node.Inputs[1].Length > 0 ? (float)Scalar(ConstantInput(node, 1, "ratio"), node, "ratio") : 0.5f;
                if (node.Inputs.Count > 2 && node.Inputs[2].Length > 0 && Scalar(ConstantInput(node, 2, "training_mode"), node, "training_mode") != 0)
                {
                    throw new FileFormatException($"{node.Describe()} has training_mode = true: ModelGen reads the inference graph");
                }
            }
            else
            {
                RequireInputs(node, 1, 1);
                rate = FloatAttribute(node, "ratio", 0.5f);
            }
            if (!(rate >= 0f && rate < 1f)) throw new FileFormatException($"{node.Describe()} has ratio {F(rate)}, outside [0, 1)");
            if (rate > 0f) _layers.Add(new ImportedDropout(node.Describe(), rate));
            return output;
        }

        private string Flatten(OnnxNode node, string output)
        {
            RequireInputs(node, 1, 1);
            long axis = IntAttribute(node, "axis", 1);
            if (axis != 1 && axis != 1 - _rank)
            {
                throw new FileFormatException($"{node.Describe()} has axis {axis}: ModelGen flattens each sample (axis 1), keeping the batch axis");
            }
            _rank = 2;
            return output;
        }

        private string Reshape(OnnxNode node, string output)
        {
            RequireInputs(node, 2, 2);
            long[] shape = _constants.TryGetValue(node.Inputs[1], out OnnxTensor? shapeTensor)
                ? Int64s(shapeTensor, node, "shape")
                : ShapeOf(node.Inputs[1], node, 0);
            bool allowZero = IntAttribute(node, "allowzero", 0) != 0;
            bool keepsRows = shape.Length == 2
                && (shape[0] == -1 || shape[0] == Batch || (shape[0] == 0 && !allowZero) || (_fixedBatch > 0 && shape[0] == _fixedBatch))
                && (shape[1] == _width || (shape[1] == -1 && shape[0] != -1));
            if (!keepsRows)
            {
                throw new FileFormatException($"{node.Describe()} reshapes to [{string.Join(", ", Array.ConvertAll(shape, v => v == Batch ? "batch" : v.ToString(CultureInfo.InvariantCulture)))}]: ModelGen takes a Reshape that keeps one sample of {_width} values per row ([-1, {_width}], [0, -1] or [batch, {_width}])");
            }
            _rank = 2;
            return output;
        }

        /// <summary>
        /// Evaluates a shape computed from the input's shape (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast and
        /// constants, as PyTorch writes <c>x.view(x.size(0), -1)</c>); the batch size is <see cref="Batch"/>.
        /// </summary>
        private long[] ShapeOf(string tensor, OnnxNode reshape, int depth)
        {
            if (_constants.TryGetValue(tensor, out OnnxTensor? constant)) return Int64s(constant, reshape, "shape");
            // The budget bounds the work on hostile graphs (cycles, or a Concat fanning out to the same tensor many times).
            if (depth > 32 || ++_shapeSteps > 256 || !_producers.TryGetValue(tensor, out OnnxNode? node))
            {
                throw new FileFormatException($"{reshape.Describe()}: its shape '{tensor}' is neither a constant nor computed from the input's shape");
            }
            _visited.Add(node);
            if (node.Outputs.Count != 1 || !node.IsDefaultDomain) throw Unsupported();
            switch (node.OpType)
            {
                case "Shape":
                    if (node.Inputs.Count != 1 || node.Inputs[0] != _inputName || node.Attributes.Count != 0) throw Unsupported();
                    var shape = new long[_inputShape.Count + 1];
                    shape[0] = Batch;
                    for (int i = 0; i < _inputShape.Count; i++) shape[i + 1] = _inputShape[i];
                    return shape;
                case "Gather":
                {
                    if (node.Inputs.Count != 2 || IntAttribute(node, "axis", 0) != 0) throw Unsupported();
                    long[] data = ShapeOf(node.Inputs[0], reshape, depth + 1);
                    long[] indices = Int64s(ConstantInput(node, 1, "indices"), node, "indices");
                    var picked = new long[indices.Length];
                    for (int i = 0; i < indices.Length; i++)
                    {
                        long k = indices[i] < 0 ? indices[i] + data.Length : indices[i];
                        if (k < 0 || k >= data.Length) throw new FileFormatException($"{node.Describe()}: index {indices[i]} is outside a shape of rank {data.Length}");
                        picked[i] = data[k];
                    }
                    return picked;
                }
                case "Unsqueeze":
                case "Squeeze":
                case "Cast":
                    if (node.Inputs.Count == 0) throw Unsupported();
                    return ShapeOf(node.Inputs[0], reshape, depth + 1);
                case "Concat":
                {
                    if (IntAttribute(node, "axis", 0) != 0 || node.Inputs.Count > 8) throw Unsupported();
                    var all = new List<long>();
                    foreach (string part in node.Inputs) all.AddRange(ShapeOf(part, reshape, depth + 1));
                    return all.ToArray();
                }
                default:
                    throw Unsupported();
            }

            FileFormatException Unsupported() => new($"{reshape.Describe()}: its shape comes from {node.Describe()}, which ModelGen does not evaluate (it takes a constant shape, or Shape/Gather/Unsqueeze/Concat of the input's shape)");
        }

        // ---- decomposed activations --------------------------------------------------------------------------------

        /// <summary>Two nodes read <paramref name="x"/>: PyTorch's gelu (erf), silu or hardswish decompositions.</summary>
        private string Pattern(string x, List<OnnxNode> consumers)
        {
            if (consumers.Count == 2)
            {
                string? result = TryGelu(x, consumers[0], consumers[1]) ?? TryGelu(x, consumers[1], consumers[0])
                    ?? TryGated(x, consumers[0], consumers[1]) ?? TryGated(x, consumers[1], consumers[0])
                    ?? TrySoftsign(x, consumers[0], consumers[1]) ?? TrySoftsign(x, consumers[1], consumers[0]);
                if (result is not null) return result;
            }
            throw new FileFormatException($"tensor '{x}' feeds {consumers.Count} nodes ({List(consumers)}): ModelGen reads graphs that are one chain of layers (the only branches it takes are PyTorch's gelu, silu, hardswish and softsign decompositions)");
        }

        // x / sqrt2 (or x * 1/sqrt2) -> Erf -> + 1 -> then x * that * 0.5 in either order.
        private string? TryGelu(string x, OnnxNode scale, OnnxNode other)
        {
            bool div = Is(scale, "Div") && scale.Inputs.Count == 2 && scale.Inputs[0] == x && ScalarIs(scale.Inputs[1], Sqrt2);
            bool mul = Is(scale, "Mul") && ScalarOperand(scale, x, InvSqrt2);
            if (!(div || mul) || !Is(other, "Mul") || other.Inputs.Count != 2) return null;
            OnnxNode? erf = Only(scale, "Erf");
            OnnxNode? plusOne = erf is null ? null : Only(erf, "Add");
            if (plusOne is null || !ScalarOperand(plusOne, erf!.Outputs[0], 1f)) return null;
            string t = plusOne.Outputs[0];
            OnnxNode last;
            if (Operands(other, x, t) && Consumers(t).Count == 1)
            {
                // torch: (x * (1 + erf)) * 0.5
                OnnxNode? half = Only(other, "Mul");
                if (half is null || !ScalarOperand(half, other.Outputs[0], 0.5f)) return null;
                last = half;
            }
            else if (ScalarOperand(other, x, 0.5f) && other.Outputs.Count == 1 && other.Outputs[0] != _outputName)
            {
                // (x * 0.5) * (1 + erf)
                OnnxNode? product = Only(plusOne, "Mul");
                if (product is null || !Operands(product, other.Outputs[0], t) || Consumers(other.Outputs[0]).Count != 1) return null;
                last = product;
            }
            else
            {
                return null;
            }
            MarkAll(scale, erf, plusOne, other, last);
            _layers.Add(new ImportedActivation("gelu decomposition " + scale.Describe() + " ... " + last.Describe(), Activation.Gelu));
            return last.Outputs[0];
        }

        // x * Sigmoid(x) is silu; x * HardSigmoid(x; 1/6, 0.5) is hardswish (PyTorch before opset 14).
        private string? TryGated(string x, OnnxNode gate, OnnxNode product)
        {
            Activation kind;
            if (Is(gate, "Sigmoid")) kind = Activation.Silu;
            else if (Is(gate, "HardSigmoid") && FloatAttribute(gate, "alpha", 0.2f) == OneSixth && FloatAttribute(gate, "beta", 0.5f) == 0.5f) kind = Activation.HardSilu;
            else return null;
            if (gate.Inputs.Count != 1 || gate.Outputs.Count != 1 || !Is(product, "Mul") || !Operands(product, x, gate.Outputs[0])) return null;
            if (Consumers(gate.Outputs[0]).Count != 1 || gate.Outputs[0] == _outputName) return null;
            MarkAll(gate, product);
            _layers.Add(new ImportedActivation(ActivationCatalog.KerasName(kind) + " decomposition " + gate.Describe() + " * " + product.Describe(), kind));
            return MainOutput(product);
        }

        // x / (1 + Abs(x)) is softsign (PyTorch's export of nn.Softsign).
        private string? TrySoftsign(string x, OnnxNode abs, OnnxNode div)
        {
            if (!Is(abs, "Abs") || abs.Inputs.Count != 1 || !Is(div, "Div") || div.Inputs.Count != 2 || div.Inputs[0] != x) return null;
            OnnxNode? plusOne = Only(abs, "Add");
            if (plusOne is null || !ScalarOperand(plusOne, abs.Outputs[0], 1f) || plusOne.Outputs.Count != 1) return null;
            if (div.Inputs[1] != plusOne.Outputs[0] || Consumers(plusOne.Outputs[0]).Count != 1 || plusOne.Outputs[0] == _outputName) return null;
            MarkAll(abs, plusOne, div);
            _layers.Add(new ImportedActivation("softsign decomposition " + abs.Describe() + " ... " + div.Describe(), Activation.Softsign));
            return div.Outputs[0];
        }

        private static bool Is(OnnxNode node, string op) => node.IsDefaultDomain && node.OpType == op;

        /// <summary>The single consumer of <paramref name="node"/>'s single output, if it is a <paramref name="op"/> node.</summary>
        private OnnxNode? Only(OnnxNode node, string op)
        {
            if (node.Outputs.Count != 1 || node.Outputs[0] == _outputName) return null;
            List<OnnxNode> next = Consumers(node.Outputs[0]);
            return next.Count == 1 && Is(next[0], op) ? next[0] : null;
        }

        private static bool Operands(OnnxNode node, string a, string b) =>
            node.Inputs.Count == 2 && ((node.Inputs[0] == a && node.Inputs[1] == b) || (node.Inputs[0] == b && node.Inputs[1] == a));

        private bool ScalarOperand(OnnxNode node, string x, float value) =>
            node.Inputs.Count == 2 && ((node.Inputs[0] == x && ScalarIs(node.Inputs[1], value)) || (node.Inputs[1] == x && ScalarIs(node.Inputs[0], value)));

        private bool ScalarIs(string name, float value)
        {
            if (!_constants.TryGetValue(name, out OnnxTensor? t) || t.External) return false;
            if (t.DataType != OnnxTensor.Float && t.DataType != OnnxTensor.Double) return false;
            try
            {
                return Count(t, null) == 1 && (float)Scalar(t, null, name) == value;
            }
            catch (FileFormatException)
            {
                return false;
            }
        }

        private void MarkAll(params OnnxNode?[] nodes)
        {
            foreach (OnnxNode? n in nodes)
            {
                if (n is null) continue;
                _visited.Add(n);
                MainOutput(n);
            }
        }

        // ---- checks and tensor access ------------------------------------------------------------------------------

        private string MainOutput(OnnxNode node)
        {
            if (node.Outputs.Count == 0 || node.Outputs[0].Length == 0) throw new FileFormatException($"{node.Describe()} has no output");
            for (int k = 1; k < node.Outputs.Count; k++)
            {
                string extra = node.Outputs[k];
                if (extra.Length > 0 && (extra == _outputName || (_consumers.TryGetValue(extra, out List<OnnxNode>? users) && users.Count > 0)))
                {
                    throw new FileFormatException($"{node.Describe()}: its output {k} '{extra}' is used, which ModelGen does not map");
                }
            }
            return node.Outputs[0];
        }

        private static void RequireInputs(OnnxNode node, int min, int max)
        {
            int count = node.Inputs.Count;
            while (count > min && node.Inputs[count - 1].Length == 0) count--;
            if (count < min || count > max)
            {
                throw new FileFormatException($"{node.Describe()} has {node.Inputs.Count} inputs; ModelGen reads it with {(min == max ? min.ToString(CultureInfo.InvariantCulture) : min + " to " + max)}");
            }
        }

        private void RequireRank2(OnnxNode node)
        {
            if (_rank != 2)
            {
                throw new FileFormatException($"{node.Describe()} receives a rank-{_rank} tensor: flatten the input (Flatten or Reshape to [batch, features]) in front of the first layer");
            }
        }

        private void CheckInputs(OnnxNode node, OnnxTensor w, int inputs)
        {
            if (inputs != _width)
            {
                throw new FileFormatException($"{node.Describe()}: weights '{w.Name}' [{string.Join(", ", w.Dims)}] take {inputs} inputs, but the layer receives {_width}");
            }
        }

        private OnnxTensor ConstantInput(OnnxNode node, int index, string role)
        {
            string name = node.Inputs[index];
            if (_constants.TryGetValue(name, out OnnxTensor? t)) return t;
            throw new FileFormatException($"{node.Describe()}: its {role} '{name}' is not a constant (an initializer or Constant output): ModelGen reads chains whose weights are stored in the file");
        }

        private int Dim(OnnxTensor t, int axis, OnnxNode node)
        {
            long d = t.Dims[axis];
            if (d <= 0 || d > MaxWidth) throw new FileFormatException($"{node.Describe()}: tensor '{t.Name}' has dimension {d} (ModelGen takes 1 to {MaxWidth})");
            return (int)d;
        }

        private static long Count(OnnxTensor t, OnnxNode? node)
        {
            long count = 1;
            foreach (long d in t.Dims)
            {
                if (d < 0 || d > MaxElements) throw new FileFormatException($"tensor '{t.Name}'{At(node)} has dimension {d}");
                count *= d;
                if (count > MaxElements) throw new FileFormatException($"tensor '{t.Name}'{At(node)} has more than {MaxElements} elements");
            }
            return count;
        }

        private static string At(OnnxNode? node) => node is null ? "" : " of " + node.Describe();

        private static void CheckStored(OnnxTensor t, OnnxNode? node, string role)
        {
            if (t.External)
            {
                throw new FileFormatException($"{role} '{t.Name}'{At(node)} is stored in an external file (data_location EXTERNAL): ModelGen reads .onnx files that hold their weights");
            }
            if (t.Segmented) throw new FileFormatException($"{role} '{t.Name}'{At(node)} is a segment of a larger tensor, which ModelGen does not read");
        }

        /// <summary>The float32 values of <paramref name="t"/>, checked against its shape.</summary>
        private static float[] Floats(OnnxTensor t, OnnxNode? node, string role)
        {
            CheckStored(t, node, role);
            if (t.DataType != OnnxTensor.Float)
            {
                throw new FileFormatException(t.DataType == OnnxTensor.Double
                    ? $"{role} '{t.Name}'{At(node)} is float64 while the input is float32 (ONNX requires one element type per operator; ONNX Runtime refuses such a file): export the weights as float32"
                    : $"{role} '{t.Name}'{At(node)} is {OnnxTensor.TypeName(t.DataType)}: ModelGen reads float32 weights");
            }
            long count = Count(t, node);
            if (t.RawData is not null)
            {
                if (t.RawData.Length != count * 4) throw new FileFormatException($"{role} '{t.Name}'{At(node)} has {t.RawData.Length} bytes of raw data for {count} float32 values");
                var values = new float[count];
                for (int i = 0; i < values.Length; i++) values[i] = Bits.SingleAt(t.RawData, i * 4);
                return values;
            }
            if (t.FloatData.Count != count) throw new FileFormatException($"{role} '{t.Name}'{At(node)} has {t.FloatData.Count} values for shape [{string.Join(", ", t.Dims)}]");
            return t.FloatData.ToArray();
        }

        /// <summary>The integer values of an int64 (or int32) tensor.</summary>
        private static long[] Int64s(OnnxTensor t, OnnxNode node, string role)
        {
            CheckStored(t, node, role);
            long count = Count(t, node);
            if (count > MaxWidth) throw new FileFormatException($"{role} '{t.Name}' of {node.Describe()} has {count} values");
            int size = t.DataType == OnnxTensor.Int64 ? 8 : t.DataType == OnnxTensor.Int32 ? 4 : 0;
            if (size == 0) throw new FileFormatException($"{role} '{t.Name}' of {node.Describe()} is {OnnxTensor.TypeName(t.DataType)}, not int64");
            var values = new long[count];
            if (t.RawData is not null)
            {
                if (t.RawData.Length != count * size) throw new FileFormatException($"{role} '{t.Name}' of {node.Describe()} has {t.RawData.Length} bytes of raw data for {count} values");
                byte[] raw = t.RawData;
                for (int i = 0; i < values.Length; i++)
                {
                    int o = i * size;
                    values[i] = size == 8 ? Bits.Int64At(raw, o) : raw[o] | raw[o + 1] << 8 | raw[o + 2] << 16 | raw[o + 3] << 24;
                }
                return values;
            }
            List<long> source = size == 8 ? t.Int64Data : t.Int32Data;
            if (source.Count != count) throw new FileFormatException($"{role} '{t.Name}' of {node.Describe()} has {source.Count} values for shape [{string.Join(", ", t.Dims)}]");
            for (int i = 0; i < values.Length; i++) values[i] = size == 8 ? source[i] : unchecked((int)source[i]);
            return values;
        }

        /// <summary>The single value of a one-element float, double, integer or bool tensor.</summary>
        private static double Scalar(OnnxTensor t, OnnxNode? node, string role)
        {
            CheckStored(t, node, role);
            if (Count(t, node) != 1) throw new FileFormatException($"{role} '{t.Name}'{At(node)} is not a single value");
            byte[]? raw = t.RawData;
            switch (t.DataType)
            {
                case OnnxTensor.Float:
                    if (raw is not null) return raw.Length == 4 ? Bits.SingleAt(raw, 0) : throw Bad();
                    return t.FloatData.Count == 1 ? t.FloatData[0] : throw Bad();
                case OnnxTensor.Double:
                    if (raw is not null) return raw.Length == 8 ? Bits.DoubleAt(raw, 0) : throw Bad();
                    return t.DoubleData.Count == 1 ? t.DoubleData[0] : throw Bad();
                case OnnxTensor.Int64:
                    if (raw is not null) return raw.Length == 8 ? Bits.Int64At(raw, 0) : throw Bad();
                    return t.Int64Data.Count == 1 ? t.Int64Data[0] : throw Bad();
                case 9: // bool
                case OnnxTensor.Int32:
                case OnnxTensor.Uint8:
                case OnnxTensor.Int8:
                    if (raw is not null) return raw.Length >= 1 && raw.Length <= 4 ? raw[0] : throw Bad();
                    return t.Int32Data.Count == 1 ? t.Int32Data[0] : throw Bad();
                default:
                    throw new FileFormatException($"{role} '{t.Name}'{At(node)} is {OnnxTensor.TypeName(t.DataType)}");
            }

            FileFormatException Bad() => new($"{role} '{t.Name}'{At(node)} holds no single value of its type");
        }

        private static float FloatAttribute(OnnxNode node, string name, float fallback)
        {
            OnnxAttribute? a = node.Attribute(name);
            if (a is null) return fallback;
            if (a.Type == OnnxAttribute.FloatType || (a.Type == 0 && a.HasF)) return a.F;
            throw new FileFormatException($"{node.Describe()}: attribute '{name}' is not a float");
        }

        private static long IntAttribute(OnnxNode node, string name, long fallback)
        {
            OnnxAttribute? a = node.Attribute(name);
            if (a is null) return fallback;
            if (a.Type == OnnxAttribute.IntType || (a.Type == 0 && a.HasI)) return a.I;
            throw new FileFormatException($"{node.Describe()}: attribute '{name}' is not an integer");
        }

        private static string StringAttribute(OnnxNode node, string name, string fallback)
        {
            OnnxAttribute? a = node.Attribute(name);
            if (a is null) return fallback;
            if (a.S is not null && (a.Type == OnnxAttribute.StringType || a.Type == 0)) return Encoding.UTF8.GetString(a.S);
            throw new FileFormatException($"{node.Describe()}: attribute '{name}' is not a string");
        }

        private static int Product(List<int> dims)
        {
            int p = 1;
            foreach (int d in dims) p *= d;
            return p;
        }

        private static string F(float v) => v.ToString("R", CultureInfo.InvariantCulture);

        private static string Dims(List<OnnxDim> dims) => string.Join(", ", dims);

        private static string Names(List<OnnxValueInfo> values)
        {
            var names = new List<string>();
            foreach (OnnxValueInfo v in values) names.Add("'" + v.Name + "'");
            return string.Join(", ", names);
        }

        private static string List(List<OnnxNode> nodes)
        {
            var parts = new List<string>();
            foreach (OnnxNode n in nodes) parts.Add(n.Describe());
            return string.Join(", ", parts);
        }
    }
}
