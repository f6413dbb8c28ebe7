using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace ModelGen.Generator.Model
{
    /// <summary>An equatable stand-in for a <see cref="Location"/> in a file that is not C# (a JSON or weights AdditionalFile).</summary>
    /// <remarks>Holds only strings and numbers, so it may live in cached pipeline values.</remarks>
    internal readonly record struct LocationInfo(string Path, int Start, int Length, int StartLine, int StartCharacter, int EndLine, int EndCharacter)
    {
        /// <summary>A location covering <paramref name="span"/> of <paramref name="text"/>.</summary>
        public static LocationInfo From(string path, SourceText text, TextSpan span)
        {
            LinePositionSpan lines = text.Lines.GetLinePositionSpan(span);
            return new LocationInfo(path, span.Start, span.Length, lines.Start.Line, lines.Start.Character, lines.End.Line, lines.End.Character);
        }

        /// <summary>The Roslyn location (created only where diagnostics are reported, never cached).</summary>
        public Location ToLocation() => Location.Create(
            Path,
            new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartCharacter), new LinePosition(EndLine, EndCharacter)));
    }

    /// <summary>An equatable stand-in for a <see cref="Diagnostic"/>: descriptor, location and message arguments rendered as invariant strings.</summary>
    /// <remarks>Holds only a descriptor (itself equatable), a <see cref="LocationInfo"/> and strings, so it may live in cached pipeline values.</remarks>
    internal sealed record DiagnosticInfo(DiagnosticDescriptor Descriptor, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        /// <summary>Creates an info, rendering <paramref name="arguments"/> with the invariant culture (floats round-trip).</summary>
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params object?[] arguments)
        {
            var rendered = new string[arguments.Length];
            for (int i = 0; i < arguments.Length; i++)
            {
                rendered[i] = arguments[i] switch
                {
                    null => "",
                    float f => f.ToString("R", CultureInfo.InvariantCulture),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                    object other => other.ToString() ?? "",
                };
            }
            return new DiagnosticInfo(descriptor, location, new EquatableArray<string>(rendered));
        }

        /// <summary>The diagnostic, at <see cref="Location"/> or at <paramref name="fallback"/> when this info has none.</summary>
        public Diagnostic ToDiagnostic(Location? fallback = null)
        {
            var arguments = new object[Arguments.Count];
            for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
            return Diagnostic.Create(Descriptor, Location?.ToLocation() ?? fallback ?? Microsoft.CodeAnalysis.Location.None, arguments);
        }
    }
}
