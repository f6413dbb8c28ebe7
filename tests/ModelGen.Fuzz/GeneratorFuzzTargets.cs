// The generator's fuzz targets: one per reader. Each takes arbitrary bytes and checks the reader's contract: a result or
// a located diagnostic, never an exception, never a value or location outside the input. A broken contract throws
// FuzzContractException; any other exception escaping a target is a bug in the reader. Compiled into ModelGen.Fuzz (run
// by AFL++ through SharpFuzz, where the generator is referenced under the alias 'generator' because the runtime's public
// types are linked into it) and into ModelGen.Generator.Tests (the bounded mutation tests that CI runs).
#if MODELGEN_FUZZ
extern alias generator;
using generator::ModelGen.Generator.Emit;
using generator::ModelGen.Generator.Model;
using generator::ModelGen.Generator.Parsing;
#else
using ModelGen.Generator.Emit;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;
#endif
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ModelGen.Fuzz
{
    /// <summary>A reader broke its contract on a fuzzed input.</summary>
    public sealed class FuzzContractException : Exception
    {
        /// <summary>Creates the exception naming the broken rule.</summary>
        public FuzzContractException(string message)
            : base(message)
        {
        }

        /// <summary>Throws when <paramref name="condition"/> is false.</summary>
        public static void Check(bool condition, string rule)
        {
            if (!condition) throw new FuzzContractException(rule);
        }
    }

    /// <summary>The generator's readers as fuzz targets.</summary>
    public static class GeneratorFuzzTargets
    {
        /// <summary>The JSON tokenizer: a tree whose every span lies inside the text and inside its parent, or an error at a position in the text.</summary>
        public static void Json(byte[] data)
        {
            string text = Encoding.UTF8.GetString(data);
            JsonNode? root = JsonReader.Parse(text, CancellationToken.None, out JsonParseError error);
            if (root is null)
            {
                Check(!string.IsNullOrEmpty(error.Message), "a failed parse has no message");
                Check(error.Position >= 0 && error.Position <= text.Length, $"error position {error.Position} is outside the text of {text.Length} chars");
                return;
            }
            var pending = new Stack<(JsonNode Node, int Depth, int Start, int End)>();
            pending.Push((root, 0, 0, text.Length));
            while (pending.Count > 0)
            {
                (JsonNode node, int depth, int start, int end) = pending.Pop();
                Check(depth <= JsonReader.MaxDepth + 1, $"nesting {depth} passed the reader's limit {JsonReader.MaxDepth}");
                Check(node.Span.Start >= start && node.Span.End <= end, $"span {node.Span} of a {node.Kind} lies outside its parent [{start}, {end})");
                switch (node.Kind)
                {
                    case JsonKind.String:
                        Check(node.Text is not null, "a string without text");
                        break;
                    case JsonKind.Number:
                        Check(!string.IsNullOrEmpty(node.Text), "a number without its text");
                        break;
                    case JsonKind.Object:
                        foreach (JsonProperty property in node.Properties)
                        {
                            Check(property.NameSpan.Start >= node.Span.Start && property.NameSpan.End <= node.Span.End, "a property name outside its object");
                            pending.Push((property.Value, depth + 1, node.Span.Start, node.Span.End));
                        }
                        break;
                    case JsonKind.Array:
                        foreach (JsonNode item in node.Items) pending.Push((item, depth + 1, node.Span.Start, node.Span.End));
                        break;
                }
            }
        }

        /// <summary>
        /// The JSON model reader (Keras 3, tf.keras 2, Keras 2.0, TF.js layers-model, ModelGen format; the format is
        /// detected from the text), then the resolver and, for small models, the emitter: usable or not, every diagnostic
        /// lies inside the file.
        /// </summary>
        public static void Model(byte[] data)
        {
            const string path = "/fuzz/model.json";
            SourceText text = SourceText.From(Encoding.UTF8.GetString(data));
            JsonModelFile file = JsonModelReader.Read(path, text, CancellationToken.None);
            CheckLocations(file.Diagnostics, path, text.Length);
            if (!file.Usable)
            {
                Check(HasError(file.Diagnostics), "an unusable model file without an error diagnostic");
                return;
            }
            Resolve(file, null, weightsPath: null);
        }

        /// <summary>The weights decoder (MGW1, safetensors, raw float32 are told apart by their bytes).</summary>
        public static void Weights(byte[] data)
        {
            CheckWeights(WeightsReader.Decode("/fuzz/weights.bin", data, CancellationToken.None));
        }

        /// <summary>The text form of a weights file (the build targets' base64 wrapper): the raw text, and the bytes wrapped.</summary>
        public static void WeightsText(byte[] data)
        {
            CheckWeights(WeightsReader.Read("/fuzz/weights.modelgen-weights", SourceText.From(Encoding.UTF8.GetString(data)), CancellationToken.None));
            CheckWeights(WeightsReader.Read("/fuzz/w.modelgen-weights", SourceText.From("ModelGen weights 1: /fuzz/w.bin\n" + Convert.ToBase64String(data)), CancellationToken.None));
        }

        /// <summary>
        /// A TensorFlow.js model.json with its weightsManifest, and the raw shard it names, through the JSON reader, the
        /// decoder and the resolver (which checks the manifest against the layers). The input is the JSON, a zero byte,
        /// then the weights; without a zero byte the weights are 73 values (the scorer fixture's count).
        /// </summary>
        public static void Tfjs(byte[] data)
        {
            int zero = Array.IndexOf(data, (byte)0);
            byte[] json = zero < 0 ? data : data.AsSpan(0, zero).ToArray();
            byte[] weights = zero < 0 ? s_scorerWeights : data.AsSpan(zero + 1).ToArray();
            const string path = "/fuzz/model.json";
            SourceText text = SourceText.From(Encoding.UTF8.GetString(json));
            JsonModelFile file = JsonModelReader.Read(path, text, CancellationToken.None);
            CheckLocations(file.Diagnostics, path, text.Length);
            if (!file.Usable) return;
            WeightsFile decoded = WeightsReader.Decode("/fuzz/group1-shard1of1.bin", weights, CancellationToken.None);
            CheckWeights(decoded);
            Resolve(file, decoded, "group1-shard1of1.bin");
        }

        private static readonly byte[] s_scorerWeights = ScorerWeights();

        private static byte[] ScorerWeights()
        {
            var bytes = new byte[4 * 73];
            for (int i = 0; i < 73; i++) BitConverter.TryWriteBytes(bytes.AsSpan(4 * i), (i % 7 - 3) * 0.125f);
            return bytes;
        }

        private static void CheckWeights(WeightsFile file)
        {
            if (file.Error is not null)
            {
                Check(file.Values.Count == 0, "a failed weights file kept values");
                return;
            }
            foreach (float v in file.Values.AsSpan()) Check(!float.IsNaN(v) && !float.IsInfinity(v), "a decoded weight is not finite");
            foreach (WeightsTensor t in file.Tensors.AsSpan())
            {
                Check(t.Start >= 0 && t.Count >= 0 && (long)t.Start + t.Count <= file.Values.Count, $"tensor '{t.Name}' [{t.Start}, +{t.Count}) lies outside the {file.Values.Count} values");
                long product = 1;
                foreach (int d in t.Shape.AsSpan()) product *= d;
                Check(product == t.Count, $"tensor '{t.Name}' has {t.Count} values for a shape of {product}");
            }
        }

        /// <summary>Runs the resolver (and, for small models, the emitter) on a usable JSON model, with or without weights.</summary>
        private static void Resolve(JsonModelFile file, WeightsFile? weights, string? weightsPath)
        {
            var request = new ModelRequest("Fuzz", "Net", "Net", 0, new EquatableArray<DeclaredLayer>(Array.Empty<DeclaredLayer>()), "model.json", weightsPath,
                new LocationInfo("/fuzz/Net.cs", 0, 1, 0, 0, 0, 1));
            ImmutableArray<WeightsFile> weightsFiles = weights is null ? ImmutableArray<WeightsFile>.Empty : ImmutableArray.Create(weights);
            ResolvedModel resolved = ModelResolver.Resolve(request, ImmutableArray.Create(file), weightsFiles, "/fuzz/");
            if (resolved.Spec is null)
            {
                Check(HasError(resolved.Diagnostics), "a model that resolved to nothing without an error diagnostic");
                return;
            }
            if (resolved.Spec.ParameterCount > 4096) return; // emitting big models only costs time; their sizes were checked
            int sources = 0;
            NetworkEmitter.Emit(resolved.Spec, (hint, source) => sources++, CancellationToken.None);
            Check(sources > 0, "a resolved model emitted no source");
        }

        private static bool HasError(EquatableArray<DiagnosticInfo> diagnostics)
        {
            foreach (DiagnosticInfo d in diagnostics.AsSpan())
            {
                if (d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error) return true;
            }
            return false;
        }

        private static void CheckLocations(EquatableArray<DiagnosticInfo> diagnostics, string path, int length)
        {
            foreach (DiagnosticInfo d in diagnostics.AsSpan())
            {
                if (d.Location is not LocationInfo l || l.Path != path) continue;
                Check(l.Start >= 0 && l.Length >= 0 && l.Start + l.Length <= length, $"{d.Descriptor.Id} is located at [{l.Start}, +{l.Length}), outside the {length} chars of the file");
            }
        }

        private static void Check(bool condition, string rule) => FuzzContractException.Check(condition, rule);
    }
}
