using System;
using System.Collections.Generic;
using System.Threading;
using ModelGen.Formats.Json;

namespace ModelGen.Formats.Keras
{
    /// <summary>A layer as a Keras model config lists it: its name and class name (with a registered package, if any).</summary>
    internal sealed class KerasConfigLayer
    {
        public KerasConfigLayer(string name, string className)
        {
            Name = name;
            ClassName = className;
        }

        /// <summary>The layer's name (<c>config.name</c>, or the layer's own <c>name</c> in functional configs).</summary>
        public string Name { get; }

        /// <summary>The class name, e.g. <c>Dense</c>.</summary>
        public string ClassName { get; }
    }

    /// <summary>
    /// Lists the top-level layers of a Keras model config (Keras 1 and 2.0 bare lists, Keras 2.2+ and tf.keras
    /// <c>{"name", "layers"}</c>, Keras 3's wrapped layers) in config order. Only what the weight layouts need: the full
    /// mapping of layers to a network belongs to the generator's Keras reader.
    /// </summary>
    internal static class KerasConfigLayers
    {
        /// <summary>Longest config text accepted.</summary>
        public const int MaxLength = 64 << 20;

        /// <summary>The model's class name and layers; throws <see cref="FileFormatException"/> for JSON that is not a model config.</summary>
        public static KeyValuePair<string, List<KerasConfigLayer>> Read(string json)
        {
            if (json.Length > MaxLength) throw new FileFormatException($"the model config has {json.Length} characters, more than the limit of {MaxLength}");
            JsonNode? model = JsonReader.Parse(json, CancellationToken.None, out JsonParseError error);
            if (model is null) throw new FileFormatException($"the model config is not valid JSON: {error.Message} at character {error.Position}");
            if (!model.IsObject) throw new FileFormatException("the model config is not a JSON object");
            if (model["class_name"] is null && model["model_config"] is { IsObject: true } wrapped) model = wrapped;
            string className = model["class_name"]?.StringValue ?? "";
            JsonNode? config = model["config"];
            JsonNode? layers = config is { IsArray: true } ? config : config?["layers"];
            var result = new List<KerasConfigLayer>();
            if (layers is null || !layers.IsArray) return new KeyValuePair<string, List<KerasConfigLayer>>(className, result);
            foreach (JsonNode layer in layers.Items)
            {
                if (!layer.IsObject) throw new FileFormatException("a layer of the model config is not a JSON object");
                string layerClass = layer["class_name"]?.StringValue ?? throw new FileFormatException("a layer of the model config has no class_name");
                string? name = layer["name"]?.StringValue ?? layer["config"]?["name"]?.StringValue;
                result.Add(new KerasConfigLayer(name ?? "", layerClass));
            }
            return new KeyValuePair<string, List<KerasConfigLayer>>(className, result);
        }
    }
}
