using System.Threading;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Formats.Json;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// The entry point for anything that holds a Keras model config: the output of <c>model.to_json()</c>, the
    /// <c>config.json</c> of a <c>.keras</c> zip, the <c>model_config</c> attribute of an HDF5 <c>.h5</c> file (Keras 1.x,
    /// 2.x and tf.keras), or the <c>modelTopology</c> of a TensorFlow.js model. It detects the dialect, reads the topology
    /// (<see cref="KerasTopologyReader"/>) and maps the layers (<see cref="KerasLayerReader"/>).
    /// </summary>
    internal static class KerasConfigReader
    {
        /// <summary>
        /// Reads the Keras model config in <paramref name="configText"/> (<c>{"class_name": "Sequential", "config": ...}</c>):
        /// the input size, the layers, each Dense layer's Keras name, and the diagnostics, located in
        /// <paramref name="configText"/> under <paramref name="path"/>.
        /// </summary>
        /// <param name="path">The file the config came from, for locations and messages (a <c>.h5</c> or <c>.keras</c> file).</param>
        /// <param name="configText">The config JSON.</param>
        /// <param name="kerasVersion">
        /// The Keras version that wrote it (an HDF5 file's <c>keras_version</c> attribute, such as "1.2.2" or "2.2.4"), or null
        /// to take it from the config's own <c>keras_version</c> and <c>module</c> keys.
        /// </param>
        /// <param name="cancellationToken">Checked once per layer and inside the JSON parser.</param>
        /// <returns>
        /// The model; <see cref="JsonModelFile.Format"/> is "Keras 1", "Keras 2.0", "tf.keras 2" or "Keras 3", and
        /// <see cref="JsonModelFile.DenseLayerNames"/> names each Dense layer in order.
        /// </returns>
        public static JsonModelFile Read(string path, SourceText configText, string? kerasVersion, CancellationToken cancellationToken)
        {
            var report = new JsonReport(path, configText, cancellationToken);
            JsonNode? root = JsonModelReader.ParseObject(report);
            if (root is null) return JsonModelReader.Result(report, JsonModelReader.UnknownFormat, null);
            if (root["class_name"] is null && root["model_config"] is { IsObject: true } wrapped)
            {
                // A model_config attribute written with its version beside it.
                kerasVersion ??= root["keras_version"]?.StringValue;
                root = wrapped;
            }
            KerasDialect dialect = Detect(root, kerasVersion, out string format);
            return Read(root, dialect, format, report);
        }

        /// <summary>
        /// The dialect of the model config <paramref name="model"/>: a <c>module</c> key means Keras 3; otherwise
        /// <paramref name="kerasVersion"/> (or the config's own <c>keras_version</c>) decides, and Keras 2 is assumed without one.
        /// <paramref name="format"/> gets the format name for <see cref="JsonModelFile.Format"/>.
        /// </summary>
        public static KerasDialect Detect(JsonNode model, string? kerasVersion, out string format)
        {
            string? version = kerasVersion ?? model["keras_version"]?.StringValue;
            KerasDialect dialect = model["module"] is not null ? KerasDialect.Keras3 : KerasDialects.FromVersion(version, KerasDialect.Keras2);
            format = dialect switch
            {
                KerasDialect.Keras3 => JsonModelReader.Keras3Format,
                KerasDialect.Keras1 => JsonModelReader.Keras1Format,
                // Keras 2.0 and 2.1 write a Sequential's config as the bare layer list.
                _ => model["config"] is { IsArray: true } ? JsonModelReader.Keras20Format : JsonModelReader.Keras2Format,
            };
            return dialect;
        }

        /// <summary>Reads the serialized Keras model <paramref name="model"/> of <paramref name="dialect"/>, reporting to <paramref name="report"/>.</summary>
        public static JsonModelFile Read(JsonNode model, KerasDialect dialect, string format, JsonReport report)
        {
            var stack = new LayerStackBuilder(report);
            EquatableArray<string> denseNames = ReadLayers(model, dialect, report, stack, out EquatableArray<string> classes);
            return JsonModelReader.Result(report, format, stack) with { DenseLayerNames = denseNames, WeightLayerClasses = classes };
        }

        /// <summary>Reads the layers of <paramref name="model"/> onto <paramref name="stack"/>; returns each Dense layer's Keras name, in order.</summary>
        public static EquatableArray<string> ReadLayers(JsonNode model, KerasDialect dialect, JsonReport report, LayerStackBuilder stack) =>
            ReadLayers(model, dialect, report, stack, out _);

        /// <summary>As above; <paramref name="classes"/> receives the class of each named weight layer.</summary>
        public static EquatableArray<string> ReadLayers(JsonNode model, KerasDialect dialect, JsonReport report, LayerStackBuilder stack, out EquatableArray<string> classes)
        {
            var layers = new KerasLayerReader(report, stack, dialect);
            if (KerasTopologyReader.ReadChain(model, report) is { } chain) layers.ReadLayers(chain);
            var names = new string[layers.DenseNames.Count];
            for (int i = 0; i < names.Length; i++) names[i] = layers.DenseNames[i];
            classes = new EquatableArray<string>(System.Linq.Enumerable.ToArray(layers.WeightClasses));
            return new EquatableArray<string>(names);
        }
    }
}
