using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Formats.Json;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// The sequential stack a JSON model declares, built one layer at a time: the input shape, the running shape (the
    /// dimensions after the batch one, until a Flatten makes them one width), the layers and the parameter count. The
    /// format readers (Keras, TensorFlow.js, ModelGen) say what each layer is; this class checks that it fits the shape and
    /// the size limits, reporting each shape problem once.
    /// </summary>
    internal sealed class LayerStackBuilder
    {
        /// <summary>Where problems go.</summary>
        private readonly JsonReport _report;
        /// <summary>The layers added so far, in order.</summary>
        private readonly List<DeclaredLayer> _layers = new();
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

        /// <summary>Creates an empty stack reporting to <paramref name="report"/>.</summary>
        public LayerStackBuilder(JsonReport report) => _report = report;

        /// <summary>True while the input shape is neither known nor reported missing or invalid.</summary>
        public bool ShapePending => _dims is null && !_shapeReported;

        /// <summary>Floats per sample in; 0 until known.</summary>
        public int InputSize => _inputSize;

        /// <summary>Reports a missing or invalid input shape, after which no further shape problem is reported.</summary>
        public void ReportShapeProblem(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments)
        {
            _shapeReported = true;
            _report.Report(descriptor, span, arguments);
        }

        /// <summary>Takes the input shape from a batch shape (<c>[null, 28, 28]</c>, or a <c>TensorShape</c> object with <c>items</c>).</summary>
        public void SetBatchShape(JsonNode shape, string what)
        {
            JsonNode list = shape.IsObject && shape["items"] is { IsArray: true } items ? items : shape;
            if (!list.IsArray || list.Items.Length < 2)
            {
                ReportShapeProblem(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(shape), what, "a batch shape such as [null, 4]", shape.Describe());
                return;
            }
            SetDims(list, 1, what);
        }

        /// <summary>Takes the input shape from <paramref name="list"/>'s items from <paramref name="first"/> on.</summary>
        public void SetDims(JsonNode list, int first, string what)
        {
            var dims = new long[list.Items.Length - first];
            for (int d = 0; d < dims.Length; d++)
            {
                JsonNode item = list.Items[first + d];
                if (!item.TryGetInteger(out long value) || value <= 0)
                {
                    ReportShapeProblem(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(item), "Dimension " + (d + 1) + " of " + what,
                        "a known positive size (only the batch dimension may be null)", item.Describe());
                    return;
                }
                if (value > NetworkBuilder.MaxWidth)
                {
                    _shapeReported = true;
                    _report.ReportTooLarge(item.Span, "an input dimension of " + value + " (the limit is " + NetworkBuilder.MaxWidth + ")");
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

        /// <summary>Takes a flat input of <paramref name="count"/> values (a positive integer read from <paramref name="node"/>).</summary>
        public void SetInputCount(long count, JsonNode node)
        {
            if (count > NetworkBuilder.MaxWidth)
            {
                _shapeReported = true;
                _report.ReportTooLarge(node.Span, count + " inputs (the limit is " + NetworkBuilder.MaxWidth + ")");
                return;
            }
            _dims = new[] { count };
            _width = (int)count;
            _inputSize = _width;
        }

        /// <summary>True when the running shape is flat or unknown; otherwise reports it once, at <paramref name="anchor"/>.</summary>
        public bool CheckFlat(JsonNode anchor, string label)
        {
            if (_dims is null || _dims.Length == 1 || _width >= 0) return true;
            if (!_flatReported)
            {
                _flatReported = true;
                _report.Report(DiagnosticDescriptors.JsonInputNotFlat, anchor.Span, label, ShapeText(_dims));
            }
            return false;
        }

        /// <summary>Applies a Flatten: the running shape becomes the product of its dimensions.</summary>
        public void Flatten(JsonNode? dataFormat, JsonNode anchor)
        {
            if (_dims is null || _width >= 0) return;
            if (_dims.Length > 2 && dataFormat?.StringValue == "channels_first")
            {
                // Keras moves the channels last before flattening: a permutation ModelGen does not apply.
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, dataFormat.Span, "'data_format' of a Flatten layer on a " + _dims.Length + "-dimensional input",
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
                    _report.ReportTooLarge(anchor.Span, "a flattened input of more than " + NetworkBuilder.MaxWidth + " values");
                    _flatReported = true;
                    return;
                }
            }
            if (_inputSize == 0) _inputSize = (int)product;
            _width = (int)product;
        }

        /// <summary>Checks a units value: a positive integer within the width limit; 0 after reporting a problem.</summary>
        public int CheckUnits(JsonNode value, string what)
        {
            if (!value.TryGetInteger(out long units) || units <= 0)
            {
                _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(value), what, "a positive integer", value.Describe());
                return 0;
            }
            if (units > NetworkBuilder.MaxWidth)
            {
                _report.ReportTooLarge(value.Span, "a layer of " + value.Text + " units (the limit is " + NetworkBuilder.MaxWidth + ")");
                return 0;
            }
            return (int)units;
        }

        /// <summary>Adds a Dense layer after the width checks, counting its parameters; false when it was rejected.</summary>
        public bool AddDense(int units, ActivationSpec activation, TextSpan activationSpan, bool useBias, Initializer kernel, Initializer bias, JsonNode anchor, bool flat)
        {
            if (!ActivationCatalog.AcceptsWidth(activation.Kind, units))
            {
                _report.Report(DiagnosticDescriptors.GluOddWidth, activationSpan, units);
                return false;
            }
            if (flat && _width >= 0)
            {
                _parameters += (long)_width * units + (useBias ? units : 0);
                if (_parameters > NetworkBuilder.MaxParameters) _report.ReportTooLarge(anchor.Span, "more than " + NetworkBuilder.MaxParameters + " parameters");
            }
            _layers.Add(new DeclaredLayer(LayerKind.Dense, units, activation, useBias, kernel, bias));
            // Known from here on, even after an error above, so that one mistake is reported once.
            _width = ActivationCatalog.OutputWidth(activation.Kind, units);
            return true;
        }

        /// <summary>The running width: features per sample after the layers so far (-1 while the shape is not flat or not known).</summary>
        public int Width => _dims is null ? -1 : _width;

        /// <summary>Adds an affine layer (BatchNormalization, Normalization, Rescaling): the width does not change.</summary>
        public void AddAffine(AffineSpec affine) => _layers.Add(DeclaredLayer.AffineLayer(affine));

        /// <summary>Adds a dropout layer of rate <paramref name="rate"/>, or reports MGEN027 when it is not a number in [0, 1).</summary>
        public void AddDropout(JsonNode rate, string what)
        {
            if (rate.IsNumber && rate.Number >= 0 && rate.Number < 1) _layers.Add(DeclaredLayer.Dropout((float)rate.Number));
            else _report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(rate), what, "a rate in [0, 1)", rate.Describe());
        }

        /// <summary>Adds an Activation layer after the shape checks.</summary>
        public void AddActivation(ActivationSpec activation, TextSpan activationSpan, JsonNode anchor, string label)
        {
            if (ActivationCatalog.IsVectorWise(activation.Kind) && !CheckFlat(anchor, label)) return;
            if (_width >= 0 && !ActivationCatalog.AcceptsWidth(activation.Kind, _width))
            {
                _report.Report(DiagnosticDescriptors.GluOddWidth, activationSpan, _width);
                return;
            }
            _layers.Add(new DeclaredLayer(LayerKind.Activation, 0, activation, true, Initializer.GlorotUniform, Initializer.Zeros));
            if (_width >= 0) _width = ActivationCatalog.OutputWidth(activation.Kind, _width);
        }

        /// <summary>After the last layer: the output must be flat and something must be computed.</summary>
        public void FinishLayers(JsonNode layersNode, JsonNode anchor)
        {
            if (_report.Failed) return;
            if (_dims is not null && _width < 0) CheckFlat(anchor, "The model's output");
            else if (!HasComputingLayer()) _report.Report(DiagnosticDescriptors.JsonNoLayers, JsonReport.Head(layersNode), _report.FileName);
        }

        /// <summary>The layers when the stack is usable (no error, a known input, something computed), else empty.</summary>
        public EquatableArray<DeclaredLayer> UsableLayers(out bool usable)
        {
            // Without a computing layer an error was reported (JsonNoLayers or an earlier one).
            usable = !_report.Failed && _inputSize > 0 && HasComputingLayer();
            return usable ? new EquatableArray<DeclaredLayer>(_layers.ToArray()) : new EquatableArray<DeclaredLayer>(new DeclaredLayer[0]);
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
    }
}
