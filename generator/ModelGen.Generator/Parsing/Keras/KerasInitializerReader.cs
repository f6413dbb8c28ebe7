using System;
using System.Globalization;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Maps Keras initializers (a name such as <c>"he_normal"</c>, a <c>{class_name, config}</c> object, or Keras 2.2's and
    /// TF.js's <c>VarianceScaling</c> spelling) to <see cref="Initializer"/>; warns and falls back when a configuration has
    /// no exact counterpart.
    /// </summary>
    internal sealed class KerasInitializerReader
    {
        /// <summary>Where problems go.</summary>
        private readonly JsonReport _report;

        /// <summary>Creates a reader reporting to <paramref name="report"/>.</summary>
        public KerasInitializerReader(JsonReport report) => _report = report;

        /// <summary>Maps an initializer (a name, or a <c>{class_name, config}</c> object) to the enum; warns and falls back when it cannot.</summary>
        public Initializer ReadInitializer(JsonNode? node, Initializer fallback)
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
                _report.Report(DiagnosticDescriptors.JsonUnknownInitializer, JsonReport.Head(node), node.Describe(), Name(fallback));
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
                        _report.Report(DiagnosticDescriptors.JsonInitializerApproximated, value is null ? nameNode.Span : value.Span, name,
                            "value " + (value?.Describe() ?? "?"), Name(fallback));
                        return fallback;
                    }
                case "variancescaling":
                    return ReadVarianceScaling(name, nameNode, config, fallback);
                default:
                    _report.Report(DiagnosticDescriptors.JsonUnknownInitializer, nameNode.Span, "\"" + name + "\"", Name(fallback));
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
                    _report.Report(DiagnosticDescriptors.JsonInitializerApproximated, value.Span, name, key + " " + value.Describe(), Name(initializer) + " with its default " + key + " " + expected.ToString("R", CultureInfo.InvariantCulture));
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
            _report.Report(DiagnosticDescriptors.JsonInitializerApproximated, span, name, parameters, Name(chosen));
            return chosen;
        }
    }
}
