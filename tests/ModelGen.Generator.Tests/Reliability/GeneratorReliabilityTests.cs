using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Formats.Json;
using ModelGen.Generator.Emit;
using ModelGen.Generator.Model;
using ModelGen.Generator.Parsing;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Reliability
{
    /// <summary>
    /// The generator inside a build (issue 13): an unexpected exception in any step becomes MGEN085 at the class, file or
    /// attribute being processed (never the compiler's CS8785, which drops every model's code); huge declarations and files
    /// are refused before anything is sized by them; cancellation is honoured.
    /// </summary>
    public sealed class GeneratorReliabilityTests
    {
        private const string Source = """
            using ModelGen;

            [Model(4)]
            [Dense(3)]
            public partial class Plain { }

            [Model(Json = "models/net.json", Weights = "models/net.bin")]
            public partial class FromFiles { }
            """;

        private static readonly string s_json = "{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3, \"activation\": \"relu\"}]}";

        private static AdditionalText[] Files() => new[]
        {
            AdditionalFiles.Json("models/net.json", s_json),
            AdditionalFiles.Weights("models/net.bin", AdditionalFiles.Raw(Enumerable.Range(0, 15).Select(i => i / 16f).ToArray())),
        };

        [Fact]
        public void WithoutAFaultBothModelsGenerate()
        {
            GeneratorRun run = GeneratorHarness.Run(Source, Files());
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Contains(run.Sources, s => s.HintName == "Plain.g.cs");
            Assert.Contains(run.Sources, s => s.HintName == "FromFiles.g.cs");
        }

        [Theory]
        [InlineData(PipelineGuard.ReadingAttributes)]
        [InlineData(PipelineGuard.ReadingOrphan)]
        [InlineData(PipelineGuard.ReadingJson)]
        [InlineData(PipelineGuard.ReadingWeights)]
        [InlineData(PipelineGuard.Resolving)]
        [InlineData(PipelineGuard.Emitting)]
        public void AnExceptionInAnyStepIsALocatedInternalError(string step)
        {
            // The harness fails the test on CS8785/CS8784 or an exception in the run result.
            GeneratorRun run = WithFault(step, () => GeneratorHarness.Run(GeneratorHarness.CreateCompilation(GeneratorHarness.Parse(Source, "/src/Models.cs")), expectDiagnostics: true, GeneratorHarness.CreateDriver(Files())));

            string[] sources = Generated(run);
            if (step == PipelineGuard.ReadingWeights)
            {
                // A weights file that failed is the model's weights error (MGEN039-style), carrying MGEN085's text.
                Diagnostic unreadable = Assert.Single(run.GeneratorDiagnostics);
                Assert.Contains("internal error MGEN085", unreadable.GetMessage());
                Assert.Contains("injected fault", unreadable.GetMessage());
                Assert.Equal("/src/Models.cs", unreadable.Location.GetLineSpan().Path);
                Assert.Equal(new[] { "Plain" }, sources);
                return;
            }

            Diagnostic[] errors = run.GeneratorDiagnostics.Where(d => d.Id == "MGEN085").ToArray();
            Assert.NotEmpty(errors);
            Assert.All(errors, d =>
            {
                Assert.Equal(DiagnosticSeverity.Error, d.Severity);
                Assert.Contains("ModelGen failed while " + step, d.GetMessage());
                Assert.Contains("System.InvalidOperationException: injected fault", d.GetMessage());
            });
            Assert.All(run.GeneratorDiagnostics, d => Assert.Equal("MGEN085", d.Id));
            switch (step)
            {
                case PipelineGuard.ReadingAttributes:
                    // At each class name; a failed [Model] read generates nothing.
                    Assert.Equal(new[] { "FromFiles", "Plain" }, errors.Select(d => NameAt(d)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray());
                    Assert.Empty(sources);
                    break;
                case PipelineGuard.ReadingOrphan:
                    // The orphan check runs on classes with [Dense] (Plain); it is a side check, so the models still generate.
                    Assert.Equal(new[] { "Plain" }, errors.Select(d => NameAt(d)).Distinct().ToArray());
                    Assert.Equal(new[] { "FromFiles", "Plain" }, sources);
                    break;
                case PipelineGuard.ReadingJson:
                    Diagnostic json = Assert.Single(errors);
                    Assert.Equal(AdditionalFiles.ProjectDirectory + "models/net.json", json.Location.GetLineSpan().Path);
                    Assert.Equal(new[] { "Plain" }, sources);
                    break;
                case PipelineGuard.Resolving:
                    // At FromFiles' [Model] attribute (the one model that needs its files combined).
                    Diagnostic resolve = Assert.Single(errors);
                    Assert.Equal("/src/Models.cs", resolve.Location.GetLineSpan().Path);
                    Assert.StartsWith("Model(Json = ", Source.Substring(resolve.Location.SourceSpan.Start, resolve.Location.SourceSpan.Length));
                    Assert.Equal(new[] { "Plain" }, sources);
                    break;
                case PipelineGuard.Emitting:
                    Assert.Equal(new[] { "generating the model's code for 'FromFiles'", "generating the model's code for 'Plain'" },
                        errors.Select(d => d.GetMessage().Substring("ModelGen failed while ".Length, d.GetMessage().IndexOf("':", StringComparison.Ordinal) + 1 - "ModelGen failed while ".Length)).OrderBy(m => m, StringComparer.Ordinal).ToArray());
                    Assert.Empty(sources); // collected first, added only when the whole model was emitted
                    break;
            }
        }

        [Fact]
        public void AnExceptionInOneModelLeavesTheOthersGenerated()
        {
            // Only FromFiles' emission fails; Plain is still generated and the build sees one error naming FromFiles.
            GeneratorRun run = WithFault(PipelineGuard.Emitting, () => GeneratorHarness.Run(Source, Files(), expectDiagnostics: true), onlyFor: "FromFiles");
            Assert.Single(run.GeneratorDiagnostics, d => d.Id == "MGEN085" && d.GetMessage().Contains("'FromFiles'"));
            Assert.Equal(new[] { "Plain" }, Generated(run));
        }

        [Fact]
        public void CancellationIsNotAnInternalError()
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            AdditionalText json = AdditionalFiles.Json("models/net.json", s_json);
            AdditionalText weights = Files()[1];
            Assert.ThrowsAny<OperationCanceledException>(() => PipelineGuard.ReadJson(json, cancelled.Token));
            Assert.ThrowsAny<OperationCanceledException>(() => PipelineGuard.ReadWeights(weights, cancelled.Token));
            GeneratorDriver driver = GeneratorHarness.CreateDriver(Files());
            Assert.ThrowsAny<OperationCanceledException>(() => driver.RunGenerators(GeneratorHarness.CreateCompilation(Source), cancelled.Token));
        }

        [Fact]
        public void ReadersStopOnACancelledToken()
        {
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();
            string layers = string.Join(",", Enumerable.Repeat("{\"dense\": 8, \"activation\": \"relu\"}", 1000));
            SourceText big = SourceText.From("{\"format\": \"modelgen\", \"inputs\": 8, \"layers\": [" + layers + "]}");
            Assert.ThrowsAny<OperationCanceledException>(() => JsonReader.Parse(big.ToString(), cancelled.Token, out _));
            Assert.ThrowsAny<OperationCanceledException>(() => JsonModelReader.Read("/m/net.json", big, cancelled.Token));
            Assert.ThrowsAny<OperationCanceledException>(() => WeightsReader.Decode("/m/w.bin", AdditionalFiles.Safetensors(("w", new[] { 2 }, new[] { 1f, 2f })), cancelled.Token));
        }

        [Fact]
        public void EmitterStopsBetweenFilesWhenCancelled()
        {
            // A 20-layer model emits several files; cancelling while the first is added stops before the next.
            JsonModelFile file = JsonModelReader.Read("/m/net.json", SourceText.From("{\"format\": \"modelgen\", \"inputs\": 8, \"layers\": [" + string.Join(",", Enumerable.Repeat("{\"dense\": 8, \"activation\": \"tanh\"}", 20)) + "]}"), CancellationToken.None);
            var request = new ModelRequest("N", "Net", "Net", 0, new EquatableArray<DeclaredLayer>(Array.Empty<DeclaredLayer>()), "net.json", null, new LocationInfo("/m/Net.cs", 0, 1, 0, 0, 0, 1));
            NetworkSpec spec = ModelResolver.Resolve(request, ImmutableArray.Create(file with { Path = "/m/net.json" }), ImmutableArray<WeightsFile>.Empty, "/m/").Spec!;
            int all = 0;
            NetworkEmitter.Emit(spec, (_, _) => all++, CancellationToken.None);
            Assert.True(all > 1, $"the model emits {all} files");

            using var source = new CancellationTokenSource();
            int added = 0;
            Assert.ThrowsAny<OperationCanceledException>(() => NetworkEmitter.Emit(spec, (_, _) =>
            {
                added++;
                source.Cancel();
            }, source.Token));
            Assert.Equal(1, added);
        }

        [Theory]
        [InlineData("[Model(4)] [{|MGEN006:Dense(1000000)|}] public partial class Wide { }", "a layer of 1000000 units (the limit is 262144)")]
        [InlineData("[{|MGEN006:Model(40000)|}] [Dense(25000)] public partial class Billion { }", "more than 134217728 parameters")]
        [InlineData("[{|MGEN006:Model(1000000)|}] [Dense(1)] public partial class WideInput { }", "1000000 inputs (the limit is 262144)")]
        public void HugeDeclarationsAreRefusedNamingTheLimit(string declaration, string limit)
        {
            // Declared sizes are checked before anything is sized by them: the refusal allocates little (timing: ModelGen.Fuzz measure).
            long before = GC.GetAllocatedBytesForCurrentThread();
            GeneratorRun run = DiagnosticMarkup.Verify("using ModelGen;\n" + declaration);
            Assert.Contains(limit, DiagnosticMarkup.MessageOf(run, "MGEN006"));
            Assert.Empty(run.Sources);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 200_000_000, "the refusal allocated in proportion to the declared size");
        }

        [Theory]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 1000000}]}", "a layer of 1000000 units (the limit is 262144)")]
        [InlineData("{\"format\": \"modelgen\", \"inputs\": 40000, \"layers\": [{\"dense\": 25000}]}", "more than 134217728 parameters")]
        public void HugeJsonDeclarationsAreRefusedNamingTheLimit(string json, string limit)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            JsonModelFile file = JsonModelReader.Read("/m/net.json", SourceText.From(json), CancellationToken.None);
            Assert.False(file.Usable);
            DiagnosticInfo tooLarge = Assert.Single(file.Diagnostics.AsSpan().ToArray());
            Assert.Equal("MGEN006", tooLarge.Descriptor.Id);
            Assert.Contains(limit, tooLarge.Arguments[1]);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "the refusal allocated in proportion to the declared size");
        }

        [Fact]
        public void TenMegabyteJsonFileIsRefusedUnparsed()
        {
            string text = "{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3}], \"metadata\": [" + string.Join(",", Enumerable.Repeat("123", 2_600_000)) + "]}";
            Assert.True(text.Length > 10_000_000);
            var file = new InMemoryAdditionalText("/m/huge.json", text);
            file.GetText(); // the compiler has the text already; only the generator's own work is counted
            long before = GC.GetAllocatedBytesForCurrentThread();
            JsonModelFile read = PipelineGuard.ReadJson(file, CancellationToken.None);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            DiagnosticInfo tooLarge = Assert.Single(read.Diagnostics.AsSpan().ToArray());
            Assert.Equal("MGEN086", tooLarge.Descriptor.Id);
            Assert.Equal(new[] { "/m/huge.json", text.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), "4194304" }, tooLarge.Arguments.AsSpan().ToArray());
            Assert.Equal("/m/huge.json", tooLarge.Location!.Value.Path);
            Assert.True(allocated < 100_000, $"refusing allocated {allocated} bytes");
        }

        [Fact]
        public void JsonFileAtTheLimitIsReadWithBoundedMemory()
        {
            // The worst case under the limit: small numbers (the most nodes per character).
            var text = new StringBuilder("{\"format\": \"modelgen\", \"inputs\": 4, \"layers\": [{\"dense\": 3}], \"metadata\": [");
            while (text.Length < PipelineGuard.MaxJsonLength - 10) text.Append("1,");
            text.Append("1]}");
            var file = new InMemoryAdditionalText("/m/big.json", text.ToString());
            file.GetText();
            long before = GC.GetAllocatedBytesForCurrentThread();
            JsonModelFile read = PipelineGuard.ReadJson(file, CancellationToken.None);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(read.Usable);
            Assert.True(allocated < 80L * PipelineGuard.MaxJsonLength, $"reading {text.Length} characters allocated {allocated} bytes");
        }

        [Fact]
        public void TenMegabyteWeightsFileIsRefusedUndecoded()
        {
            AdditionalText weights = AdditionalFiles.Weights("models/big.bin", new byte[10_000_000]);
            weights.GetText();
            long before = GC.GetAllocatedBytesForCurrentThread();
            WeightsFile file = PipelineGuard.ReadWeights(weights, CancellationToken.None);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.NotNull(file.Error);
            Assert.Contains("1048576 float32 values", file.Error);
            Assert.True(allocated < 100_000, $"refusing allocated {allocated} bytes");
        }

        [Fact]
        public void WeightsAtTheCompiledInLimitAreRead()
        {
            var values = new float[NetworkBuilder.MaxEmbeddedParameters];
            for (int i = 0; i < values.Length; i++) values[i] = i % 97 / 97f;
            WeightsFile file = PipelineGuard.ReadWeights(AdditionalFiles.Weights("models/limit.bin", AdditionalFiles.Raw(values)), CancellationToken.None);
            Assert.Null(file.Error);
            Assert.Equal(values.Length, file.Values.Count);
            WeightsFile over = WeightsReader.Decode("/m/over.bin", AdditionalFiles.Raw(new float[NetworkBuilder.MaxEmbeddedParameters + 1]), CancellationToken.None);
            Assert.Contains("more than a model can have (1048576)", over.Error);
        }

        /// <summary>Runs <paramref name="run"/> with an exception injected at <paramref name="step"/> (for one model's emission only, when <paramref name="onlyFor"/> is set).</summary>
        private static T WithFault<T>(string step, Func<T> run, string? onlyFor = null)
        {
            PipelineGuard.Fault.Value = s =>
            {
                if (s == step && onlyFor is null) throw new InvalidOperationException("injected fault");
            };
            if (onlyFor is not null) PipelineGuard.EmitFault.Value = name =>
            {
                if (name == onlyFor) throw new InvalidOperationException("injected fault");
            };
            try
            {
                return run();
            }
            finally
            {
                PipelineGuard.Fault.Value = null;
                PipelineGuard.EmitFault.Value = null;
            }
        }

        /// <summary>The models with generated files (hint names are the class name, then '.' and the part).</summary>
        private static string[] Generated(GeneratorRun run) =>
            run.Sources.Select(s => s.HintName.Substring(0, s.HintName.IndexOf('.'))).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToArray();

        private static string NameAt(Diagnostic d) => d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);
    }
}
