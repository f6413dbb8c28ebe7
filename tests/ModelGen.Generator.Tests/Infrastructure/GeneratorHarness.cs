using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Sdk;

namespace ModelGen.Generator.Tests.Infrastructure
{
    /// <summary>One generated file: its hint name and text.</summary>
    internal sealed record GeneratedFile(string HintName, string Text);

    /// <summary>What one harness run produced.</summary>
    internal sealed class GeneratorRun
    {
        /// <summary>The compilation the generator ran on.</summary>
        public required CSharpCompilation Input { get; init; }

        /// <summary>The input plus the generated trees.</summary>
        public required Compilation Output { get; init; }

        /// <summary>The driver after the first run (feed it edited compilations for incrementality tests).</summary>
        public required GeneratorDriver Driver { get; init; }

        /// <summary>The result of the first run.</summary>
        public required GeneratorRunResult Result { get; init; }

        /// <summary>Generated files, ordered by hint name (ordinal).</summary>
        public required ImmutableArray<GeneratedFile> Sources { get; init; }

        /// <summary>Diagnostics the generator reported, after the compilation's filtering (pragmas, severity options).</summary>
        public required ImmutableArray<Diagnostic> GeneratorDiagnostics { get; init; }

        /// <summary>Warnings and errors of the output compilation (compiler diagnostics only; suppressed ones left out).</summary>
        public required ImmutableArray<Diagnostic> CompilerDiagnostics { get; init; }

        /// <summary>The text of the file with hint name <paramref name="hintName"/>.</summary>
        public string Source(string hintName) =>
            Sources.FirstOrDefault(s => s.HintName == hintName)?.Text
            ?? throw new XunitException($"No generated file '{hintName}'; generated: {string.Join(", ", Sources.Select(s => s.HintName))}");
    }

    /// <summary>
    /// The one harness every generator test goes through. It compiles source text, runs the generator with step tracking,
    /// runs it again on <c>compilation.Clone()</c> and checks that every tracked step came from the cache, walks the
    /// tracked outputs for symbols, syntax and compilations, and checks that the output compiles cleanly.
    /// Modelled on andrewlock/NetEscapades.EnumGenerators <c>tests/NetEscapades.EnumGenerators.Tests/TestHelpers.cs</c>.
    /// </summary>
    internal static class GeneratorHarness
    {
        /// <summary>Name of the test compilation; deliberately not a friend of the runtime (no InternalsVisibleTo).</summary>
        public const string AssemblyName = "ModelGenGeneratorTestUser";

        /// <summary>Name of the source output steps in <see cref="GeneratorRunResult.TrackedOutputSteps"/>.</summary>
        public const string SourceOutput = "SourceOutput";

        /// <summary>Parse options of user code and of generated trees: latest C#, XML docs checked.</summary>
        public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithDocumentationMode(DocumentationMode.Diagnose);

        /// <summary>
        /// Compilation options matching the repository's projects: nullable on, every warning wave. CS1701/CS1702
        /// (reference unification) are off as in every SDK project, since the runtime targets net9.0 and the test runs on net10.0.
        /// CS1591 (missing XML comment) is off because test sources are not documented.
        /// </summary>
        public static readonly CSharpCompilationOptions CompilationOptions = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithWarningLevel(9999)
            .WithDeterministic(true)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
                ["CS1591"] = ReportDiagnostic.Suppress,
            });

        private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

        /// <summary>The framework assemblies of the running .NET plus the ModelGen runtime.</summary>
        public static ImmutableArray<MetadataReference> References => s_references.Value;

        private static ImmutableArray<MetadataReference> LoadReferences()
        {
            // The trusted platform assemblies of the test host include xunit, Roslyn and the generator itself; keep only
            // the shared framework (the directory of System.Private.CoreLib) so user code sees what a net10.0 app sees.
            string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            string tpa = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
            var references = tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
                .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                .OrderBy(p => p, StringComparer.Ordinal)
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToList();
            references.Add(MetadataReference.CreateFromFile(typeof(ModelGen.IModel).Assembly.Location));
            return references.ToImmutableArray();
        }

        /// <summary>A syntax tree of user code at <paramref name="path"/>.</summary>
        public static SyntaxTree Parse(string source, string path = "Model.cs") =>
            CSharpSyntaxTree.ParseText(source, ParseOptions, path, Encoding.UTF8);

        /// <summary>A compilation of the given files against <see cref="References"/>.</summary>
        public static CSharpCompilation CreateCompilation(params SyntaxTree[] trees) =>
            CSharpCompilation.Create(AssemblyName, trees, References, CompilationOptions);

        /// <summary>A compilation of one file, <c>Model.cs</c>.</summary>
        public static CSharpCompilation CreateCompilation(string source) => CreateCompilation(Parse(source));

        /// <summary>A driver for the ModelGen generator with step tracking on and every output kind run.</summary>
        /// <param name="additionalFiles">The project's AdditionalFiles (see <see cref="AdditionalFiles"/>); none when null.</param>
        public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText>? additionalFiles = null) => CSharpGeneratorDriver.Create(
            new[] { new ModelGenGenerator().AsSourceGenerator() },
            additionalTexts: additionalFiles,
            parseOptions: ParseOptions,
            optionsProvider: AdditionalFiles.Options(),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

        /// <summary>Runs the generator on one file of <paramref name="source"/> with <paramref name="additionalFiles"/> in the project.</summary>
        public static GeneratorRun Run(string source, IEnumerable<AdditionalText> additionalFiles, bool expectDiagnostics = false) =>
            Run(CreateCompilation(source), expectDiagnostics, CreateDriver(additionalFiles));

        /// <summary>Runs the generator on one file of <paramref name="source"/>; see <see cref="Run(CSharpCompilation, bool, GeneratorDriver?, bool)"/>.</summary>
        public static GeneratorRun Run(string source, bool expectDiagnostics = false) => Run(CreateCompilation(source), expectDiagnostics);

        /// <summary>
        /// Runs <paramref name="previous"/>'s driver on <paramref name="edited"/>, so that the step reasons of the result say what the
        /// edit re-ran; the same checks as <see cref="Run(CSharpCompilation, bool, GeneratorDriver?, bool)"/> apply.
        /// </summary>
        public static GeneratorRun RunEdited(GeneratorRun previous, CSharpCompilation edited, bool expectDiagnostics = false) =>
            Run(edited, expectDiagnostics, previous.Driver);

        /// <summary>
        /// Runs the generator on <paramref name="compilation"/>, then again on its clone, and checks:
        /// no generator exception (CS8785) and no exception in the run result; every tracked step of the second run is
        /// Cached or Unchanged with outputs equal to the first; no tracked output holds an ISymbol, SyntaxNode,
        /// Compilation, SemanticModel, SyntaxTree or Location. Unless <paramref name="expectDiagnostics"/>, also that the
        /// generator reported nothing and the output compilation has zero errors and zero warnings.
        /// </summary>
        /// <param name="compilation">The user code.</param>
        /// <param name="expectDiagnostics">When false, the generator must report nothing and the output must compile cleanly.</param>
        /// <param name="driver">A driver that already ran (for edit tests); a fresh one when null.</param>
        /// <param name="compileOutput">
        /// False skips binding the output compilation (the slow part for large outputs), for tests that compare generated text
        /// of scenarios other tests already compile; <see cref="GeneratorRun.CompilerDiagnostics"/> is then empty.
        /// </param>
        public static GeneratorRun Run(CSharpCompilation compilation, bool expectDiagnostics = false, GeneratorDriver? driver = null, bool compileOutput = true)
        {
            CSharpCompilation clone = compilation.Clone();
            driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            GeneratorDriverRunResult first = driver.GetRunResult();
            AssertNoGeneratorException(first, generatorDiagnostics);

            GeneratorDriverRunResult second = driver.RunGenerators(clone).GetRunResult();
            AssertNoGeneratorException(second, second.Diagnostics);
            AssertSecondRunCached(first.Results[0], second.Results[0]);
            AssertNoForbiddenObjects(first.Results[0]);

            ImmutableArray<GeneratedFile> sources = first.Results[0].GeneratedSources
                .Select(s => new GeneratedFile(s.HintName, s.SourceText.ToString()))
                .OrderBy(s => s.HintName, StringComparer.Ordinal)
                .ToImmutableArray();
            ImmutableArray<Diagnostic> compilerDiagnostics = !compileOutput ? ImmutableArray<Diagnostic>.Empty : output.GetDiagnostics()
                .Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed)
                .ToImmutableArray();

            var run = new GeneratorRun
            {
                Input = compilation,
                Output = output,
                Driver = driver,
                Result = first.Results[0],
                Sources = sources,
                GeneratorDiagnostics = generatorDiagnostics,
                CompilerDiagnostics = compilerDiagnostics,
            };
            if (!expectDiagnostics)
            {
                Assert.True(generatorDiagnostics.IsEmpty, "The generator reported diagnostics:\n" + Format(generatorDiagnostics));
                Assert.True(compilerDiagnostics.IsEmpty, "The output compilation has errors or warnings:\n" + Format(compilerDiagnostics, output));
            }
            return run;
        }

        /// <summary>Fails if the generator threw: a CS8785 diagnostic or an exception in the run result.</summary>
        public static void AssertNoGeneratorException(GeneratorDriverRunResult result, ImmutableArray<Diagnostic> diagnostics)
        {
            Assert.Single(result.Results);
            Exception? exception = result.Results[0].Exception;
            Assert.True(exception is null, "The generator threw: " + exception);
            Diagnostic? crash = diagnostics.FirstOrDefault(d => d.Id is "CS8785" or "CS8784");
            Assert.True(crash is null, "The generator threw: " + crash);
        }

        /// <summary>
        /// Every tracked step of <paramref name="second"/> (a run on an equal compilation) must have come from the cache: the same
        /// outputs, each Cached or Unchanged; and every source output must be Cached.
        /// </summary>
        /// <remarks>
        /// The diagnostics half is not cached by design (STYLE.md section 5): a new run of the FAWMN transform, which
        /// <c>ForAttributeWithMetadataName</c> does on any new compilation, builds new <see cref="ImmutableArray{T}"/>s of
        /// <see cref="Diagnostic"/>, which compare by reference. So in <see cref="Steps.CarryingDiagnostics"/> outputs are compared
        /// structurally (diagnostics by value), and Modified is accepted when the output holds diagnostics; the same goes for the
        /// source outputs that report them. The spec step and the emitter's output get no such allowance.
        /// </remarks>
        public static void AssertSecondRunCached(GeneratorRunResult first, GeneratorRunResult second)
        {
            foreach (string name in GeneratorInternals.TrackingNames)
            {
                bool carrying = Steps.CarryingDiagnostics.Contains(name);
                // Outputs the first run removed (after an edit) are gone from the second; compare what is left.
                (object Value, IncrementalStepRunReason Reason)[] outputs1 = StepsOf(first, name).SelectMany(s => s.Outputs).Where(o => o.Reason != IncrementalStepRunReason.Removed).ToArray();
                (object Value, IncrementalStepRunReason Reason)[] outputs2 = StepsOf(second, name).SelectMany(s => s.Outputs).ToArray();
                Assert.True(outputs1.Length == outputs2.Length, $"Step {name}: {outputs1.Length} outputs first, {outputs2.Length} on an equal compilation");
                for (int i = 0; i < outputs1.Length; i++)
                {
                    (object value, IncrementalStepRunReason reason) = outputs2[i];
                    bool equal = carrying ? StructurallyEqual(outputs1[i].Value, value) : Equals(outputs1[i].Value, value);
                    Assert.True(equal, $"Step {name} output {i} differs on an equal compilation, so it cannot be cached: {outputs1[i].Value} vs {value}");
                    bool cached = reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged
                        || (carrying && reason == IncrementalStepRunReason.Modified && HoldsDiagnostics(value));
                    Assert.True(cached, $"Step {name} output {i} was {reason} on an equal compilation; expected Cached or Unchanged. Value: {value}");
                }
            }
            if (!second.TrackedOutputSteps.TryGetValue(SourceOutput, out ImmutableArray<IncrementalGeneratorRunStep> outputSteps)) return;
            foreach (IncrementalGeneratorRunStep step in outputSteps)
            {
                bool specs = FedBy(step, Steps.ModelSpecs);
                foreach ((object value, IncrementalStepRunReason reason) in step.Outputs)
                {
                    bool cached = reason == IncrementalStepRunReason.Cached || (!specs && reason == IncrementalStepRunReason.Modified && HoldsDiagnostics(value));
                    Assert.True(cached, $"A source output{(specs ? " of the emitter" : "")} was {reason} on an equal compilation; expected Cached");
                }
            }
        }

        /// <summary>
        /// Equality that compares <see cref="ImmutableArray{T}"/>s and other sequences element by element, records field by field,
        /// and diagnostics by ID, severity, location and message.
        /// </summary>
        private static bool StructurallyEqual(object? a, object? b)
        {
            if (Equals(a, b)) return true;
            if (a is null || b is null || a.GetType() != b.GetType()) return false;
            // Diagnostic.Equals compares message arguments by reference, so boxed numbers and enums never match.
            if (a is Diagnostic da && b is Diagnostic db)
            {
                return da.Id == db.Id && da.Severity == db.Severity && da.Location == db.Location
                    && da.GetMessage(CultureInfo.InvariantCulture) == db.GetMessage(CultureInfo.InvariantCulture);
            }
            Type type = a.GetType();
            if (type.IsPrimitive || type.IsEnum || a is string or Diagnostic) return false;
            if (IsDefaultImmutableArray(a) || IsDefaultImmutableArray(b)) return false;
            if (a is IEnumerable sequenceA && b is IEnumerable sequenceB)
            {
                object?[] itemsA = sequenceA.Cast<object?>().ToArray(), itemsB = sequenceB.Cast<object?>().ToArray();
                return itemsA.Length == itemsB.Length && itemsA.Zip(itemsB).All(p => StructurallyEqual(p.First, p.Second));
            }
            return type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .All(f => StructurallyEqual(f.GetValue(a), f.GetValue(b)));
        }

        /// <summary>True when <paramref name="value"/> (a step output, a tuple, a record) holds at least one <see cref="Diagnostic"/>.</summary>
        private static bool HoldsDiagnostics(object? value)
        {
            switch (value)
            {
                case null: return false;
                case Diagnostic: return true;
                case ImmutableArray<Diagnostic> list: return !list.IsDefaultOrEmpty;
                case ITuple tuple:
                    for (int i = 0; i < tuple.Length; i++) if (HoldsDiagnostics(tuple[i])) return true;
                    return false;
            }
            Type type = value.GetType();
            if (type.Assembly != typeof(ModelGenGenerator).Assembly) return false;
            return type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Any(f => HoldsDiagnostics(f.GetValue(value)));
        }

        private static bool IsDefaultImmutableArray(object value)
        {
            Type type = value.GetType();
            return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ImmutableArray<>)
                && (bool)type.GetProperty(nameof(ImmutableArray<int>.IsDefault))!.GetValue(value)!;
        }

        /// <summary>The runs of the tracked step <paramref name="name"/> (empty when it did not run).</summary>
        public static ImmutableArray<IncrementalGeneratorRunStep> StepsOf(GeneratorRunResult result, string name) =>
            result.TrackedSteps.TryGetValue(name, out ImmutableArray<IncrementalGeneratorRunStep> steps) ? steps : ImmutableArray<IncrementalGeneratorRunStep>.Empty;

        /// <summary>The reasons of every output of the tracked step <paramref name="name"/>, in order.</summary>
        public static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string name) =>
            StepsOf(result, name).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

        /// <summary>The reasons of every source output (the <c>RegisterSourceOutput</c> steps), in order.</summary>
        public static IncrementalStepRunReason[] OutputReasons(GeneratorRunResult result) =>
            result.TrackedOutputSteps.TryGetValue(SourceOutput, out ImmutableArray<IncrementalGeneratorRunStep> steps)
                ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray()
                : Array.Empty<IncrementalStepRunReason>();

        /// <summary>
        /// The reasons of the source outputs fed by the tracked step <paramref name="input"/> (for example the emitter's output,
        /// fed by <see cref="Steps.ModelSpecs"/>, or the diagnostics' output, fed by <see cref="Steps.ModelDiagnostics"/>).
        /// </summary>
        public static IncrementalStepRunReason[] OutputReasons(GeneratorRunResult result, string input) =>
            result.TrackedOutputSteps.TryGetValue(SourceOutput, out ImmutableArray<IncrementalGeneratorRunStep> steps)
                ? steps.Where(s => FedBy(s, input)).SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray()
                : Array.Empty<IncrementalStepRunReason>();

        // True when a step named `name` is upstream of `step`.
        private static bool FedBy(IncrementalGeneratorRunStep step, string name) =>
            step.Inputs.Any(i => i.Source.Name == name || FedBy(i.Source, name));

        // ---------------------------------------------------------------------------------------------------------------
        // Object-graph walk
        // ---------------------------------------------------------------------------------------------------------------

        private static readonly Type[] s_forbidden =
        {
            typeof(ISymbol), typeof(SyntaxNode), typeof(Compilation), typeof(SemanticModel), typeof(SyntaxTree), typeof(Location),
        };

        /// <summary>
        /// Walks every output of every tracked step by reflection and fails on an <see cref="ISymbol"/>, <see cref="SyntaxNode"/>,
        /// <see cref="Compilation"/>, <see cref="SemanticModel"/>, <see cref="SyntaxTree"/> or <see cref="Location"/>, or a
        /// <see cref="SyntaxToken"/>. <see cref="Steps.ModelDiagnostics"/> is skipped (it carries diagnostics by design) and
        /// in the other <see cref="Steps.CarryingDiagnostics"/> a <see cref="Diagnostic"/> is a leaf; anywhere else a
        /// <see cref="Diagnostic"/> fails too, since it holds a <see cref="Location"/>.
        /// </summary>
        public static void AssertNoForbiddenObjects(GeneratorRunResult result)
        {
            foreach (string name in GeneratorInternals.TrackingNames)
            {
                if (name == Steps.ModelDiagnostics || name == Steps.OrphanDense || name == Steps.OrphanActivation || name == Steps.OrphanDropout) continue;
                bool diagnosticsAllowed = Steps.CarryingDiagnostics.Contains(name);
                foreach (IncrementalGeneratorRunStep step in StepsOf(result, name))
                {
                    foreach ((object value, IncrementalStepRunReason _) in step.Outputs)
                    {
                        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
                        Walk(value, name, diagnosticsAllowed, visited);
                    }
                }
            }
        }

        private static void Walk(object? node, string path, bool diagnosticsAllowed, HashSet<object> visited)
        {
            if (node is null) return;
            Type type = node.GetType();
            if (type.IsPrimitive || type.IsEnum || node is string or decimal) return;
            if (!type.IsValueType && !visited.Add(node)) return;
            foreach (Type forbidden in s_forbidden)
            {
                if (forbidden.IsInstanceOfType(node)) throw new XunitException($"Tracked output {path} holds a {forbidden.Name} ({type.FullName}): it defeats caching and roots the compilation");
            }
            if (node is SyntaxToken or SyntaxTrivia) throw new XunitException($"Tracked output {path} holds a {type.Name}");
            if (node is Diagnostic)
            {
                if (diagnosticsAllowed) return;
                throw new XunitException($"Tracked output {path} holds a Diagnostic (and with it a Location) outside the diagnostics steps");
            }
            if (IsDefaultImmutableArray(node)) return;
            if (node is IEnumerable items)
            {
                int i = 0;
                foreach (object? item in items) Walk(item, $"{path}[{i++}]", diagnosticsAllowed, visited);
                return;
            }
            for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer) continue;
                    Walk(field.GetValue(node), path + "." + field.Name, diagnosticsAllowed, visited);
                }
            }
        }

        // ---------------------------------------------------------------------------------------------------------------
        // Formatting
        // ---------------------------------------------------------------------------------------------------------------

        /// <summary>One diagnostic per line: <c>Model.cs(3,2): error MGEN001: message</c>.</summary>
        public static string Format(IEnumerable<Diagnostic> diagnostics, Compilation? output = null)
        {
            var text = new StringBuilder();
            foreach (Diagnostic d in diagnostics.Take(20))
            {
                text.Append("  ").Append(d).AppendLine();
                if (output is not null && d.Location.SourceTree is { } tree)
                {
                    string line = tree.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim();
                    text.Append("      ").Append(line).AppendLine();
                }
            }
            return text.ToString();
        }
    }
}
