using System;
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Reads a JSON model file into a <see cref="JsonModelFile"/>: parses it, tells the format from its top-level keys, and
    /// hands it to that format's reader: Keras 3, tf.keras 2 / Keras 2.2-2.3, Keras 2.0-2.1 and Keras 1 <c>model.to_json()</c>
    /// (<see cref="KerasConfigReader"/>), a TensorFlow.js layers-model <c>model.json</c> (<see cref="TfjsModelReader"/>), or
    /// ModelGen's compact format (<see cref="ModelGenFormatReader"/>).
    /// </summary>
    /// <remarks>
    /// Pure parsing: no file IO, no compilation. Throws only <see cref="OperationCanceledException"/>. The format readers
    /// share two things, both passed in: the <see cref="JsonReport"/> that collects diagnostics and the
    /// <see cref="LayerStackBuilder"/> that checks each layer against the running shape.
    /// </remarks>
    internal static class JsonModelReader
    {
        /// <summary>Format name of Keras 3 <c>to_json()</c> and <c>.keras</c> <c>config.json</c>.</summary>
        public const string Keras3Format = "Keras 3";
        /// <summary>Format name of tf.keras 2 and Keras 2.2-2.3 <c>to_json()</c>.</summary>
        public const string Keras2Format = "tf.keras 2";
        /// <summary>Format name of Keras 2.0-2.1 <c>to_json()</c> (Sequential config is the layer list).</summary>
        public const string Keras20Format = "Keras 2.0";
        /// <summary>Format name of Keras 1.x configs (<c>to_json()</c> and the <c>model_config</c> of its <c>.h5</c> files).</summary>
        public const string Keras1Format = "Keras 1";
        /// <summary>Format name of a TensorFlow.js layers-model <c>model.json</c>.</summary>
        public const string TfjsFormat = "TensorFlow.js";
        /// <summary>Format name of ModelGen's own compact format.</summary>
        public const string ModelGenFormat = "ModelGen";
        /// <summary>Format name when no format matched.</summary>
        public const string UnknownFormat = "unknown";

        /// <summary>Reads the model in <paramref name="text"/>; <paramref name="path"/> goes into locations and messages.</summary>
        public static JsonModelFile Read(string path, SourceText text, CancellationToken cancellationToken)
        {
            var report = new JsonReport(path, text, cancellationToken);
            JsonNode? root = ParseObject(report);
            if (root is null) return Result(report, UnknownFormat, null);

            JsonNode? format = root["format"];
            if (root["modelTopology"] is not null || format?.StringValue == "layers-model")
            {
                return TfjsModelReader.Read(root, report);
            }
            if (format?.StringValue == "graph-model")
            {
                report.Report(DiagnosticDescriptors.JsonNotAModel, format.Span, report.FileName,
                    "it is a TensorFlow.js graph model, which has no layers; convert the Keras model as a layers model (tfjs.converters.save_keras_model)");
                return Result(report, UnknownFormat, null);
            }
            if (format is not null && format.StringValue?.ToLowerInvariant() == "modelgen")
            {
                return new ModelGenFormatReader(report).Read(root);
            }
            if (format is not null)
            {
                report.Report(DiagnosticDescriptors.JsonNotAModel, format.Span, report.FileName,
                    "\"format\" is " + format.Describe() + "; ModelGen's own format has \"format\": \"modelgen\" and TensorFlow.js models have \"format\": \"layers-model\"");
                return Result(report, UnknownFormat, null);
            }
            if (root["class_name"] is not null)
            {
                KerasDialect dialect = KerasConfigReader.Detect(root, null, out string kerasFormat);
                return KerasConfigReader.Read(root, dialect, kerasFormat, report);
            }
            if (root["model_config"] is { IsObject: true } modelConfig)
            {
                // The topology of a TensorFlow.js model or the model_config attribute of a Keras HDF5 file, on its own.
                KerasDialect dialect = KerasConfigReader.Detect(modelConfig, root["keras_version"]?.StringValue, out string kerasFormat);
                return KerasConfigReader.Read(modelConfig, dialect, kerasFormat, report);
            }
            report.Report(DiagnosticDescriptors.JsonNotAModel, JsonReport.Head(root), report.FileName,
                "expected the output of Keras model.to_json() (with \"class_name\"), a TensorFlow.js model.json (with \"modelTopology\"), or a ModelGen model (with \"format\": \"modelgen\")");
            return Result(report, UnknownFormat, null);
        }

        /// <summary>Parses the report's text; the top-level object, or null after reporting invalid JSON or a non-object.</summary>
        internal static JsonNode? ParseObject(JsonReport report)
        {
            string content = report.Text.ToString();
            JsonNode? root = JsonReader.Parse(content, report.CancellationToken, out JsonParseError error);
            if (root is null)
            {
                int length = error.Position < content.Length ? 1 : 0;
                report.Report(DiagnosticDescriptors.InvalidJson, new TextSpan(error.Position, length), report.FileName, error.Message);
                return null;
            }
            report.CancellationToken.ThrowIfCancellationRequested();
            if (!root.IsObject)
            {
                report.Report(DiagnosticDescriptors.JsonNotAModel, JsonReport.Head(root), report.FileName, "the top level is " + root.Describe() + ", not an object");
                return null;
            }
            return root;
        }

        /// <summary>Packs a format reader's outcome: the layers only when usable, and every diagnostic.</summary>
        internal static JsonModelFile Result(JsonReport report, string format, LayerStackBuilder? stack)
        {
            bool usable = false;
            EquatableArray<DeclaredLayer> layers = stack is null ? new EquatableArray<DeclaredLayer>(new DeclaredLayer[0]) : stack.UsableLayers(out usable);
            return new JsonModelFile(report.Path, format, stack?.InputSize ?? 0, layers, usable, report.Diagnostics);
        }
    }
}
