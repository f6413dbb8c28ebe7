// TEMPORARY STUB (not committed): replaced by helper-6's reader.
using System.Threading;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Model;
namespace ModelGen.Generator.Parsing
{
    internal sealed record JsonModelFile(string Path, string Format, int InputSize, EquatableArray<DeclaredLayer> Layers, bool Usable, EquatableArray<DiagnosticInfo> Diagnostics);
    internal static class JsonModelReader
    {
        public static JsonModelFile Read(string path, SourceText text, CancellationToken ct) => new(path, "", 0, default, false, default);
    }
}
