using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Reads a JSON model file (Keras 3, tf.keras 2 / Keras 2.2-2.3 and Keras 2.0-2.1 <c>model.to_json()</c>, TensorFlow.js
    /// layers-model <c>model.json</c>, or ModelGen's compact format) into a <see cref="JsonModelFile"/>: the input size
    /// and the declared layers of a sequential stack, with every diagnostic located at the offending JSON text.
    /// </summary>
    /// <remarks>Pure parsing: no file IO, no compilation. Throws only <see cref="OperationCanceledException"/>.</remarks>
    internal static class JsonModelReader
    {
        /// <summary>Format name of Keras 3 <c>to_json()</c> and <c>.keras</c> <c>config.json</c>.</summary>
        public const string Keras3Format = "Keras 3";
        /// <summary>Format name of tf.keras 2 and Keras 2.2-2.3 <c>to_json()</c>.</summary>
        public const string Keras2Format = "tf.keras 2";
        /// <summary>Format name of Keras 2.0-2.1 <c>to_json()</c> (Sequential config is the layer list).</summary>
        public const string Keras20Format = "Keras 2.0";
        /// <summary>Format name of a TensorFlow.js layers-model <c>model.json</c>.</summary>
        public const string TfjsFormat = "TensorFlow.js";
        /// <summary>Format name of ModelGen's own compact format.</summary>
        public const string ModelGenFormat = "ModelGen";

        /// <summary>Reads the model in <paramref name="text"/>; <paramref name="path"/> goes into locations and messages.</summary>
        public static JsonModelFile Read(string path, SourceText text, CancellationToken cancellationToken)
        {
            var session = new Session(path, text, cancellationToken);
            return session.Run();
        }

        /// <summary>The state of one read: the text, the diagnostics so far, and the running shape of the layer stack.</summary>
        private sealed class Session
        {
            /// <summary>Dense options that only affect training (MGEN031 when set).</summary>
            private static readonly string[] s_trainingOnly =
            {
                "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
            };

            /// <summary>ModelGen-format keys of the activation parameters, indexed like <see cref="AttributeReader.ActivationParameterNames"/>.</summary>
            private static readonly string[] s_parameterKeys = { "alpha", "negative_slope", "threshold", "default_value", "b" };

            /// <summary>The file path, for locations.</summary>
            private readonly string _path;
            /// <summary>The file text, for line and column of locations.</summary>
            private readonly SourceText _text;
            /// <summary>Checked once per layer and inside the parser.</summary>
            private readonly CancellationToken _cancellationToken;
            /// <summary>The file name without directories, for messages.</summary>
            private readonly string _fileName;
            /// <summary>Everything reported so far, in order.</summary>
            private readonly List<DiagnosticInfo> _diagnostics = new();
            /// <summary>The layers read so far.</summary>
            private readonly List<DeclaredLayer> _layers = new();
            /// <summary>The TF.js weights manifest, when there is one.</summary>
            private EquatableArray<JsonWeightGroup> _manifest;
            /// <summary>The detected format name.</summary>
            private string _format = "unknown";
            /// <summary>True when <c>hard_sigmoid</c> has Keras 2's meaning (tf.keras 2, Keras 2.0, TF.js).</summary>
            private bool _keras2;
            /// <summary>True once an error is reported.</summary>
            private bool _failed;

            // The running shape: the dimensions after the batch one, until a Flatten makes them one.
            /// <summary>The input dimensions after the batch one; null until known.</summary>
            private long[]? _dims;
            /// <summary>True once a problem with the input shape is reported (no cascade of further ones).</summary>
            private bool _shapeReported;
            /// <summary>True once a flattening problem is reported.</summary>
            private bool _flatReported;
            /// <summary>The width of the running vector; -1 while unknown or not flat.</summary>
            private int _width = -1;
            /// <summary>Floats per sample in; 0 until known.</summary>
            private int _inputSize;
            /// <summary>Parameters counted so far (checked against the limit).</summary>
            private long _parameters;
            /// <summary>True once MGEN006 is reported.</summary>
            private bool _tooLargeReported;

            /// <summary>Creates a session over <paramref name="text"/>.</summary>
            public Session(string path, SourceText text, CancellationToken cancellationToken)
            {
                _path = path;
                _text = text;
                _cancellationToken = cancellationToken;
                int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
                _fileName = slash >= 0 ? path.Substring(slash + 1) : path;
            }

            /// <summary>Parses, detects the format, reads the layers and packs the result.</summary>
            public JsonModelFile Run()
            {
                string content = _text.ToString();
                JsonNode? root = JsonReader.Parse(content, _cancellationToken, out JsonParseError error);
                if (root is null)
                {
                    int length = error.Position < content.Length ? 1 : 0;
                    Report(DiagnosticDescriptors.InvalidJson, new TextSpan(error.Position, length), _fileName, error.Message);
                    return Finish();
                }
                _cancellationToken.ThrowIfCancellationRequested();
                if (!root.IsObject)
                {
                    Report(DiagnosticDescriptors.JsonNotAModel, Head(root), _fileName, "the top level is " + root.Describe() + ", not an object");
                    return Finish();
                }

                JsonNode? format = root["format"];
                if (root["modelTopology"] is not null || format?.StringValue == "layers-model")
                {
                    ReadTfjs(root);
                }
                else if (format?.StringValue == "graph-model")
                {
                    Report(DiagnosticDescriptors.JsonNotAModel, format.Span, _fileName,
                        "it is a TensorFlow.js graph model, which has no layers; convert the Keras model as a layers model (tfjs.converters.save_keras_model)");
                }
                else if (format is not null && format.StringValue?.ToLowerInvariant() == "modelgen")
                {
                    ReadModelGen(root);
                }
                else if (format is not null)
                {
                    Report(DiagnosticDescriptors.JsonNotAModel, format.Span, _fileName,
                        "\"format\" is " + format.Describe() + "; ModelGen's own format has \"format\": \"modelgen\" and TensorFlow.js models have \"format\": \"layers-model\"");
                }
                else if (root["class_name"] is not null)
                {
                    ReadKerasTop(root);
                }
                else if (root["model_config"] is { IsObject: true } modelConfig)
                {
                    // The topology of a TensorFlow.js model or the model_config attribute of a Keras HDF5 file, on its own.
                    string? version = root["keras_version"]?.StringValue;
                    _keras2 = !IsKeras3Version(version);
                    _format = _keras2 ? Keras2Format : Keras3Format;
                    ReadKerasModel(modelConfig);
                }
                else
                {
                    Report(DiagnosticDescriptors.JsonNotAModel, Head(root), _fileName,
                        "expected the output of Keras model.to_json() (with \"class_name\"), a TensorFlow.js model.json (with \"modelTopology\"), or a ModelGen model (with \"format\": \"modelgen\")");
                }
                return Finish();
            }

            /// <summary>Packs the result; layers only when usable.</summary>
            private JsonModelFile Finish()
            {
                // Without a computing layer an error was reported (JsonNoLayers or an earlier one).
                bool usable = !_failed && _inputSize > 0 && HasComputingLayer();
                var layers = usable ? new EquatableArray<DeclaredLayer>(_layers.ToArray()) : new EquatableArray<DeclaredLayer>(new DeclaredLayer[0]);
                return new JsonModelFile(_path, _format, _inputSize, layers, usable, new EquatableArray<DiagnosticInfo>(_diagnostics.ToArray()))
                {
                    WeightsManifest = _manifest,
                };
            }

            /// <summary>True when some layer is a Dense or a non-linear activation.</summary>
            private bool HasComputingLayer()
            {
                foreach (DeclaredLayer layer in _layers)
                {
                    if (layer.Kind == LayerKind.Dense || !layer.Activation.IsLinear) return true;
                }
                return false;
            }

            // ---------------------------------------------------------------- reporting

            /// <summary>Adds a diagnostic at <paramref name="span"/>; errors make the file unusable.</summary>
            private void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments)
            {
                _diagnostics.Add(DiagnosticInfo.Create(descriptor, LocationInfo.From(_path, _text, span), arguments));
                if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) _failed = true;
            }

            /// <summary>The span to report on for a node: the opening bracket of a container, the whole value otherwise.</summary>
            private static TextSpan Head(JsonNode node) => node.IsObject || node.IsArray ? new TextSpan(node.Span.Start, 1) : node.Span;

            /// <summary>Reports MGEN006 once.</summary>
            private void ReportTooLarge(TextSpan span, string reason)
            {
                if (_tooLargeReported) return;
                _tooLargeReported = true;
                Report(DiagnosticDescriptors.ModelTooLarge, span, _fileName, reason);
            }

            // ---------------------------------------------------------------- formats

            /// <summary>True for a <c>keras_version</c> of 3.x.</summary>
            private static bool IsKeras3Version(string? version) => version is not null && version.StartsWith("3", StringComparison.Ordinal);

            /// <summary>Reads a TensorFlow.js layers-model <c>model.json</c>: the topology, then the weights manifest.</summary>
            private void ReadTfjs(JsonNode root)
            {
                _format = TfjsFormat;
                _keras2 = true;
                if (!root.TryGetProperty("modelTopology", out JsonProperty topologyProperty))
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, Head(root), "A TensorFlow.js layers model", "'modelTopology'");
                    return;
                }
                JsonNode topology = topologyProperty.Value;
                if (!topology.IsObject)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(topology), "'modelTopology'", "an object (the Keras model JSON)", topology.Describe());
                    return;
                }
                // Models converted from Keras 3 by tensorflowjs carry Keras 3 semantics (hard_sigmoid among them).
                _keras2 = !IsKeras3Version(topology["keras_version"]?.StringValue);
                JsonNode model = topology;
                if (topology.TryGetProperty("model_config", out JsonProperty modelConfig))
                {
                    model = modelConfig.Value;
                    if (!model.IsObject)
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(model), "'model_config'", "an object (the Keras model JSON)", model.Describe());
                        return;
                    }
                }
                ReadKerasModel(model);
                if (root.TryGetProperty("weightsManifest", out JsonProperty manifest)) ReadManifest(manifest.Value);
            }

            /// <summary>Reads a Keras <c>to_json()</c> document, telling Keras 3, tf.keras 2 and Keras 2.0 apart.</summary>
            private void ReadKerasTop(JsonNode root)
            {
                string? version = root["keras_version"]?.StringValue;
                if (root["module"] is not null || IsKeras3Version(version))
                {
                    _format = Keras3Format;
                    _keras2 = false;
                }
                else
                {
                    _format = root["config"] is { IsArray: true } ? Keras20Format : Keras2Format;
                    _keras2 = true;
                }
                ReadKerasModel(root);
            }

            /// <summary>Reads a serialized Keras model object (<c>{"class_name": "Sequential", "config": ...}</c>).</summary>
            private void ReadKerasModel(JsonNode model)
            {
                JsonNode? classNode = model["class_name"];
                if (classNode is null)
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, Head(model), "The Keras model", "'class_name'");
                    return;
                }
                string? className = classNode.StringValue;
                if (className is null)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(classNode), "The model's 'class_name'", "a string", classNode.Describe());
                    return;
                }
                JsonNode? config = model["config"];
                if (className == "Sequential")
                {
                    if (config is null)
                    {
                        Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, "The Sequential model", "'config'");
                        return;
                    }
                    JsonNode? layers = config.IsArray ? config : config["layers"];
                    if (layers is null)
                    {
                        Report(DiagnosticDescriptors.JsonMissingProperty, Head(config), "The Sequential model's config", "'layers'");
                        return;
                    }
                    if (!layers.IsArray)
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(layers), "'layers'", "an array of layers", layers.Describe());
                        return;
                    }
                    if (config.IsObject) CheckDType(config["dtype"]);
                    ReadLayers(layers, layers.Items, config.IsObject ? config : null);
                }
                else if (className is "Functional" or "Model")
                {
                    ReadFunctional(classNode, config);
                }
                else
                {
                    Report(DiagnosticDescriptors.JsonUnsupportedModel, classNode.Span, className,
                        "ModelGen reads Sequential models, and Functional models whose layers form a single chain");
                }
            }

            /// <summary>Reads a Functional model whose layers form one chain from its single input to its single output.</summary>
            private void ReadFunctional(JsonNode classNode, JsonNode? config)
            {
                string className = classNode.StringValue!;
                if (config is null || !config.IsObject)
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, "The " + className + " model", "a 'config' object");
                    return;
                }
                JsonNode? layers = config["layers"];
                if (layers is null || !layers.IsArray)
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, Head(config), "The " + className + " model's config", "a 'layers' array");
                    return;
                }
                var byName = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
                foreach (JsonNode layer in layers.Items)
                {
                    string? name = layer["name"]?.StringValue ?? layer["config"]?["name"]?.StringValue;
                    if (name is null)
                    {
                        Report(DiagnosticDescriptors.JsonMissingProperty, Head(layer), "A layer of the " + className + " model", "a 'name'");
                        return;
                    }
                    if (byName.ContainsKey(name))
                    {
                        Report(DiagnosticDescriptors.JsonUnsupportedModel, Head(layer), className, "two layers are named '" + name + "'");
                        return;
                    }
                    byName[name] = layer;
                }
                string? output = SingleEndpoint(config, "output_layers", className);
                if (output is null) return;
                if (SingleEndpoint(config, "input_layers", className) is null) return;

                // Walk back from the output through single-input edges.
                var chain = new List<JsonNode>();
                var visited = new HashSet<string>(StringComparer.Ordinal);
                string current = output;
                while (true)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    if (!byName.TryGetValue(current, out JsonNode? layer))
                    {
                        Report(DiagnosticDescriptors.JsonUnsupportedModel, classNode.Span, className, "it refers to a layer '" + current + "' that it does not define");
                        return;
                    }
                    if (!visited.Add(current))
                    {
                        Report(DiagnosticDescriptors.JsonUnsupportedModel, Head(layer), className, "its layers form a cycle through '" + current + "'");
                        return;
                    }
                    chain.Add(layer);
                    JsonNode? inbound = layer["inbound_nodes"];
                    if (inbound is null || !inbound.IsArray || inbound.Items.Length == 0) break;
                    if (inbound.Items.Length != 1)
                    {
                        Report(DiagnosticDescriptors.JsonUnsupportedModel, Head(inbound), className,
                            "layer '" + current + "' is called " + inbound.Items.Length + " times (shared layers are not a sequential stack)");
                        return;
                    }
                    var sources = new List<string>();
                    CollectInboundLayers(inbound.Items[0], sources);
                    if (sources.Count != 1)
                    {
                        Report(DiagnosticDescriptors.JsonUnsupportedModel, Head(inbound), className,
                            "layer '" + current + "' takes " + sources.Count + " inputs; ModelGen supports a single chain of layers");
                        return;
                    }
                    current = sources[0];
                }
                chain.Reverse();
                ReadLayers(layers, chain, config);
            }

            /// <summary>The single layer name in <c>input_layers</c> / <c>output_layers</c> (<c>[["name", 0, 0]]</c> or <c>["name", 0, 0]</c>).</summary>
            private string? SingleEndpoint(JsonNode config, string key, string className)
            {
                JsonNode? node = config[key];
                if (node is null || !node.IsArray || node.Items.Length == 0)
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, Head(config), "The " + className + " model's config", "'" + key + "'");
                    return null;
                }
                if (node.Items[0].StringValue is { } flat) return flat;
                if (node.Items.Length != 1)
                {
                    Report(DiagnosticDescriptors.JsonUnsupportedModel, Head(node), className,
                        "it has " + node.Items.Length + " " + (key == "input_layers" ? "inputs" : "outputs") + "; ModelGen supports one input and one output");
                    return null;
                }
                if (node.Items[0].IsArray && node.Items[0].Items.Length > 0 && node.Items[0].Items[0].StringValue is { } name) return name;
                Report(DiagnosticDescriptors.JsonInvalidValue, Head(node.Items[0]), "'" + key + "'", "a list of [layer name, node index, tensor index]", node.Items[0].Describe());
                return null;
            }

            /// <summary>
            /// Adds the names of the layers one inbound node reads: Keras 2 writes <c>[["name", 0, 0, {}], ...]</c>, Keras 3
            /// <c>{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["name", 0, 0]}}], "kwargs": {}}</c>.
            /// </summary>
            private static void CollectInboundLayers(JsonNode node, List<string> sources)
            {
                if (node.IsArray)
                {
                    if (node.Items.Length >= 1 && node.Items[0].StringValue is { } name && (node.Items.Length == 1 || node.Items[1].IsNumber))
                    {
                        sources.Add(name);
                        return;
                    }
                    foreach (JsonNode item in node.Items) CollectInboundLayers(item, sources);
                }
                else if (node.IsObject)
                {
                    if (node["class_name"]?.StringValue == "__keras_tensor__")
                    {
                        JsonNode? history = node["config"]?["keras_history"];
                        if (history is { IsArray: true } && history.Items.Length > 0 && history.Items[0].StringValue is { } name) sources.Add(name);
                        else sources.Add("?");
                        return;
                    }
                    foreach (JsonProperty property in node.Properties) CollectInboundLayers(property.Value, sources);
                }
            }

            // ---------------------------------------------------------------- Keras layers

            /// <summary>Reads the layers of a sequential stack, in order.</summary>
            private void ReadLayers(JsonNode layersNode, IReadOnlyList<JsonNode> layers, JsonNode? modelConfig)
            {
                if (layers.Count == 0)
                {
                    Report(DiagnosticDescriptors.JsonNoLayers, Head(layersNode), _fileName);
                    return;
                }
                if (layers.Count > NetworkBuilder.MaxLayers)
                {
                    ReportTooLarge(Head(layersNode), layers.Count + " layers (the limit is " + NetworkBuilder.MaxLayers + ")");
                    return;
                }
                JsonNode? firstAnchor = null;
                for (int i = 0; i < layers.Count; i++)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    JsonNode layer = layers[i];
                    if (!layer.IsObject)
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(layer), "Layer #" + (i + 1), "an object", layer.Describe());
                        continue;
                    }
                    JsonNode? classNode = layer["class_name"];
                    if (classNode is null || classNode.StringValue is null)
                    {
                        if (classNode is null) Report(DiagnosticDescriptors.JsonMissingProperty, Head(layer), "Layer #" + (i + 1), "'class_name'");
                        else Report(DiagnosticDescriptors.JsonInvalidValue, Head(classNode), "'class_name' of layer #" + (i + 1), "a string", classNode.Describe());
                        continue;
                    }
                    string className = classNode.StringValue;
                    JsonNode? config = layer["config"];
                    if (config is not null && !config.IsObject)
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(config), "'config' of layer #" + (i + 1), "an object", config.Describe());
                        continue;
                    }
                    string? name = config?["name"]?.StringValue ?? layer["name"]?.StringValue;
                    string label = name is null ? className + " layer #" + (i + 1) : className + " layer '" + name + "'";
                    firstAnchor ??= classNode;
                    if (config is not null) CheckDType(config["dtype"]);

                    // Keras 2 and TF.js put the input shape on the first layer; an InputLayer carries it in Keras 3 too.
                    if (_dims is null && !_shapeReported && config is not null)
                    {
                        JsonNode? shape = config["batch_input_shape"] ?? config["batch_shape"];
                        if (shape is not null && !shape.IsNull) SetBatchShape(shape, "'batch_input_shape' of " + label);
                    }

                    switch (className)
                    {
                        case "InputLayer":
                            if (_dims is null && !_shapeReported)
                            {
                                Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'batch_shape' (or 'batch_input_shape')");
                                _shapeReported = true;
                            }
                            break;
                        case "Dense":
                            EnsureShape(classNode, layer, modelConfig);
                            ReadDense(classNode, config, label);
                            break;
                        case "Activation":
                            {
                                EnsureShape(classNode, layer, modelConfig);
                                if (config is null || !config.TryGetProperty("activation", out JsonProperty activation))
                                {
                                    Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'activation'");
                                    break;
                                }
                                ActivationSpec? spec = ReadActivation(activation.Value, null, null);
                                if (spec is not null) AddActivation(spec.Value, activation.Value.Span, classNode, label);
                                break;
                            }
                        case "ReLU":
                        case "LeakyReLU":
                        case "ELU":
                        case "Softmax":
                        case "ThresholdedReLU":
                            {
                                EnsureShape(classNode, layer, modelConfig);
                                ActivationSpec? spec = ReadActivationLayer(className, config, classNode, label);
                                if (spec is not null) AddActivation(spec.Value, classNode.Span, classNode, label);
                                break;
                            }
                        case "Dropout":
                            {
                                // Identity at inference; inverted dropout in training (the generated ForwardTrace).
                                JsonNode? rate = config?["rate"];
                                if (rate is null || rate.IsNull)
                                {
                                    Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'rate'");
                                }
                                else
                                {
                                    AddDropout(rate, "'rate' of " + label);
                                }
                                break;
                            }
                        case "AlphaDropout":
                        case "GaussianDropout":
                        case "GaussianNoise":
                        case "SpatialDropout1D":
                        case "SpatialDropout2D":
                        case "SpatialDropout3D":
                            // Identities at inference.
                            break;
                        case "Flatten":
                            EnsureShape(classNode, layer, modelConfig);
                            Flatten(config?["data_format"], classNode);
                            break;
                        case "Sequential":
                        case "Functional":
                        case "Model":
                            Report(DiagnosticDescriptors.JsonUnsupportedModel, classNode.Span, className,
                                "nested models are not supported: " + label + " is a model inside the model; put its layers in the outer model");
                            break;
                        default:
                            Report(DiagnosticDescriptors.JsonUnsupportedLayer, classNode.Span, label);
                            break;
                    }
                }
                if (_dims is null && !_shapeReported && firstAnchor is not null)
                {
                    EnsureShape(firstAnchor, null, modelConfig);
                }
                FinishLayers(layersNode, firstAnchor ?? layersNode);
            }

            /// <summary>After the last layer: the output must be flat and something must be computed.</summary>
            private void FinishLayers(JsonNode layersNode, JsonNode anchor)
            {
                if (_failed) return;
                if (_dims is not null && _width < 0) CheckFlat(anchor, "The model's output");
                else if (!HasComputingLayer()) Report(DiagnosticDescriptors.JsonNoLayers, Head(layersNode), _fileName);
            }

            /// <summary>Before the first computing layer: finds the input shape in the fallbacks, or reports that there is none.</summary>
            private void EnsureShape(JsonNode anchor, JsonNode? layer, JsonNode? modelConfig)
            {
                if (_dims is not null || _shapeReported) return;
                JsonNode? shape = modelConfig?["build_input_shape"];
                if (shape is null || shape.IsNull) shape = layer?["build_config"]?["input_shape"];
                if (shape is not null && !shape.IsNull)
                {
                    SetBatchShape(shape, "'build_input_shape'");
                    return;
                }
                _shapeReported = true;
                Report(DiagnosticDescriptors.JsonMissingInputShape, anchor.Span, _fileName,
                    "add an InputLayer (keras.Input(shape=...)) or give the first layer an input_shape");
            }

            /// <summary>Takes the input shape from a batch shape (<c>[null, 28, 28]</c>, or a <c>TensorShape</c> object with <c>items</c>).</summary>
            private void SetBatchShape(JsonNode shape, string what)
            {
                JsonNode list = shape.IsObject && shape["items"] is { IsArray: true } items ? items : shape;
                if (!list.IsArray || list.Items.Length < 2)
                {
                    _shapeReported = true;
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(shape), what, "a batch shape such as [null, 4]", shape.Describe());
                    return;
                }
                SetDims(list, 1, what);
            }

            /// <summary>Takes the input shape from <paramref name="list"/>'s items from <paramref name="first"/> on.</summary>
            private void SetDims(JsonNode list, int first, string what)
            {
                var dims = new long[list.Items.Length - first];
                for (int d = 0; d < dims.Length; d++)
                {
                    JsonNode item = list.Items[first + d];
                    if (!item.TryGetInteger(out long value) || value <= 0)
                    {
                        _shapeReported = true;
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(item), "Dimension " + (d + 1) + " of " + what,
                            "a known positive size (only the batch dimension may be null)", item.Describe());
                        return;
                    }
                    if (value > NetworkBuilder.MaxWidth)
                    {
                        _shapeReported = true;
                        ReportTooLarge(item.Span, "an input dimension of " + value + " (the limit is " + NetworkBuilder.MaxWidth + ")");
                        return;
                    }
                    dims[d] = value;
                }
                _dims = dims;
                if (dims.Length == 1)
                {
                    _width = (int)dims[0];
                    _inputSize = _width;
                }
            }

            /// <summary>A shape for messages, such as <c>(28, 28)</c>.</summary>
            private static string ShapeText(long[] dims)
            {
                var builder = new StringBuilder("(");
                for (int i = 0; i < dims.Length; i++)
                {
                    if (i > 0) builder.Append(", ");
                    builder.Append(dims[i].ToString(CultureInfo.InvariantCulture));
                }
                return builder.Append(')').ToString();
            }

            /// <summary>True when the running shape is multi-dimensional (and reports it once, at <paramref name="anchor"/>).</summary>
            private bool CheckFlat(JsonNode anchor, string label)
            {
                if (_dims is null || _dims.Length == 1 || _width >= 0) return true;
                if (!_flatReported)
                {
                    _flatReported = true;
                    Report(DiagnosticDescriptors.JsonInputNotFlat, anchor.Span, label, ShapeText(_dims));
                }
                return false;
            }

            /// <summary>Applies a Flatten: the running shape becomes the product of its dimensions.</summary>
            private void Flatten(JsonNode? dataFormat, JsonNode anchor)
            {
                if (_dims is null || _width >= 0) return;
                if (_dims.Length > 2 && dataFormat?.StringValue == "channels_first")
                {
                    // Keras moves the channels last before flattening: a permutation ModelGen does not apply.
                    Report(DiagnosticDescriptors.JsonInvalidValue, dataFormat.Span, "'data_format' of a Flatten layer on a " + _dims.Length + "-dimensional input",
                        "\"channels_last\"", dataFormat.Describe());
                    _flatReported = true;
                    return;
                }
                long product = 1;
                foreach (long d in _dims)
                {
                    product *= d;
                    if (product > NetworkBuilder.MaxWidth)
                    {
                        ReportTooLarge(anchor.Span, "a flattened input of more than " + NetworkBuilder.MaxWidth + " values");
                        _flatReported = true;
                        return;
                    }
                }
                if (_inputSize == 0) _inputSize = (int)product;
                _width = (int)product;
            }

            /// <summary>Reads a Keras Dense layer.</summary>
            private void ReadDense(JsonNode classNode, JsonNode? config, string label)
            {
                bool flat = CheckFlat(classNode, label);
                if (config is null)
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'units'");
                    return;
                }
                int units = ReadUnits(config, classNode, label);
                bool ok = units > 0;

                ActivationSpec? activation = ActivationSpec.Linear;
                TextSpan activationSpan = classNode.Span;
                if (config.TryGetProperty("activation", out JsonProperty activationProperty))
                {
                    activationSpan = activationProperty.Value.Span;
                    activation = ReadActivation(activationProperty.Value, null, null);
                    ok &= activation is not null;
                }
                bool useBias = ReadBool(config, "use_bias", true, label, ref ok);
                Initializer kernel = ReadInitializer(config["kernel_initializer"], Initializer.GlorotUniform);
                Initializer bias = ReadInitializer(config["bias_initializer"], Initializer.Zeros);
                foreach (string key in s_trainingOnly)
                {
                    if (config.TryGetProperty(key, out JsonProperty property) && !property.Value.IsNull)
                    {
                        Report(DiagnosticDescriptors.JsonTrainingOptionIgnored, property.NameSpan, key, label);
                    }
                }
                if (config["lora_rank"] is { IsNull: false } lora)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, lora.Span, "'lora_rank' of " + label, "null (ModelGen has no LoRA adapters)", lora.Describe());
                    ok = false;
                }
                if (config["quantization_config"] is { IsNull: false } quantization)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(quantization), "'quantization_config' of " + label, "null (ModelGen does not run quantized layers)", quantization.Describe());
                    ok = false;
                }
                if (!ok || activation is null) return;
                AddDense(units, activation.Value, activationSpan, useBias, kernel, bias, classNode, flat);
            }

            /// <summary>Reads a Dense config's <c>units</c>; 0 after reporting a problem.</summary>
            private int ReadUnits(JsonNode config, JsonNode anchor, string label)
            {
                if (!config.TryGetProperty("units", out JsonProperty property))
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, anchor.Span, label, "'units'");
                    return 0;
                }
                return ReadUnitsValue(property.Value, label);
            }

            /// <summary>Checks a units value: a positive integer within the width limit; 0 after reporting a problem.</summary>
            private int ReadUnitsValue(JsonNode value, string label)
            {
                if (!value.TryGetInteger(out long units) || units <= 0)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(value), "'units' of " + label, "a positive integer", value.Describe());
                    return 0;
                }
                if (units > NetworkBuilder.MaxWidth)
                {
                    ReportTooLarge(value.Span, "a layer of " + value.Text + " units (the limit is " + NetworkBuilder.MaxWidth + ")");
                    return 0;
                }
                return (int)units;
            }

            /// <summary>Reads an optional boolean (null or absent gives <paramref name="fallback"/>).</summary>
            private bool ReadBool(JsonNode config, string key, bool fallback, string label, ref bool ok)
            {
                JsonNode? node = config[key];
                if (node is null || node.IsNull) return fallback;
                if (node.IsBool) return node.Kind == JsonKind.True;
                Report(DiagnosticDescriptors.JsonInvalidValue, Head(node), "'" + key + "' of " + label, "true or false", node.Describe());
                ok = false;
                return fallback;
            }

            /// <summary>Adds a Dense layer after the width checks, counting its parameters.</summary>
            private void AddDense(int units, ActivationSpec activation, TextSpan activationSpan, bool useBias, Initializer kernel, Initializer bias, JsonNode anchor, bool flat)
            {
                if (!ActivationCatalog.AcceptsWidth(activation.Kind, units))
                {
                    Report(DiagnosticDescriptors.GluOddWidth, activationSpan, units);
                    return;
                }
                if (flat && _width >= 0)
                {
                    _parameters += (long)_width * units + (useBias ? units : 0);
                    if (_parameters > NetworkBuilder.MaxParameters) ReportTooLarge(anchor.Span, "more than " + NetworkBuilder.MaxParameters + " parameters");
                }
                _layers.Add(new DeclaredLayer(LayerKind.Dense, units, activation, useBias, kernel, bias));
                // Known from here on, even after an error above, so that one mistake is reported once.
                _width = ActivationCatalog.OutputWidth(activation.Kind, units);
            }

            /// <summary>Adds a dropout layer of rate <paramref name="rate"/>, or reports MGEN027 when it is not a number in [0, 1).</summary>
            private void AddDropout(JsonNode rate, string what)
            {
                if (rate.IsNumber && rate.Number >= 0 && rate.Number < 1) _layers.Add(DeclaredLayer.Dropout((float)rate.Number));
                else Report(DiagnosticDescriptors.JsonInvalidValue, Head(rate), what, "a rate in [0, 1)", rate.Describe());
            }

            /// <summary>Adds an Activation layer after the shape checks.</summary>
            private void AddActivation(ActivationSpec activation, TextSpan activationSpan, JsonNode anchor, string label)
            {
                if (ActivationCatalog.IsVectorWise(activation.Kind) && !CheckFlat(anchor, label)) return;
                if (_width >= 0 && !ActivationCatalog.AcceptsWidth(activation.Kind, _width))
                {
                    Report(DiagnosticDescriptors.GluOddWidth, activationSpan, _width);
                    return;
                }
                _layers.Add(new DeclaredLayer(LayerKind.Activation, 0, activation, true, Initializer.GlorotUniform, Initializer.Zeros));
                if (_width >= 0) _width = ActivationCatalog.OutputWidth(activation.Kind, _width);
            }

            // ---------------------------------------------------------------- activations

            /// <summary>
            /// Reads an activation value: a Keras name (null is linear), or a serialized object (a Keras 3 function object with
            /// the name in <c>config</c>, or an activation layer such as LeakyReLU). <paramref name="given"/> holds ModelGen-format
            /// parameters and <paramref name="givenNodes"/> their nodes (both null for Keras formats).
            /// </summary>
            private ActivationSpec? ReadActivation(JsonNode node, float?[]? given, JsonNode?[]? givenNodes)
            {
                given ??= new float?[AttributeReader.ActivationParameterNames.Length];
                givenNodes ??= new JsonNode?[AttributeReader.ActivationParameterNames.Length];
                if (node.IsNull) return Resolve(Activation.Linear, given, givenNodes, node.Span);
                if (node.IsString)
                {
                    if (!TryParseActivationName(node.StringValue!, out Activation activation))
                    {
                        Report(DiagnosticDescriptors.JsonUnknownActivation, node.Span, node.Describe());
                        return null;
                    }
                    return Resolve(activation, given, givenNodes, node.Span);
                }
                if (node.IsObject)
                {
                    JsonNode? classNode = node["class_name"];
                    JsonNode? config = node["config"];
                    string? className = classNode?.StringValue;
                    if (className is "ReLU" or "LeakyReLU" or "ELU" or "Softmax" or "ThresholdedReLU" && (config is null || config.IsObject))
                    {
                        return ReadActivationLayer(className, config, classNode!, "activation " + className);
                    }
                    string? name = config?.StringValue ?? (config?.IsObject == true ? config["name"]?.StringValue : null);
                    if (name is not null && TryParseActivationName(name, out Activation fromConfig)) return Resolve(fromConfig, given, givenNodes, config!.Span);
                    if (className is not null && TryParseActivationName(className, out Activation fromClass)) return Resolve(fromClass, given, givenNodes, classNode!.Span);
                    Report(DiagnosticDescriptors.JsonUnknownActivation, Head(node), name is not null ? "\"" + name + "\"" : className is not null ? "\"" + className + "\"" : node.Describe());
                    return null;
                }
                Report(DiagnosticDescriptors.JsonUnknownActivation, Head(node), node.Describe());
                return null;
            }

            /// <summary>Parses a Keras activation name in the current format (plus TF.js aliases).</summary>
            private bool TryParseActivationName(string name, out Activation activation)
            {
                if (ActivationCatalog.TryParseKerasName(name, _keras2, out activation)) return true;
                // TensorFlow.js names the tanh approximation of gelu "gelu_new".
                if (name == "gelu_new")
                {
                    activation = Activation.GeluTanh;
                    return true;
                }
                return false;
            }

            /// <summary>Fills defaults and validates parameters, reporting at the parameter's node when it was given.</summary>
            private ActivationSpec? Resolve(Activation activation, float?[] given, JsonNode?[] givenNodes, TextSpan fallback)
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
                    Report(descriptor, span, arguments);
                });
            }

            /// <summary>Maps a Keras activation layer (ReLU, LeakyReLU, ELU, Softmax, ThresholdedReLU) to an activation.</summary>
            private ActivationSpec? ReadActivationLayer(string className, JsonNode? config, JsonNode anchor, string label)
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
                                Report(DiagnosticDescriptors.JsonInvalidValue, thresholdNode!.Span, "'threshold' of " + label, "0 (ModelGen's relu has no threshold)", thresholdNode.Describe());
                                return null;
                            }
                            if (maxValue is not null && !maxValue.IsNull)
                            {
                                if (!(maxValue.IsNumber && maxValue.Number == 6 && slope == 0f))
                                {
                                    Report(DiagnosticDescriptors.JsonInvalidValue, maxValue.Span, "'max_value' of " + label,
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
                    // Keras 3 writes negative_slope; Keras 2 and TF.js write alpha. The layer's default is 0.3.
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
                                Report(DiagnosticDescriptors.JsonInvalidValue, Head(axis!), "'axis' of " + label, "-1 (the last axis)", axis!.Describe());
                                return null;
                            }
                            return Resolve(Activation.Softmax, given, nodes, anchor.Span);
                        }
                }
            }

            /// <summary>Reads an optional number; false after reporting a non-number.</summary>
            private bool ReadFloat(JsonNode? node, float fallback, string what, out float value)
            {
                value = fallback;
                if (node is null || node.IsNull) return true;
                if (!node.IsNumber)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(node), what, "a number", node.Describe());
                    return false;
                }
                value = (float)node.Number;
                return true;
            }

            // ---------------------------------------------------------------- initializers and dtypes

            /// <summary>Maps an initializer (a name, or a <c>{class_name, config}</c> object) to the enum; warns and falls back when it cannot.</summary>
            private Initializer ReadInitializer(JsonNode? node, Initializer fallback)
            {
                if (node is null || node.IsNull) return fallback;
                string? name = node.StringValue;
                JsonNode? config = null;
                JsonNode nameNode = node;
                if (node.IsObject)
                {
                    JsonNode? classNode = node["class_name"];
                    name = classNode?.StringValue;
                    if (classNode is not null) nameNode = classNode;
                    config = node["config"];
                    if (config is not null && !config.IsObject) config = null;
                }
                if (name is null)
                {
                    Report(DiagnosticDescriptors.JsonUnknownInitializer, Head(node), node.Describe(), Name(fallback));
                    return fallback;
                }
                string key = name.Replace("_", "").ToLowerInvariant();
                switch (key)
                {
                    case "glorotuniform": return Initializer.GlorotUniform;
                    case "glorotnormal": return Initializer.GlorotNormal;
                    case "heuniform": return Initializer.HeUniform;
                    case "henormal": return Initializer.HeNormal;
                    case "lecununiform": return Initializer.LecunUniform;
                    case "lecunnormal": return Initializer.LecunNormal;
                    case "zeros": case "zero": return Initializer.Zeros;
                    case "ones": case "one": return Initializer.Ones;
                    case "randomnormal": case "normal":
                        return CheckDefaults(Initializer.RandomNormal, name, config, ("mean", 0), ("stddev", 0.05));
                    case "randomuniform": case "uniform":
                        return CheckDefaults(Initializer.RandomUniform, name, config, ("minval", -0.05), ("maxval", 0.05));
                    case "truncatednormal":
                        return CheckDefaults(Initializer.TruncatedNormal, name, config, ("mean", 0), ("stddev", 0.05));
                    case "constant":
                        {
                            JsonNode? value = config?["value"];
                            double v = value is null || value.IsNull ? 0 : value.IsNumber ? value.Number : double.NaN;
                            if (v == 0) return Initializer.Zeros;
                            if (v == 1) return Initializer.Ones;
                            Report(DiagnosticDescriptors.JsonInitializerApproximated, value is null ? nameNode.Span : value.Span, name,
                                "value " + (value?.Describe() ?? "?"), Name(fallback));
                            return fallback;
                        }
                    case "variancescaling":
                        return ReadVarianceScaling(name, nameNode, config, fallback);
                    default:
                        Report(DiagnosticDescriptors.JsonUnknownInitializer, nameNode.Span, "\"" + name + "\"", Name(fallback));
                        return fallback;
                }
            }

            /// <summary>The enum member name, for messages.</summary>
            private static string Name(Initializer initializer) => initializer.ToString();

            /// <summary>Warns (MGEN033) when a parameter differs from the enum member's fixed default.</summary>
            private Initializer CheckDefaults(Initializer initializer, string name, JsonNode? config, params (string Key, double Default)[] parameters)
            {
                if (config is null) return initializer;
                foreach ((string key, double expected) in parameters)
                {
                    JsonNode? value = config[key];
                    if (value is null || value.IsNull) continue;
                    if (!value.IsNumber || Math.Abs(value.Number - expected) > 1e-9)
                    {
                        Report(DiagnosticDescriptors.JsonInitializerApproximated, value.Span, name, key + " " + value.Describe(), Name(initializer) + " with its default " + key + " " + expected.ToString("R", CultureInfo.InvariantCulture));
                        return initializer;
                    }
                }
                return initializer;
            }

            /// <summary>Maps <c>VarianceScaling(scale, mode, distribution)</c> (Keras 2.2 and TF.js write the named initializers this way).</summary>
            private Initializer ReadVarianceScaling(string name, JsonNode nameNode, JsonNode? config, Initializer fallback)
            {
                JsonNode? scaleNode = config?["scale"];
                JsonNode? modeNode = config?["mode"];
                JsonNode? distributionNode = config?["distribution"];
                double scale = scaleNode is null || scaleNode.IsNull ? 1.0 : scaleNode.IsNumber ? scaleNode.Number : double.NaN;
                string mode = modeNode?.StringValue ?? (modeNode is null || modeNode.IsNull ? "fan_in" : "?");
                string distribution = distributionNode?.StringValue ?? (distributionNode is null || distributionNode.IsNull ? "truncated_normal" : "?");
                bool uniform = distribution == "uniform";
                bool normal = distribution is "normal" or "truncated_normal";
                Initializer? family = (scale, mode) switch
                {
                    (1.0, "fan_avg") => uniform ? Initializer.GlorotUniform : Initializer.GlorotNormal,
                    (2.0, "fan_in") => uniform ? Initializer.HeUniform : Initializer.HeNormal,
                    (1.0, "fan_in") => uniform ? Initializer.LecunUniform : Initializer.LecunNormal,
                    _ => null,
                };
                if (family is not null && (uniform || normal)) return family.Value;
                string parameters = "scale " + (scaleNode?.Describe() ?? "1") + ", mode \"" + mode + "\", distribution \"" + distribution + "\"";
                Initializer chosen = family ?? fallback;
                TextSpan span = family is not null ? distributionNode!.Span : config is not null ? config.Span : nameNode.Span;
                Report(DiagnosticDescriptors.JsonInitializerApproximated, span, name, parameters, Name(chosen));
                return chosen;
            }

            /// <summary>Warns about a dtype (a string or a DTypePolicy object) other than float32 and the mixed float policies.</summary>
            private void CheckDType(JsonNode? dtype)
            {
                if (dtype is null || dtype.IsNull) return;
                JsonNode? nameNode = dtype.IsString ? dtype : dtype["config"]?["name"];
                string? name = nameNode?.StringValue;
                if (name is null || nameNode is null) return;
                if (name is "float32" or "mixed_float16" or "mixed_bfloat16") return;
                Report(DiagnosticDescriptors.JsonUnsupportedDType, nameNode.Span, name);
            }

            // ---------------------------------------------------------------- TensorFlow.js weights manifest

            /// <summary>Reads the TensorFlow.js <c>weightsManifest</c> into <see cref="_manifest"/>.</summary>
            private void ReadManifest(JsonNode manifest)
            {
                if (!manifest.IsArray)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(manifest), "'weightsManifest'", "an array of weight groups", manifest.Describe());
                    return;
                }
                var groups = new List<JsonWeightGroup>(manifest.Items.Length);
                foreach (JsonNode group in manifest.Items)
                {
                    JsonNode? paths = group["paths"];
                    JsonNode? weights = group["weights"];
                    if (!group.IsObject || paths is not { IsArray: true } || weights is not { IsArray: true })
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(group), "A weightsManifest group", "an object with 'paths' and 'weights' arrays", group.Describe());
                        return;
                    }
                    var pathList = new string[paths.Items.Length];
                    for (int i = 0; i < pathList.Length; i++)
                    {
                        string? p = paths.Items[i].StringValue;
                        if (p is null)
                        {
                            Report(DiagnosticDescriptors.JsonInvalidValue, Head(paths.Items[i]), "A weightsManifest path", "a string", paths.Items[i].Describe());
                            return;
                        }
                        pathList[i] = p;
                    }
                    var entries = new JsonWeightEntry[weights.Items.Length];
                    for (int i = 0; i < entries.Length; i++)
                    {
                        JsonNode weight = weights.Items[i];
                        string? name = weight["name"]?.StringValue;
                        JsonNode? shape = weight["shape"];
                        string? dtype = weight["dtype"]?.StringValue;
                        if (name is null || dtype is null || shape is not { IsArray: true })
                        {
                            Report(DiagnosticDescriptors.JsonInvalidValue, Head(weight), "A weightsManifest entry", "an object with 'name', 'shape' and 'dtype'", weight.Describe());
                            return;
                        }
                        var dims = new int[shape.Items.Length];
                        for (int d = 0; d < dims.Length; d++)
                        {
                            if (!shape.Items[d].TryGetInteger(out long dim) || dim < 0 || dim > int.MaxValue)
                            {
                                Report(DiagnosticDescriptors.JsonInvalidValue, Head(shape.Items[d]), "A dimension of weight '" + name + "'", "a non-negative integer", shape.Items[d].Describe());
                                return;
                            }
                            dims[d] = (int)dim;
                        }
                        string? quantization = weight["quantization"]?["dtype"]?.StringValue;
                        entries[i] = new JsonWeightEntry(name, new EquatableArray<int>(dims), dtype, quantization);
                    }
                    groups.Add(new JsonWeightGroup(new EquatableArray<string>(pathList), new EquatableArray<JsonWeightEntry>(entries)));
                }
                _manifest = new EquatableArray<JsonWeightGroup>(groups.ToArray());
            }

            // ---------------------------------------------------------------- ModelGen's own format

            /// <summary>Reads ModelGen's own format.</summary>
            private void ReadModelGen(JsonNode root)
            {
                _format = ModelGenFormat;
                _keras2 = false;
                JsonNode? inputs = root["inputs"];
                if (inputs is null)
                {
                    _shapeReported = true;
                    Report(DiagnosticDescriptors.JsonMissingInputShape, Head(root), _fileName, "set \"inputs\" to the number of inputs (or to a shape such as [28, 28] followed by a flatten layer)");
                }
                else if (inputs.IsArray && inputs.Items.Length > 0)
                {
                    SetDims(inputs, 0, "'inputs'");
                }
                else if (inputs.TryGetInteger(out long n) && n > 0)
                {
                    if (n > NetworkBuilder.MaxWidth)
                    {
                        _shapeReported = true;
                        ReportTooLarge(inputs.Span, n + " inputs (the limit is " + NetworkBuilder.MaxWidth + ")");
                    }
                    else
                    {
                        _dims = new[] { n };
                        _width = (int)n;
                        _inputSize = _width;
                    }
                }
                else
                {
                    _shapeReported = true;
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(inputs), "'inputs'", "a positive integer or a shape such as [28, 28]", inputs.Describe());
                }

                if (!root.TryGetProperty("layers", out JsonProperty layersProperty))
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, Head(root), "A ModelGen model", "'layers'");
                    return;
                }
                JsonNode layers = layersProperty.Value;
                if (!layers.IsArray)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(layers), "'layers'", "an array of layers", layers.Describe());
                    return;
                }
                if (layers.Items.Length == 0)
                {
                    Report(DiagnosticDescriptors.JsonNoLayers, Head(layers), _fileName);
                    return;
                }
                if (layers.Items.Length > NetworkBuilder.MaxLayers)
                {
                    ReportTooLarge(Head(layers), layers.Items.Length + " layers (the limit is " + NetworkBuilder.MaxLayers + ")");
                    return;
                }
                for (int i = 0; i < layers.Items.Length; i++)
                {
                    _cancellationToken.ThrowIfCancellationRequested();
                    ReadModelGenLayer(layers.Items[i], "Layer #" + (i + 1));
                }
                FinishLayers(layers, layers);
            }

            /// <summary>Reads one layer of the ModelGen format.</summary>
            private void ReadModelGenLayer(JsonNode layer, string label)
            {
                if (!layer.IsObject)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(layer), label, "an object such as {\"dense\": 16, \"activation\": \"relu\"}", layer.Describe());
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
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(node), "'" + s_parameterKeys[p] + "' of " + label, "a number", node.Describe());
                        ok = false;
                        continue;
                    }
                    given[p] = (float)node.Number;
                    givenNodes[p] = node;
                }

                if (layer.TryGetProperty("dense", out JsonProperty dense))
                {
                    label = "Dense " + label.ToLowerInvariant();
                    bool flat = CheckFlat(dense.Value, label);
                    int units = ReadUnitsValue(dense.Value, label);
                    ok &= units > 0;
                    ActivationSpec? activation = ActivationSpec.Linear;
                    TextSpan activationSpan = dense.NameSpan;
                    if (layer.TryGetProperty("activation", out JsonProperty activationProperty))
                    {
                        activationSpan = activationProperty.Value.Span;
                        if (activationProperty.Value.IsString || activationProperty.Value.IsNull) activation = ReadActivation(activationProperty.Value, given, givenNodes);
                        else
                        {
                            Report(DiagnosticDescriptors.JsonInvalidValue, Head(activationProperty.Value), "'activation' of " + label, "a Keras activation name such as \"relu\"", activationProperty.Value.Describe());
                            activation = null;
                        }
                    }
                    else
                    {
                        activation = Resolve(Activation.Linear, given, givenNodes, dense.NameSpan);
                    }
                    ok &= activation is not null;
                    bool useBias = ReadBool(layer, "use_bias", true, label, ref ok);
                    Initializer kernel = ReadModelGenInitializer(layer, "kernel_initializer", Initializer.GlorotUniform, label, ref ok);
                    Initializer bias = ReadModelGenInitializer(layer, "bias_initializer", Initializer.Zeros, label, ref ok);
                    if (ok && activation is not null) AddDense(units, activation.Value, activationSpan, useBias, kernel, bias, dense.Value, flat);
                }
                else if (layer.TryGetProperty("activation", out JsonProperty activationProperty))
                {
                    label = "Activation " + label.ToLowerInvariant();
                    JsonNode value = activationProperty.Value;
                    if (!value.IsString)
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(value), "'activation' of " + label, "a Keras activation name such as \"relu\"", value.Describe());
                        return;
                    }
                    ActivationSpec? activation = ReadActivation(value, given, givenNodes);
                    if (ok && activation is not null) AddActivation(activation.Value, value.Span, value, label);
                }
                else if (layer.TryGetProperty("dropout", out JsonProperty dropout))
                {
                    AddDropout(dropout.Value, "'dropout' of " + label);
                }
                else if (layer.TryGetProperty("flatten", out JsonProperty flatten))
                {
                    if (flatten.Value.Kind != JsonKind.True)
                    {
                        Report(DiagnosticDescriptors.JsonInvalidValue, Head(flatten.Value), "'flatten' of " + label, "true", flatten.Value.Describe());
                        return;
                    }
                    Flatten(null, flatten.Value);
                }
                else
                {
                    Report(DiagnosticDescriptors.JsonMissingProperty, Head(layer), label, "one of 'dense', 'activation', 'dropout' or 'flatten'");
                }
            }

            /// <summary>Reads an initializer name of the ModelGen format.</summary>
            private Initializer ReadModelGenInitializer(JsonNode layer, string key, Initializer fallback, string label, ref bool ok)
            {
                JsonNode? node = layer[key];
                if (node is null || node.IsNull) return fallback;
                if (!node.IsString)
                {
                    Report(DiagnosticDescriptors.JsonInvalidValue, Head(node), "'" + key + "' of " + label, "an initializer name such as \"he_normal\"", node.Describe());
                    ok = false;
                    return fallback;
                }
                return ReadInitializer(node, fallback);
            }
        }
    }
}
