using System.Collections.Generic;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Reads a TensorFlow.js layers-model <c>model.json</c>: the Keras topology under <c>modelTopology</c> (mapped by
    /// <see cref="KerasConfigReader"/>), then the <c>weightsManifest</c> that describes the binary shards.
    /// </summary>
    internal static class TfjsModelReader
    {
        /// <summary>Reads the layers-model document <paramref name="root"/>, reporting to <paramref name="report"/>.</summary>
        public static JsonModelFile Read(JsonNode root, JsonReport report)
        {
            if (!root.TryGetProperty("modelTopology", out JsonProperty topologyProperty))
            {
                report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(root), "A TensorFlow.js layers model", "'modelTopology'");
                return JsonModelReader.Result(report, JsonModelReader.TfjsFormat, null);
            }
            JsonNode topology = topologyProperty.Value;
            if (!topology.IsObject)
            {
                report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(topology), "'modelTopology'", "an object (the Keras model JSON)", topology.Describe());
                return JsonModelReader.Result(report, JsonModelReader.TfjsFormat, null);
            }
            // Models converted from Keras 3 by tensorflowjs carry Keras 3 semantics (hard_sigmoid among them).
            KerasDialect dialect = KerasDialects.FromVersion(topology["keras_version"]?.StringValue, KerasDialect.Keras2);
            JsonNode model = topology;
            if (topology.TryGetProperty("model_config", out JsonProperty modelConfig))
            {
                model = modelConfig.Value;
                if (!model.IsObject)
                {
                    report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(model), "'model_config'", "an object (the Keras model JSON)", model.Describe());
                    return JsonModelReader.Result(report, JsonModelReader.TfjsFormat, null);
                }
            }
            var stack = new LayerStackBuilder(report);
            EquatableArray<string> denseNames = KerasConfigReader.ReadLayers(model, dialect, report, stack);
            EquatableArray<JsonWeightGroup> manifest = default;
            if (root.TryGetProperty("weightsManifest", out JsonProperty manifestProperty)) manifest = ReadManifest(manifestProperty.Value, report);
            return JsonModelReader.Result(report, JsonModelReader.TfjsFormat, stack) with { DenseLayerNames = denseNames, WeightsManifest = manifest };
        }

        /// <summary>Reads the TensorFlow.js <c>weightsManifest</c>; empty after reporting a malformed one.</summary>
        private static EquatableArray<JsonWeightGroup> ReadManifest(JsonNode manifest, JsonReport report)
        {
            if (!manifest.IsArray)
            {
                report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(manifest), "'weightsManifest'", "an array of weight groups", manifest.Describe());
                return default;
            }
            var groups = new List<JsonWeightGroup>(manifest.Items.Length);
            foreach (JsonNode group in manifest.Items)
            {
                JsonNode? paths = group["paths"];
                JsonNode? weights = group["weights"];
                if (!group.IsObject || paths is not { IsArray: true } || weights is not { IsArray: true })
                {
                    report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(group), "A weightsManifest group", "an object with 'paths' and 'weights' arrays", group.Describe());
                    return default;
                }
                var pathList = new string[paths.Items.Length];
                for (int i = 0; i < pathList.Length; i++)
                {
                    string? p = paths.Items[i].StringValue;
                    if (p is null)
                    {
                        report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(paths.Items[i]), "A weightsManifest path", "a string", paths.Items[i].Describe());
                        return default;
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
                        report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(weight), "A weightsManifest entry", "an object with 'name', 'shape' and 'dtype'", weight.Describe());
                        return default;
                    }
                    var dims = new int[shape.Items.Length];
                    for (int d = 0; d < dims.Length; d++)
                    {
                        if (!shape.Items[d].TryGetInteger(out long dim) || dim < 0 || dim > int.MaxValue)
                        {
                            report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(shape.Items[d]), "A dimension of weight '" + name + "'", "a non-negative integer", shape.Items[d].Describe());
                            return default;
                        }
                        dims[d] = (int)dim;
                    }
                    string? quantization = weight["quantization"]?["dtype"]?.StringValue;
                    entries[i] = new JsonWeightEntry(name, new EquatableArray<int>(dims), dtype, quantization);
                }
                groups.Add(new JsonWeightGroup(new EquatableArray<string>(pathList), new EquatableArray<JsonWeightEntry>(entries)));
            }
            return new EquatableArray<JsonWeightGroup>(groups.ToArray());
        }
    }
}
