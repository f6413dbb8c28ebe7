using System.Collections.Generic;
using ModelGen.Formats.Json;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Maps the layers of a Keras chain (Dense, Activation and the activation layers, Dropout and its inference-time
    /// identities, Flatten, InputLayer) onto a <see cref="LayerStackBuilder"/>, in any dialect: Keras 3, Keras 2 / tf.keras /
    /// TensorFlow.js, and Keras 1 (<c>output_dim</c>, <c>init</c>, <c>bias</c>, <c>input_dim</c>, <c>p</c>, <c>input_dtype</c>).
    /// </summary>
    internal sealed class KerasLayerReader
    {
        /// <summary>Dense options that only affect training (MGEN031 when set): Keras 2 and 3 names, then Keras 1 names.</summary>
        private static readonly string[] s_trainingOnly =
        {
            "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
            "W_regularizer", "b_regularizer", "W_constraint", "b_constraint",
        };

        /// <summary>Where problems go.</summary>
        private readonly JsonReport _report;
        /// <summary>The stack the layers go onto.</summary>
        private readonly LayerStackBuilder _stack;
        /// <summary>Maps activation names, objects and layers.</summary>
        private readonly KerasActivationReader _activations;
        /// <summary>Maps initializers.</summary>
        private readonly KerasInitializerReader _initializers;
        /// <summary>The Keras name of each layer added that holds weights (Dense, BatchNormalization, adapted Normalization), in order.</summary>
        private readonly List<string> _denseNames = new();
        /// <summary>The class of each layer in <see cref="_denseNames"/>.</summary>
        private readonly List<string> _weightClasses = new();

        /// <summary>Creates a reader of <paramref name="dialect"/> layers onto <paramref name="stack"/>.</summary>
        public KerasLayerReader(JsonReport report, LayerStackBuilder stack, KerasDialect dialect)
        {
            _report = report;
            _stack = stack;
            _activations = new KerasActivationReader(report, dialect);
            _initializers = new KerasInitializerReader(report);
        }

        /// <summary>The Keras name of each Dense layer added so far, in order (the name weights are stored under in HDF5 files).</summary>
        public IReadOnlyList<string> DenseNames => _denseNames;

        /// <summary>The class of each layer of <see cref="DenseNames"/> (<c>Dense</c>, <c>BatchNormalization</c>, <c>Normalization</c>).</summary>
        public IReadOnlyList<string> WeightClasses => _weightClasses;

        /// <summary>Reads the layers of <paramref name="chain"/>, in order.</summary>
        public void ReadLayers(KerasChain chain)
        {
            JsonNode layersNode = chain.LayersNode;
            IReadOnlyList<JsonNode> layers = chain.Layers;
            JsonNode? modelConfig = chain.ModelConfig;
            if (modelConfig is not null) CheckDType(modelConfig["dtype"]);
            if (layers.Count == 0)
            {
                _report.Report(DiagnosticDescriptors.JsonNoLayers, JsonReport.Head(layersNode), _report.FileName);
                return;
            }
            if (layers.Count > NetworkBuilder.MaxLayers)
            {
                _report.ReportTooLarge(JsonReport.Head(layersNode), layers.Count + " layers (the limit is " + NetworkBuilder.MaxLayers + ")");
                return;
            }
            JsonNode? firstAnchor = null;
            for (int i = 0; i < layers.Count; i++)
            {
                _report.CancellationToken.ThrowIfCancellationRequested();
                JsonNode layer = layers[i];
                if (!layer.IsObject)
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(layer), "Layer #" + (i + 1), "an object", layer.Describe());
                    continue;
                }
                JsonNode? classNode = layer["class_name"];
                if (classNode is null || classNode.StringValue is null)
                {
                    if (classNode is null) _report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(layer), "Layer #" + (i + 1), "'class_name'");
                    else _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(classNode), "'class_name' of layer #" + (i + 1), "a string", classNode.Describe());
                    continue;
                }
                string className = classNode.StringValue;
                JsonNode? config = layer["config"];
                if (config is not null && !config.IsObject)
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(config), "'config' of layer #" + (i + 1), "an object", config.Describe());
                    continue;
                }
                string? name = config?["name"]?.StringValue ?? layer["name"]?.StringValue;
                string label = name is null ? className + " layer #" + (i + 1) : className + " layer '" + name + "'";
                firstAnchor ??= classNode;
                // Keras 1 writes the layer dtype as input_dtype.
                if (config is not null) CheckDType(config["dtype"] ?? config["input_dtype"]);

                // Keras 1 and 2 and TF.js put the input shape on the first layer; an InputLayer carries it in Keras 3 too.
                if (_stack.ShapePending && config is not null) ReadLayerInputShape(config, className, label);

                switch (className)
                {
                    case "InputLayer":
                        if (_stack.ShapePending)
                        {
                            _stack.ReportShapeProblem(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'batch_shape' (or 'batch_input_shape')");
                        }
                        break;
                    case "Dense":
                        EnsureShape(classNode, layer, modelConfig);
                        ReadDense(classNode, config, label, name);
                        break;
                    case "Activation":
                        {
                            EnsureShape(classNode, layer, modelConfig);
                            if (config is null || !config.TryGetProperty("activation", out JsonProperty activation))
                            {
                                _report.Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'activation'");
                                break;
                            }
                            ActivationSpec? spec = _activations.ReadActivation(activation.Value, null, null);
                            if (spec is not null) _stack.AddActivation(spec.Value, activation.Value.Span, classNode, label);
                            break;
                        }
                    case "ReLU":
                    case "LeakyReLU":
                    case "ELU":
                    case "Softmax":
                    case "ThresholdedReLU":
                        {
                            EnsureShape(classNode, layer, modelConfig);
                            ActivationSpec? spec = _activations.ReadActivationLayer(className, config, classNode, label);
                            if (spec is not null) _stack.AddActivation(spec.Value, classNode.Span, classNode, label);
                            break;
                        }
                    case "Dropout":
                        {
                            // Identity at inference; inverted dropout in training (the generated ForwardTrace). Keras 1 calls the rate p.
                            string key = config?["rate"] is null && config?["p"] is not null ? "p" : "rate";
                            JsonNode? rate = config?[key];
                            if (rate is null || rate.IsNull) _report.Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'rate'");
                            else _stack.AddDropout(rate, "'" + key + "' of " + label);
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
                    case "BatchNormalization":
                    case "Normalization":
                    case "Rescaling":
                        EnsureShape(classNode, layer, modelConfig);
                        ReadAffine(className, classNode, config, label, name);
                        break;
                    case "Flatten":
                        EnsureShape(classNode, layer, modelConfig);
                        _stack.Flatten(config?["data_format"], classNode);
                        break;
                    case "Sequential":
                    case "Functional":
                    case "Model":
                        _report.Report(DiagnosticDescriptors.JsonUnsupportedModel, classNode.Span, className,
                            "nested models are not supported: " + label + " is a model inside the model; put its layers in the outer model");
                        break;
                    default:
                        _report.Report(DiagnosticDescriptors.JsonUnsupportedLayer, classNode.Span, label);
                        break;
                }
            }
            if (_stack.ShapePending && firstAnchor is not null)
            {
                EnsureShape(firstAnchor, null, modelConfig);
            }
            _stack.FinishLayers(layersNode, firstAnchor ?? layersNode);
        }

        /// <summary>
        /// Takes the input shape a layer's config declares: <c>batch_input_shape</c> (Keras 1 and 2, TF.js), <c>batch_shape</c>
        /// (Keras 3), or, on a Dense layer without a batch shape, Keras 1's <c>input_dim</c>.
        /// </summary>
        private void ReadLayerInputShape(JsonNode config, string className, string label)
        {
            JsonNode? shape = config["batch_input_shape"] ?? config["batch_shape"];
            if (shape is not null && !shape.IsNull)
            {
                SetBatchShape(shape, "'batch_input_shape' of " + label);
                return;
            }
            JsonNode? inputDim = className == "Dense" ? config["input_dim"] : null;
            if (inputDim is null || inputDim.IsNull) return;
            if (inputDim.TryGetInteger(out long count) && count > 0) _stack.SetInputCount(count, inputDim);
            else _stack.ReportShapeProblem(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(inputDim), "'input_dim' of " + label, "a positive integer", inputDim.Describe());
        }

        /// <summary>Takes the input shape from a batch shape.</summary>
        private void SetBatchShape(JsonNode shape, string what) => _stack.SetBatchShape(shape, what);

        /// <summary>Before the first computing layer: finds the input shape in the fallbacks, or reports that there is none.</summary>
        private void EnsureShape(JsonNode anchor, JsonNode? layer, JsonNode? modelConfig)
        {
            if (!_stack.ShapePending) return;
            JsonNode? shape = modelConfig?["build_input_shape"];
            if (shape is null || shape.IsNull) shape = layer?["build_config"]?["input_shape"];
            if (shape is not null && !shape.IsNull)
            {
                SetBatchShape(shape, "'build_input_shape'");
                return;
            }
            _stack.ReportShapeProblem(DiagnosticDescriptors.JsonMissingInputShape, anchor.Span, _report.FileName,
                "add an InputLayer (keras.Input(shape=...)) or give the first layer an input_shape");
        }

        /// <summary>Reads a Keras Dense layer (Keras 1 names: <c>output_dim</c>, <c>init</c>, <c>bias</c>).</summary>
        private void ReadDense(JsonNode classNode, JsonNode? config, string label, string? name)
        {
            bool flat = _stack.CheckFlat(classNode, label);
            if (config is null)
            {
                _report.Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'units'");
                return;
            }
            int units = ReadUnits(config, classNode, label);
            bool ok = units > 0;

            ActivationSpec? activation = ActivationSpec.Linear;
            Microsoft.CodeAnalysis.Text.TextSpan activationSpan = classNode.Span;
            if (config.TryGetProperty("activation", out JsonProperty activationProperty))
            {
                activationSpan = activationProperty.Value.Span;
                activation = _activations.ReadActivation(activationProperty.Value, null, null);
                ok &= activation is not null;
            }
            bool useBias = _report.ReadBool(config, config["use_bias"] is null && config["bias"] is not null ? "bias" : "use_bias", true, label, ref ok);
            Initializer kernel = _initializers.ReadInitializer(config["kernel_initializer"] ?? config["init"], Initializer.GlorotUniform);
            Initializer bias = _initializers.ReadInitializer(config["bias_initializer"], Initializer.Zeros);
            foreach (string key in s_trainingOnly)
            {
                if (config.TryGetProperty(key, out JsonProperty property) && !property.Value.IsNull)
                {
                    _report.Report(DiagnosticDescriptors.JsonTrainingOptionIgnored, property.NameSpan, key, label);
                }
            }
            if (config["lora_rank"] is { IsNull: false } lora)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, lora.Span, "'lora_rank' of " + label, "null (ModelGen has no LoRA adapters)", lora.Describe());
                ok = false;
            }
            if (config["quantization_config"] is { IsNull: false } quantization)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(quantization), "'quantization_config' of " + label, "null (ModelGen does not run quantized layers)", quantization.Describe());
                ok = false;
            }
            if (!ok || activation is null) return;
            if (_stack.AddDense(units, activation.Value, activationSpan, useBias, kernel, bias, classNode, flat))
            {
                _denseNames.Add(name ?? "");
                _weightClasses.Add("Dense");
            }
        }

        /// <summary>
        /// Reads a BatchNormalization (inference mode: frozen), Normalization or Rescaling layer as a fixed affine map over the
        /// features. BatchNormalization and Normalization act on the last axis of a flat input only.
        /// </summary>
        private void ReadAffine(string className, JsonNode classNode, JsonNode? config, string label, string? name)
        {
            bool ok = true;
            if (className == "Rescaling")
            {
                // x * scale + offset with scalars: element-wise, so any input shape.
                double scale = ReadScalar(config, "scale", double.NaN, classNode, label, ref ok);
                double offset = ReadScalar(config, "offset", 0.0, classNode, label, ref ok);
                if (ok) _stack.AddAffine(new AffineSpec(ModelGen.Formats.AffineKind.Rescaling, 0, false, false, false, new EquatableArray<double>(new[] { scale, offset }), name ?? ""));
                return;
            }
            if (!_stack.CheckFlat(classNode, label)) return;
            if (config is null)
            {
                _report.Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, label, "'config'");
                return;
            }
            JsonNode? axis = config["axis"];
            if (axis is not null && !IsLastAxis(axis))
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(axis), "'axis' of " + label,
                    "-1 (the features axis: ModelGen normalizes the last axis of a flat input)", axis.Describe());
                ok = false;
            }
            if (className == "BatchNormalization")
            {
                double epsilon = ReadScalar(config, "epsilon", 1e-3, classNode, label, ref ok);
                if (ok && !(epsilon >= 0))
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(config["epsilon"]!), "'epsilon' of " + label, "a number of at least 0", config["epsilon"]!.Describe());
                    ok = false;
                }
                bool center = _report.ReadBool(config, "center", true, label, ref ok);
                bool scale = _report.ReadBool(config, "scale", true, label, ref ok);
                // Keras 1: mode 0 is feature-wise normalization; modes 1 and 2 use the batch's statistics.
                if (config["mode"] is { IsNull: false } mode && !(mode.TryGetInteger(out long m) && m == 0))
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, mode.Span, "'mode' of " + label, "0 (feature-wise, with the moving statistics)", mode.Describe());
                    ok = false;
                }
                if (!ok) return;
                _stack.AddAffine(new AffineSpec(ModelGen.Formats.AffineKind.BatchNormalization, epsilon, center, scale, false, default, name ?? ""));
                _denseNames.Add(name ?? "");
                _weightClasses.Add(className);
                return;
            }
            bool invert = _report.ReadBool(config, "invert", false, label, ref ok);
            JsonNode? mean = config["mean"], variance = config["variance"];
            bool given = mean is { IsNull: false } || variance is { IsNull: false };
            double[] constants = new double[0];
            if (given)
            {
                double[]? m = ReadVector(mean, "'mean' of " + label, classNode), v = ReadVector(variance, "'variance' of " + label, classNode);
                if (m is null || v is null) return;
                if (m.Length != v.Length)
                {
                    _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(variance!), "'variance' of " + label, m.Length + " value(s), as 'mean'", v.Length + " value(s)");
                    return;
                }
                constants = new double[2 * m.Length];
                m.CopyTo(constants, 0);
                v.CopyTo(constants, m.Length);
            }
            if (!ok) return;
            _stack.AddAffine(new AffineSpec(ModelGen.Formats.AffineKind.Normalization, 0, false, false, invert, new EquatableArray<double>(constants), name ?? ""));
            if (!given)
            {
                _denseNames.Add(name ?? "");
                _weightClasses.Add(className);
            }
        }

        // -1, or [-1], or Keras 2's built form [1] (the features axis of a [batch, features] input).
        private static bool IsLastAxis(JsonNode axis)
        {
            if (axis.IsArray)
            {
                if (axis.Items.Length != 1) return false;
                axis = axis.Items[0];
            }
            return axis.TryGetInteger(out long a) && (a == -1 || a == 1);
        }

        // A number property (required when fallback is NaN).
        private double ReadScalar(JsonNode? config, string key, double fallback, JsonNode anchor, string label, ref bool ok)
        {
            JsonNode? node = config?[key];
            if (node is null || node.IsNull)
            {
                if (!double.IsNaN(fallback)) return fallback;
                _report.Report(DiagnosticDescriptors.JsonMissingProperty, anchor.Span, label, "'" + key + "'");
                ok = false;
                return fallback;
            }
            if (node.IsNumber && !double.IsNaN(node.Number) && !double.IsInfinity(node.Number)) return node.Number;
            _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(node), "'" + key + "' of " + label, "a finite number", node.Describe());
            ok = false;
            return fallback;
        }

        // A Normalization's config mean or variance: one number, or one per feature (a list, possibly nested once as [[...]]).
        private double[]? ReadVector(JsonNode? node, string what, JsonNode anchor)
        {
            if (node is null || node.IsNull)
            {
                _report.Report(DiagnosticDescriptors.JsonMissingProperty, anchor.Span, what.Substring(what.IndexOf(" of ", System.StringComparison.Ordinal) + 4), what.Substring(0, what.IndexOf(" of ", System.StringComparison.Ordinal)));
                return null;
            }
            if (node.IsNumber) return new[] { node.Number };
            JsonNode list = node.IsArray && node.Items.Length == 1 && node.Items[0].IsArray ? node.Items[0] : node;
            int width = _stack.Width;
            bool fits = list.IsArray && (width < 0 || list.Items.Length == width || list.Items.Length == 1);
            var values = new double[list.IsArray ? list.Items.Length : 0];
            for (int i = 0; fits && i < values.Length; i++)
            {
                fits = list.Items[i].IsNumber;
                values[i] = list.Items[i].Number;
            }
            if (fits && values.Length > 0) return values;
            _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(node), what, "a number or a list of " + (width < 0 ? "one number per feature" : width + " numbers"), node.Describe());
            return null;
        }

        /// <summary>Reads a Dense config's <c>units</c> (Keras 1: <c>output_dim</c>); 0 after reporting a problem.</summary>
        private int ReadUnits(JsonNode config, JsonNode anchor, string label)
        {
            if (config.TryGetProperty("units", out JsonProperty property) || config.TryGetProperty("output_dim", out property))
            {
                return _stack.CheckUnits(property.Value, "'" + property.Name + "' of " + label);
            }
            _report.Report(DiagnosticDescriptors.JsonMissingProperty, anchor.Span, label, "'units'");
            return 0;
        }

        /// <summary>Warns about a dtype (a string or a DTypePolicy object) other than float32 and the mixed float policies.</summary>
        private void CheckDType(JsonNode? dtype)
        {
            if (dtype is null || dtype.IsNull) return;
            JsonNode? nameNode = dtype.IsString ? dtype : dtype["config"]?["name"];
            string? name = nameNode?.StringValue;
            if (name is null || nameNode is null) return;
            if (name is "float32" or "mixed_float16" or "mixed_bfloat16") return;
            _report.Report(DiagnosticDescriptors.JsonUnsupportedDType, nameNode.Span, name);
        }
    }
}
