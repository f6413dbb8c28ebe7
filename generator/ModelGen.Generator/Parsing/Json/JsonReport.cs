using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Model;

namespace ModelGen.Generator.Parsing
{
    /// <summary>
    /// Where the diagnostics of one JSON document go: the document's path and text (for locations), the diagnostics so far,
    /// and whether an error made the document unusable. Every JSON format reader reports through one of these; it is the
    /// only state the format readers share besides the <see cref="LayerStackBuilder"/> they fill.
    /// </summary>
    internal sealed class JsonReport
    {
        /// <summary>Everything reported so far, in order.</summary>
        private readonly List<DiagnosticInfo> _diagnostics = new();
        /// <summary>True once MGEN006 is reported (one "too large" per document).</summary>
        private bool _tooLargeReported;

        /// <summary>Creates a report for the document <paramref name="text"/> at <paramref name="path"/>.</summary>
        public JsonReport(string path, SourceText text, CancellationToken cancellationToken)
        {
            Path = path;
            Text = text;
            CancellationToken = cancellationToken;
            int slash = System.Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
            FileName = slash >= 0 ? path.Substring(slash + 1) : path;
        }

        /// <summary>The document's path, for locations.</summary>
        public string Path { get; }

        /// <summary>The document's text, for the line and column of locations.</summary>
        public SourceText Text { get; }

        /// <summary>The file name without directories, for messages.</summary>
        public string FileName { get; }

        /// <summary>Checked once per layer and inside the parser.</summary>
        public CancellationToken CancellationToken { get; }

        /// <summary>True once an error is reported: the document's layers are not usable.</summary>
        public bool Failed { get; private set; }

        /// <summary>Everything reported so far, in order.</summary>
        public EquatableArray<DiagnosticInfo> Diagnostics => new(_diagnostics.ToArray());

        /// <summary>Adds a diagnostic at <paramref name="span"/>; errors make the document unusable.</summary>
        public void Report(DiagnosticDescriptor descriptor, TextSpan span, params object?[] arguments)
        {
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, LocationInfo.From(Path, Text, span), arguments));
            if (descriptor.DefaultSeverity == DiagnosticSeverity.Error) Failed = true;
        }

        /// <summary>Reports MGEN006 (the model is too large) once per document.</summary>
        public void ReportTooLarge(TextSpan span, string reason)
        {
            if (_tooLargeReported) return;
            _tooLargeReported = true;
            Report(DiagnosticDescriptors.ModelTooLarge, span, FileName, reason);
        }

        /// <summary>Reads an optional boolean <paramref name="key"/> of <paramref name="config"/> (null or absent gives <paramref name="fallback"/>); clears <paramref name="ok"/> after reporting a non-boolean.</summary>
        public bool ReadBool(JsonNode config, string key, bool fallback, string label, ref bool ok)
        {
            JsonNode? node = config[key];
            if (node is null || node.IsNull) return fallback;
            if (node.IsBool) return node.Kind == JsonKind.True;
            Report(DiagnosticDescriptors.JsonInvalidValue, Head(node), "'" + key + "' of " + label, "true or false", node.Describe());
            ok = false;
            return fallback;
        }

        /// <summary>The span to report on for a node: the opening bracket of a container, the whole value otherwise.</summary>
        public static TextSpan Head(JsonNode node) => node.IsObject || node.IsArray ? new TextSpan(node.Span.Start, 1) : node.Span;
    }
}
