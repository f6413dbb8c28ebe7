using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Reads ModelGen's own compact format (<c>{"format": "modelgen", "inputs": 4, "layers": [{"dense": 16, "activation":
    /// "relu"}, ...]}</c>). Activation and initializer names are Keras 3's, read by the Keras mapping.
    /// </summary>
    internal sealed class ModelGenFormatReader
    {
        /// <summary>ModelGen-format keys of the activation parameters, indexed like <see cref="AttributeReader.ActivationParameterNames"/>.</summary>
        private static readonly string[] s_parameterKeys = { "alpha", "negative_slope", "threshold", "default_value", "b" };

        /// <summary>Where problems go.</summary>
        private readonly JsonReport _report;
        /// <summary>The stack the layers go onto.</summary>
        private readonly LayerStackBuilder _stack;
        /// <summary>Maps activation names (Keras 3's).</summary>
        private readonly KerasActivationReader _activations;
        /// <summary>Maps initializer names.</summary>
        private readonly KerasInitializerReader _initializers;

        /// <summary>Creates a reader reporting to <paramref name="report"/>.</summary>
        public ModelGenFormatReader(JsonReport report)
        {
            _report = report;
            _stack = new LayerStackBuilder(report);
            _activations = new KerasActivationReader(report, KerasDialect.Keras3);
            _initializers = new KerasInitializerReader(report);
        }

        /// <summary>Reads the ModelGen document <paramref name="root"/>.</summary>
        public JsonModelFile Read(JsonNode root)
        {
            JsonNode? inputs = root["inputs"];
            if (inputs is null)
            {
                _stack.ReportShapeProblem(DiagnosticDescriptors.JsonMissingInputShape, JsonReport.Head(root), _report.FileName, "set \"inputs\" to the number of inputs (or to a shape such as [28, 28] followed by a flatten layer)");
            }
            else if (inputs.IsArray && inputs.Items.Length > 0)
            {
                _stack.SetDims(inputs, 0, "'inputs'");
            }
            else if (inputs.TryGetInteger(out long n) && n > 0)
            {
                _stack.SetInputCount(n, inputs);
            }
            else
            {
                _stack.ReportShapeProblem(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(inputs), "'inputs'", "a positive integer or a shape such as [28, 28]", inputs.Describe());
            }

            if (!root.TryGetProperty("layers", out JsonProperty layersProperty))
            {
                _report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(root), "A ModelGen model", "'layers'");
                return Result();
            }
            JsonNode layers = layersProperty.Value;
            if (!layers.IsArray)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(layers), "'layers'", "an array of layers", layers.Describe());
                return Result();
            }
            if (layers.Items.Length == 0)
            {
                _report.Report(DiagnosticDescriptors.JsonNoLayers, JsonReport.Head(layers), _report.FileName);
                return Result();
            }
            if (layers.Items.Length > NetworkBuilder.MaxLayers)
            {
                _report.ReportTooLarge(JsonReport.Head(layers), layers.Items.Length + " layers (the limit is " + NetworkBuilder.MaxLayers + ")");
                return Result();
            }
            for (int i = 0; i < layers.Items.Length; i++)
            {
                _report.CancellationToken.ThrowIfCancellationRequested();
                ReadLayer(layers.Items[i], "Layer #" + (i + 1));
            }
            _stack.FinishLayers(layers, layers);
            return Result();
        }

        /// <summary>Reads one layer of the ModelGen format.</summary>
        private void ReadLayer(JsonNode layer, string label)
        {
            if (!layer.IsObject)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(layer), label, "an object such as {\"dense\": 16, \"activation\": \"relu\"}", layer.Describe());
                return;
            }
            var given = new float?[s_parameterKeys.Length];
            var givenNodes = new JsonNode?[s_parameterKeys.Length];
            bool ok = true;
            for (int p = 0; p < s_parameterKeys.Length; p++)
            {
                JsonNode? node = layer[s_parameterKeys[p]];
                if (node is null) continue;
                if (!node.IsNumber)
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(node), "'" + s_parameterKeys[p] + "' of " + label, "a number", node.Describe());
                    ok = false;
                    continue;
                }
                given[p] = (float)node.Number;
                givenNodes[p] = node;
            }

            if (layer.TryGetProperty("dense", out JsonProperty dense))
            {
                label = "Dense " + label.ToLowerInvariant();
                bool flat = _stack.CheckFlat(dense.Value, label);
                int units = _stack.CheckUnits(dense.Value, "'units' of " + label);
                ok &= units > 0;
                ActivationSpec? activation = ActivationSpec.Linear;
                TextSpan activationSpan = dense.NameSpan;
                if (layer.TryGetProperty("activation", out JsonProperty activationProperty))
                {
                    activationSpan = activationProperty.Value.Span;
                    if (activationProperty.Value.IsString || activationProperty.Value.IsNull) activation = _activations.ReadActivation(activationProperty.Value, given, givenNodes);
                    else
                    {
                        _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(activationProperty.Value), "'activation' of " + label, "a Keras activation name such as \"relu\"", activationProperty.Value.Describe());
                        activation = null;
                    }
                }
                else
                {
                    activation = _activations.Resolve(Activation.Linear, given, givenNodes, dense.NameSpan);
                }
                ok &= activation is not null;
                bool useBias = _report.ReadBool(layer, "use_bias", true, label, ref ok);
                Initializer kernel = ReadInitializer(layer, "kernel_initializer", Initializer.GlorotUniform, label, ref ok);
                Initializer bias = ReadInitializer(layer, "bias_initializer", Initializer.Zeros, label, ref ok);
                if (ok && activation is not null) _stack.AddDense(units, activation.Value, activationSpan, useBias, kernel, bias, dense.Value, flat);
            }
            else if (layer.TryGetProperty("activation", out JsonProperty activationProperty))
            {
                label = "Activation " + label.ToLowerInvariant();
                JsonNode value = activationProperty.Value;
                if (!value.IsString)
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(value), "'activation' of " + label, "a Keras activation name such as \"relu\"", value.Describe());
                    return;
                }
                ActivationSpec? activation = _activations.ReadActivation(value, given, givenNodes);
                if (ok && activation is not null) _stack.AddActivation(activation.Value, value.Span, value, label);
            }
            else if (layer.TryGetProperty("dropout", out JsonProperty dropout))
            {
                _stack.AddDropout(dropout.Value, "'dropout' of " + label);
            }
            else if (layer.TryGetProperty("flatten", out JsonProperty flatten))
            {
                if (flatten.Value.Kind != JsonKind.True)
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(flatten.Value), "'flatten' of " + label, "true", flatten.Value.Describe());
                    return;
                }
                _stack.Flatten(null, flatten.Value);
            }
            else
            {
                _report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(layer), label, "one of 'dense', 'activation', 'dropout' or 'flatten'");
            }
        }

        /// <summary>Reads an initializer name of the ModelGen format.</summary>
        private Initializer ReadInitializer(JsonNode layer, string key, Initializer fallback, string label, ref bool ok)
        {
            JsonNode? node = layer[key];
            if (node is null || node.IsNull) return fallback;
            if (!node.IsString)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(node), "'" + key + "' of " + label, "an initializer name such as \"he_normal\"", node.Describe());
                ok = false;
                return fallback;
            }
            return _initializers.ReadInitializer(node, fallback);
        }

        /// <summary>The result so far.</summary>
        private JsonModelFile Result() => JsonModelReader.Result(_report, JsonModelReader.ModelGenFormat, _stack);
    }
}
