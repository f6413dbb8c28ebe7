using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace ModelGen.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Source text with expected diagnostics marked in place: <c>{|MGEN001:Name|}</c> expects MGEN001 on exactly the span
    /// <c>Name</c>; <c>{|MGEN001,MGEN014:Name|}</c> expects both there. Markers do not nest.
    /// </summary>
    internal static class DiagnosticMarkup
    {
        /// <summary>An expected diagnostic: its ID and span in the unmarked text.</summary>
        public readonly record struct Expected(string Id, TextSpan Span);

        /// <summary>Strips the markers from <paramref name="markup"/> and returns the text and the expected diagnostics.</summary>
        public static (string Source, ImmutableArray<Expected> Expected) Parse(string markup)
        {
            var text = new StringBuilder(markup.Length);
            var expected = ImmutableArray.CreateBuilder<Expected>();
            int i = 0;
            while (i < markup.Length)
            {
                int open = markup.IndexOf("{|", i, StringComparison.Ordinal);
                if (open < 0)
                {
                    text.Append(markup, i, markup.Length - i);
                    break;
                }
                text.Append(markup, i, open - i);
                int colon = markup.IndexOf(':', open);
                int close = markup.IndexOf("|}", open, StringComparison.Ordinal);
                if (colon < 0 || close < 0 || colon > close) throw new FormatException($"Bad diagnostic marker at {open}");
                string[] ids = markup.Substring(open + 2, colon - open - 2).Split(',', StringSplitOptions.TrimEntries);
                string content = markup.Substring(colon + 1, close - colon - 1);
                var span = new TextSpan(text.Length, content.Length);
                foreach (string id in ids) expected.Add(new Expected(id, span));
                text.Append(content);
                i = close + 2;
            }
            return (text.ToString(), expected.ToImmutable());
        }

        /// <summary>
        /// Runs the generator on the unmarked <paramref name="markup"/> (as <c>Model.cs</c>) and asserts that the generator
        /// reported exactly the marked diagnostics, at the marked spans, and that the output compilation's own warnings and
        /// errors have exactly the IDs <paramref name="compilerIds"/> (none by default: the generator must not emit broken
        /// code while it reports problems).
        /// </summary>
        public static GeneratorRun Verify(string markup, params string[] compilerIds) => Verify(markup, Array.Empty<AdditionalText>(), compilerIds);

        /// <summary>
        /// A JSON-declared model end to end: <c>[Model(Json = "model.json")] public partial class FromJson { }</c> with the
        /// JSON file given as markup; the generator's diagnostics must be exactly the marked spans of the JSON file, each
        /// reported at that file's path.
        /// </summary>
        public static GeneratorRun VerifyJson(string jsonMarkup)
        {
            (string json, ImmutableArray<Expected> expected) = Parse(jsonMarkup);
            AdditionalText file = AdditionalFiles.Json("model.json", json);
            GeneratorRun run = GeneratorHarness.Run(
                GeneratorHarness.CreateCompilation("using ModelGen;\n\n[Model(Json = \"model.json\")]\npublic partial class FromJson { }\n"),
                expectDiagnostics: true, GeneratorHarness.CreateDriver(new[] { file }));
            SourceText text = file.GetText()!;
            AssertDiagnostics(run, expected.Select(e => Describe(e.Id, file.Path, text.Lines.GetLinePositionSpan(e.Span))), Array.Empty<string>());
            return run;
        }

        /// <summary>As <see cref="Verify(string, string[])"/>, with <paramref name="additionalFiles"/> in the project.</summary>
        public static GeneratorRun Verify(string markup, AdditionalText[] additionalFiles, params string[] compilerIds)
        {
            (string source, ImmutableArray<Expected> expected) = Parse(markup);
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source), expectDiagnostics: true, GeneratorHarness.CreateDriver(additionalFiles));
            SyntaxTree tree = run.Input.SyntaxTrees[0];
            AssertDiagnostics(run, expected.Select(e => Describe(e.Id, tree.FilePath, tree.GetLineSpan(e.Span))), compilerIds);
            return run;
        }

        // The generator reported exactly `want` (described as by Describe), and the output compilation's own warnings and
        // errors have exactly the IDs `compilerIds`.
        private static void AssertDiagnostics(GeneratorRun run, IEnumerable<string> want, string[] compilerIds)
        {
            string[] wanted = want.OrderBy(s => s, StringComparer.Ordinal).ToArray();
            string[] got = run.GeneratorDiagnostics.Where(d => !d.IsSuppressed)
                .Select(d => Describe(d.Id, d.Location.GetLineSpan().Path, d.Location.GetLineSpan()))
                .OrderBy(s => s, StringComparer.Ordinal).ToArray();
            Assert.True(wanted.SequenceEqual(got),
                $"Generator diagnostics differ.\nExpected:\n  {List(wanted)}\nActual:\n  {List(got)}\nMessages:\n{GeneratorHarness.Format(run.GeneratorDiagnostics)}");

            string[] compiler = run.CompilerDiagnostics.Select(d => d.Id).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
            string[] compilerWant = compilerIds.Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
            Assert.True(compilerWant.SequenceEqual(compiler),
                $"Compiler diagnostics: expected [{string.Join(", ", compilerWant)}], got:\n{GeneratorHarness.Format(run.CompilerDiagnostics, run.Output)}");
        }

        /// <summary>The message of the only generator diagnostic with <paramref name="id"/>, formatted invariantly.</summary>
        public static string MessageOf(GeneratorRun run, string id) =>
            Assert.Single(run.GeneratorDiagnostics, d => d.Id == id).GetMessage(CultureInfo.InvariantCulture);

        private static string List(string[] items) => items.Length == 0 ? "(none)" : string.Join("\n  ", items);

        // "MGEN001 Model.cs(4,22)-(4,27)", 1-based like the compiler's own output.
        private static string Describe(string id, string path, FileLinePositionSpan span) =>
            $"{id} {path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})";

        private static string Describe(string id, string path, LinePositionSpan span) => Describe(id, path, new FileLinePositionSpan(path, span));
    }
}
