using System;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Maps Keras activations to <see cref="ActivationSpec"/>s: names (<c>"relu"</c>), serialized function objects, and the
    /// activation layers (ReLU, LeakyReLU, ELU, Softmax, ThresholdedReLU) with their parameters. ModelGen's own format uses
    /// the same names, with parameters given beside them.
    /// </summary>
    internal sealed class KerasActivationReader
    {
        /// <summary>Where problems go.</summary>
        private readonly JsonReport _report;
        /// <summary>The dialect, which decides what <c>hard_sigmoid</c> means.</summary>
        private readonly KerasDialect _dialect;

        /// <summary>Creates a reader for documents of <paramref name="dialect"/>, reporting to <paramref name="report"/>.</summary>
        public KerasActivationReader(JsonReport report, KerasDialect dialect)
        {
            _report = report;
            _dialect = dialect;
        }

        /// <summary>True for the Keras layer classes that are an activation (and map through <see cref="ReadActivationLayer"/>).</summary>
        public static bool IsActivationLayer(string? className) => className is "ReLU" or "LeakyReLU" or "ELU" or "Softmax" or "ThresholdedReLU";

        /// <summary>
        /// Reads an activation value: a Keras name (null is linear), or a serialized object (a Keras 3 function object with
        /// the name in <c>config</c>, or an activation layer such as LeakyReLU). <paramref name="given"/> holds parameters given
        /// beside the name (ModelGen's format; null for Keras formats) and <paramref name="givenNodes"/> their nodes.
        /// </summary>
        public ActivationSpec? ReadActivation(JsonNode node, float?[]? given, JsonNode?[]? givenNodes)
        {
            given ??= new float?[AttributeReader.ActivationParameterNames.Length];
            givenNodes ??= new JsonNode?[AttributeReader.ActivationParameterNames.Length];
            if (node.IsNull) return Resolve(Activation.Linear, given, givenNodes, node.Span);
            if (node.IsString)
            {
                if (!TryParseName(node.StringValue!, out Activation activation))
                {
                    _report.Report(DiagnosticDescriptors.JsonUnknownActivation, node.Span, node.Describe());
                    return null;
                }
                return Resolve(activation, given, givenNodes, node.Span);
            }
            if (node.IsObject)
            {
                JsonNode? classNode = node["class_name"];
                JsonNode? config = node["config"];
                string? className = classNode?.StringValue;
                if (IsActivationLayer(className) && (config is null || config.IsObject))
                {
                    return ReadActivationLayer(className!, config, classNode!, "activation " + className);
                }
                string? name = config?.StringValue ?? (config?.IsObject == true ? config["name"]?.StringValue : null);
                if (name is not null && TryParseName(name, out Activation fromConfig)) return Resolve(fromConfig, given, givenNodes, config!.Span);
                if (className is not null && TryParseName(className, out Activation fromClass)) return Resolve(fromClass, given, givenNodes, classNode!.Span);
                _report.Report(DiagnosticDescriptors.JsonUnknownActivation, JsonReport.Head(node), name is not null ? "\"" + name + "\"" : className is not null ? "\"" + className + "\"" : node.Describe());
                return null;
            }
            _report.Report(DiagnosticDescriptors.JsonUnknownActivation, JsonReport.Head(node), node.Describe());
            return null;
        }

        /// <summary>Fills defaults and validates parameters, reporting at the parameter's node when it was given.</summary>
        public ActivationSpec? Resolve(Activation activation, float?[] given, JsonNode?[] givenNodes, TextSpan fallback)
        {
            return AttributeReader.ResolveActivation(activation, given, (descriptor, arguments) =>
            {
                TextSpan span = fallback;
                foreach (object argument in arguments)
                {
                    int index = argument is string s ? Array.IndexOf(AttributeReader.ActivationParameterNames, s) : -1;
                    if (index >= 0 && givenNodes[index] is { } parameterNode)
                    {
                        span = parameterNode.Span;
                        break;
                    }
                }
                _report.Report(descriptor, span, arguments);
            });
        }

        /// <summary>Maps a Keras activation layer (ReLU, LeakyReLU, ELU, Softmax, ThresholdedReLU) to an activation.</summary>
        public ActivationSpec? ReadActivationLayer(string className, JsonNode? config, JsonNode anchor, string label)
        {
            var given = new float?[AttributeReader.ActivationParameterNames.Length];
            var nodes = new JsonNode?[given.Length];

            // A layer with one parameter: read it (or its default) into slot `index`, then resolve.
            ActivationSpec? OneParameter(Activation activation, int index, JsonNode? node, float fallback, string what)
            {
                if (!ReadFloat(node, fallback, what, out float value)) return null;
                given[index] = value;
                nodes[index] = node;
                return Resolve(activation, given, nodes, anchor.Span);
            }

            switch (className)
            {
                case "ReLU":
                    {
                        JsonNode? maxValue = config?["max_value"];
                        JsonNode? slopeNode = config?["negative_slope"];
                        JsonNode? thresholdNode = config?["threshold"];
                        if (!ReadFloat(slopeNode, 0f, "'negative_slope' of " + label, out float slope)) return null;
                        if (!ReadFloat(thresholdNode, 0f, "'threshold' of " + label, out float threshold)) return null;
                        if (threshold != 0f)
                        {
                            _report.Report(DiagnosticDescriptors.JsonInvalidValue, thresholdNode!.Span, "'threshold' of " + label, "0 (ModelGen's relu has no threshold)", thresholdNode.Describe());
                            return null;
                        }
                        if (maxValue is not null && !maxValue.IsNull)
                        {
                            if (!(maxValue.IsNumber && maxValue.Number == 6 && slope == 0f))
                            {
                                _report.Report(DiagnosticDescriptors.JsonInvalidValue, maxValue.Span, "'max_value' of " + label,
                                    slope == 0f ? "null or 6 (ModelGen has relu and relu6)" : "null when negative_slope is set (ModelGen has no clipped leaky relu)", maxValue.Describe());
                                return null;
                            }
                            return Resolve(Activation.Relu6, given, nodes, anchor.Span);
                        }
                        if (slope == 0f) return Resolve(Activation.Relu, given, nodes, anchor.Span);
                        given[1] = slope;
                        nodes[1] = slopeNode;
                        return Resolve(Activation.LeakyRelu, given, nodes, anchor.Span);
                    }
                // Keras 3 writes negative_slope; Keras 1, Keras 2 and TF.js write alpha. The layer's default is 0.3.
                case "LeakyReLU":
                    return OneParameter(Activation.LeakyRelu, 1, config?["negative_slope"] ?? config?["alpha"], 0.3f, "'negative_slope' of " + label);
                case "ELU":
                    return OneParameter(Activation.Elu, 0, config?["alpha"], 1f, "'alpha' of " + label);
                case "ThresholdedReLU":
                    given[3] = 0f; // default_value
                    return OneParameter(Activation.Threshold, 2, config?["theta"], 1f, "'theta' of " + label);
                default: // Softmax
                    {
                        JsonNode? axis = config?["axis"];
                        JsonNode? single = axis is { IsArray: true } && axis.Items.Length == 1 ? axis.Items[0] : axis;
                        if (single is not null && !single.IsNull && !(single.TryGetInteger(out long a) && (a == -1 || a == 1)))
                        {
                            _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(axis!), "'axis' of " + label, "-1 (the last axis)", axis!.Describe());
                            return null;
                        }
                        return Resolve(Activation.Softmax, given, nodes, anchor.Span);
                    }
            }
        }

        /// <summary>Parses a Keras activation name in this reader's dialect (plus TF.js aliases).</summary>
        private bool TryParseName(string name, out Activation activation)
        {
            if (ActivationCatalog.TryParseKerasName(name, _dialect.HasKeras2HardSigmoid(), out activation)) return true;
            // TensorFlow.js names the tanh approximation of gelu "gelu_new".
            if (name == "gelu_new")
            {
                activation = Activation.GeluTanh;
                return true;
            }
            return false;
        }

        /// <summary>Reads an optional number; false after reporting a non-number.</summary>
        private bool ReadFloat(JsonNode? node, float fallback, string what, out float value)
        {
            value = fallback;
            if (node is null || node.IsNull) return true;
            if (!node.IsNumber)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(node), what, "a number", node.Describe());
                return false;
            }
            value = (float)node.Number;
            return true;
        }
    }
}
