using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generator.Diagnostics;
using ModelGen.Generator.Emit;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;

namespace ModelGen.Generator
{
    /// <summary>
    /// Runs each step of the pipeline so that no exception escapes the generator: an unexpected one becomes MGEN085 (an
    /// internal error naming the step and the exception) at the class, file or attribute being processed, and the step
    /// yields nothing for that model. Without this, Roslyn reports CS8785 and drops the output of every model in the
    /// project. Cancellation is not an error: <see cref="OperationCanceledException"/> passes through when the token asked
    /// for it.
    /// </summary>
    internal static class PipelineGuard
    {
        /// <summary>
        /// Test hook: called with the step's name at the start of every guarded step, on the flow that set it (an
        /// <see cref="AsyncLocal{T}"/>, so parallel tests do not see each other's). Null outside tests.
        /// </summary>
        internal static readonly AsyncLocal<Action<string>?> Fault = new();

        /// <summary>Test hook: called with the class name before each model is emitted (one model failing among others).</summary>
        internal static readonly AsyncLocal<Action<string>?> EmitFault = new();

        /// <summary>Step names (the first argument of MGEN085 and of <see cref="Fault"/>).</summary>
        internal const string ReadingAttributes = "reading the [Model] attributes", ReadingOrphan = "checking layer attributes",
            ReadingJson = "reading the JSON model file", ReadingWeights = "reading the weights file",
            Resolving = "combining the model with its JSON and weights files", Emitting = "generating the model's code";

        /// <summary><see cref="AttributeReader.Read"/>, guarded; an internal error is located at the class name.</summary>
        public static ModelResult ReadModel(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            try
            {
                Fault.Value?.Invoke(ReadingAttributes);
                return AttributeReader.Read(context, cancellationToken);
            }
            catch (Exception e) when (IsInternal(e, cancellationToken))
            {
                return new ModelResult(null, ImmutableArray.Create(Diagnostic.Create(DiagnosticDescriptors.InternalError, NameLocation(context.TargetNode), ReadingAttributes, Describe(e))));
            }
        }

        /// <summary><see cref="AttributeReader.ReadOrphanLayer"/>, guarded.</summary>
        public static ImmutableArray<Diagnostic> ReadOrphanLayer(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            try
            {
                Fault.Value?.Invoke(ReadingOrphan);
                return AttributeReader.ReadOrphanLayer(context, cancellationToken);
            }
            catch (Exception e) when (IsInternal(e, cancellationToken))
            {
                return ImmutableArray.Create(Diagnostic.Create(DiagnosticDescriptors.InternalError, NameLocation(context.TargetNode), ReadingOrphan, Describe(e)));
            }
        }

        /// <summary>
        /// Largest JSON model file read: 4,194,304 characters (2^22). Keras and TF.js declarations of the largest model
        /// ModelGen takes (1024 layers) are about 2 MB; parsing costs up to about 30 bytes of memory per character (a file
        /// of small numbers), so this bounds a parse at about 130 MB. Longer files get MGEN086 without being parsed.
        /// </summary>
        public const int MaxJsonLength = 1 << 22;

        /// <summary>
        /// <see cref="JsonModelReader.Read"/>, guarded, after the size limit (<see cref="MaxJsonLength"/>, MGEN086); an
        /// internal error makes the file unusable, located at its start.
        /// </summary>
        public static JsonModelFile ReadJson(AdditionalText file, CancellationToken cancellationToken)
        {
            try
            {
                Fault.Value?.Invoke(ReadingJson);
                SourceText text = file.GetText(cancellationToken) ?? SourceText.From("");
                if (text.Length > MaxJsonLength)
                {
                    var tooLarge = DiagnosticInfo.Create(DiagnosticDescriptors.JsonFileTooLarge, new LocationInfo(file.Path, 0, 0, 0, 0, 0, 0), file.Path, text.Length, MaxJsonLength);
                    return new JsonModelFile(file.Path, "", 0, new EquatableArray<DeclaredLayer>(Array.Empty<DeclaredLayer>()), false, new EquatableArray<DiagnosticInfo>(new[] { tooLarge }));
                }
                return JsonModelReader.Read(file.Path, text, cancellationToken);
            }
            catch (Exception e) when (IsInternal(e, cancellationToken))
            {
                var error = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, new LocationInfo(file.Path, 0, 0, 0, 0, 0, 0), ReadingJson + " '" + file.Path + "'", Describe(e));
                return new JsonModelFile(file.Path, "", 0, new EquatableArray<DeclaredLayer>(Array.Empty<DeclaredLayer>()), false, new EquatableArray<DiagnosticInfo>(new[] { error }));
            }
        }

        /// <summary><see cref="WeightsReader.Read"/>, guarded; an internal error becomes the file's error (reported as MGEN085's text by the model that uses it).</summary>
        public static WeightsFile ReadWeights(AdditionalText file, CancellationToken cancellationToken)
        {
            try
            {
                Fault.Value?.Invoke(ReadingWeights);
                return WeightsReader.Read(file.Path, file.GetText(cancellationToken) ?? SourceText.From(""), cancellationToken);
            }
            catch (Exception e) when (IsInternal(e, cancellationToken))
            {
                // Named by the binary file's path from the first line, as the resolver looks weights up by it.
                return new WeightsFile(WeightsSourcePath(file, cancellationToken), "", new EquatableArray<float>(Array.Empty<float>()), $"ModelGen failed while reading it (internal error MGEN085, a bug in ModelGen: {Describe(e)})");
            }
        }

        /// <summary><see cref="ModelResolver.Resolve"/>, guarded; an internal error is located at the [Model] attribute.</summary>
        public static ResolvedModel Resolve(ModelRequest request, ImmutableArray<JsonModelFile> jsonFiles, ImmutableArray<WeightsFile> weightsFiles, string? projectDirectory, CancellationToken cancellationToken)
        {
            try
            {
                Fault.Value?.Invoke(Resolving);
                return ModelResolver.Resolve(request, jsonFiles, weightsFiles, projectDirectory);
            }
            catch (Exception e) when (IsInternal(e, cancellationToken))
            {
                return new ResolvedModel(null, new EquatableArray<DiagnosticInfo>(new[] { DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, request.Attribute, Resolving, Describe(e)) }));
            }
        }

        /// <summary>
        /// <see cref="NetworkEmitter.Emit"/>, guarded: the sources are collected first and added only when the whole model
        /// was emitted, so an internal error leaves no half-generated class behind (only MGEN085, naming the class).
        /// </summary>
        public static void Emit(SourceProductionContext context, NetworkSpec spec)
        {
            var sources = new List<(string Hint, string Text)>();
            try
            {
                Fault.Value?.Invoke(Emitting);
                EmitFault.Value?.Invoke(spec.ClassName);
                NetworkEmitter.Emit(spec, (hint, text) => sources.Add((hint, text)), context.CancellationToken);
            }
            catch (Exception e) when (IsInternal(e, context.CancellationToken))
            {
                string name = spec.Namespace.Length == 0 ? spec.ClassName : spec.Namespace + "." + spec.ClassName;
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, Location.None, Emitting + " for '" + name + "'", Describe(e)));
                return;
            }
            foreach ((string hint, string text) in sources) context.AddSource(hint, text);
        }

        /// <summary>The binary file's path on the first line of a weights text (<c>ModelGen weights 1: {path}</c>), else the text's own path.</summary>
        private static string WeightsSourcePath(AdditionalText file, CancellationToken cancellationToken)
        {
            const string prefix = "ModelGen weights 1: ";
            try
            {
                SourceText? text = file.GetText(cancellationToken);
                if (text is null || text.Lines.Count == 0) return file.Path;
                string first = text.Lines[0].ToString();
                return first.StartsWith(prefix, StringComparison.Ordinal) ? first.Substring(prefix.Length).TrimEnd('\r') : file.Path;
            }
            catch (Exception e) when (IsInternal(e, cancellationToken))
            {
                return file.Path;
            }
        }

        /// <summary>Everything but the cancellation the token asked for.</summary>
        private static bool IsInternal(Exception e, CancellationToken cancellationToken) => !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

        /// <summary>The exception's type, message and innermost frame of ModelGen's own code (enough to find the bug).</summary>
        private static string Describe(Exception e)
        {
            string where = "";
            string? trace = e.StackTrace;
            if (trace is not null)
            {
                foreach (string line in trace.Split('\n'))
                {
                    if (line.Contains("ModelGen."))
                    {
                        where = " " + line.Trim();
                        break;
                    }
                }
            }
            return e.GetType().FullName + ": " + e.Message + where;
        }

        /// <summary>The identifier of a type declaration, else the node itself.</summary>
        private static Location NameLocation(SyntaxNode node) => node is BaseTypeDeclarationSyntax type ? type.Identifier.GetLocation() : node.GetLocation();
    }
}
