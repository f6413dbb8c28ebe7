using System;
using System.Collections.Generic;
using ModelGen.Generator.Diagnostics;

namespace ModelGen.Generator.Parsing
{
    /// <summary>The layers of a Keras model in application order, as the topology gives them (not yet mapped).</summary>
    /// <param name="LayersNode">The model's <c>layers</c> array (or the bare list of a Keras 1 / 2.0 Sequential), for locations.</param>
    /// <param name="Layers">The layer objects in application order.</param>
    /// <param name="ModelConfig">The model's <c>config</c> object (it may carry <c>build_input_shape</c> and <c>dtype</c>), or null.</param>
    internal readonly record struct KerasChain(JsonNode LayersNode, IReadOnlyList<JsonNode> Layers, JsonNode? ModelConfig);

    /// <summary>
    /// Reads the topology of a serialized Keras model (<c>{"class_name": "Sequential" | "Functional" | "Model", "config": ...}</c>)
    /// into one chain of layers: a Sequential's list (an object with <c>layers</c>, or Keras 1 / 2.0's bare list), or a
    /// Functional model whose layers form a single chain from its one input to its one output.
    /// </summary>
    internal static class KerasTopologyReader
    {
        /// <summary>The chain of <paramref name="model"/>, or null after reporting why it is not one.</summary>
        public static KerasChain? ReadChain(JsonNode model, JsonReport report)
        {
            JsonNode? classNode = model["class_name"];
            if (classNode is null)
            {
                report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(model), "The Keras model", "'class_name'");
                return null;
            }
            string? className = classNode.StringValue;
            if (className is null)
            {
                report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(classNode), "The model's 'class_name'", "a string", classNode.Describe());
                return null;
            }
            JsonNode? config = model["config"];
            if (className == "Sequential")
            {
                if (config is null)
                {
                    report.Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, "The Sequential model", "'config'");
                    return null;
                }
                JsonNode? layers = config.IsArray ? config : config["layers"];
                if (layers is null)
                {
                    report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(config), "The Sequential model's config", "'layers'");
                    return null;
                }
                if (!layers.IsArray)
                {
                    report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(layers), "'layers'", "an array of layers", layers.Describe());
                    return null;
                }
                return new KerasChain(layers, layers.Items, config.IsObject ? config : null);
            }
            if (className is "Functional" or "Model") return ReadFunctional(classNode, config, report);
            report.Report(DiagnosticDescriptors.JsonUnsupportedModel, classNode.Span, className,
                "ModelGen reads Sequential models, and Functional models whose layers form a single chain");
            return null;
        }

        /// <summary>Reads a Functional model whose layers form one chain from its single input to its single output.</summary>
        private static KerasChain? ReadFunctional(JsonNode classNode, JsonNode? config, JsonReport report)
        {
            string className = classNode.StringValue!;
            if (config is null || !config.IsObject)
            {
                report.Report(DiagnosticDescriptors.JsonMissingProperty, classNode.Span, "The " + className + " model", "a 'config' object");
                return null;
            }
            JsonNode? layers = config["layers"];
            if (layers is null || !layers.IsArray)
            {
                report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(config), "The " + className + " model's config", "a 'layers' array");
                return null;
            }
            var byName = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
            foreach (JsonNode layer in layers.Items)
            {
                string? name = layer["name"]?.StringValue ?? layer["config"]?["name"]?.StringValue;
                if (name is null)
                {
                    report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(layer), "A layer of the " + className + " model", "a 'name'");
                    return null;
                }
                if (byName.ContainsKey(name))
                {
                    report.Report(DiagnosticDescriptors.JsonUnsupportedModel, JsonReport.Head(layer), className, "two layers are named '" + name + "'");
                    return null;
                }
                byName[name] = layer;
            }
            string? output = SingleEndpoint(config, "output_layers", className, report);
            if (output is null) return null;
            if (SingleEndpoint(config, "input_layers", className, report) is null) return null;

            // Walk back from the output through single-input edges.
            var chain = new List<JsonNode>();
            var visited = new HashSet<string>(StringComparer.Ordinal);
            string current = output;
            while (true)
            {
                report.CancellationToken.ThrowIfCancellationRequested();
                if (!byName.TryGetValue(current, out JsonNode? layer))
                {
                    report.Report(DiagnosticDescriptors.JsonUnsupportedModel, classNode.Span, className, "it refers to a layer '" + current + "' that it does not define");
                    return null;
                }
                if (!visited.Add(current))
                {
                    report.Report(DiagnosticDescriptors.JsonUnsupportedModel, JsonReport.Head(layer), className, "its layers form a cycle through '" + current + "'");
                    return null;
                }
                chain.Add(layer);
                JsonNode? inbound = layer["inbound_nodes"];
                if (inbound is null || !inbound.IsArray || inbound.Items.Length == 0) break;
                if (inbound.Items.Length != 1)
                {
                    report.Report(DiagnosticDescriptors.JsonUnsupportedModel, JsonReport.Head(inbound), className,
                        "layer '" + current + "' is called " + inbound.Items.Length + " times (shared layers are not a sequential stack)");
                    return null;
                }
                var sources = new List<string>();
                CollectInboundLayers(inbound.Items[0], sources);
                if (sources.Count != 1)
                {
                    report.Report(DiagnosticDescriptors.JsonUnsupportedModel, JsonReport.Head(inbound), className,
                        "layer '" + current + "' takes " + sources.Count + " inputs; ModelGen supports a single chain of layers");
                    return null;
                }
                current = sources[0];
            }
            chain.Reverse();
            return new KerasChain(layers, chain, config);
        }

        /// <summary>The single layer name in <c>input_layers</c> / <c>output_layers</c> (<c>[["name", 0, 0]]</c> or <c>["name", 0, 0]</c>).</summary>
        private static string? SingleEndpoint(JsonNode config, string key, string className, JsonReport report)
        {
            JsonNode? node = config[key];
            if (node is null || !node.IsArray || node.Items.Length == 0)
            {
                report.Report(DiagnosticDescriptors.JsonMissingProperty, JsonReport.Head(config), "The " + className + " model's config", "'" + key + "'");
                return null;
            }
            if (node.Items[0].StringValue is { } flat) return flat;
            if (node.Items.Length != 1)
            {
                report.Report(DiagnosticDescriptors.JsonUnsupportedModel, JsonReport.Head(node), className,
                    "it has " + node.Items.Length + " " + (key == "input_layers" ? "inputs" : "outputs") + "; ModelGen supports one input and one output");
                return null;
            }
            if (node.Items[0].IsArray && node.Items[0].Items.Length > 0 && node.Items[0].Items[0].StringValue is { } name) return name;
            report.Report(DiagnosticDescriptors.JsonInvalidValue, JsonReport.Head(node.Items[0]), "'" + key + "'", "a list of [layer name, node index, tensor index]", node.Items[0].Describe());
            return null;
        }

        /// <summary>
        /// Adds the names of the layers one inbound node reads: Keras 1 and 2 write <c>[["name", 0, 0, {}], ...]</c>, Keras 3
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
    }
}
