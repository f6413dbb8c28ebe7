using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator.Tests.Emit;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;
using static Microsoft.CodeAnalysis.IncrementalStepRunReason;

namespace ModelGen.Generator.Tests.Pipeline
{
    /// <summary>
    /// One test per kind of edit, each with the expected reason per tracked step. The driver of a first run is fed an edited
    /// compilation; the reasons then say what the edit re-ran.
    /// </summary>
    /// <remarks>
    /// <c>ForAttributeWithMetadataName</c> re-runs its transform for every attributed class whenever the compilation changes
    /// (the transform receives a semantic model), so <see cref="Steps.AttributeModels"/> reports <c>Unchanged</c>, never
    /// <c>Cached</c>, after any edit. What must stay <c>Cached</c> is everything after it: the specs and the emitter.
    /// </remarks>
    public sealed class IncrementalityTests
    {
        private const string OtherModelSource = """
            using ModelGen;

            namespace Other;

            [Model(2)]
            [Dense(2, Activation.Tanh)]
            public partial class OtherNet { }
            """;

        private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string newText)
        {
            SyntaxTree old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
            return compilation.ReplaceSyntaxTree(old, GeneratorHarness.Parse(newText, path));
        }

        // Element-wise (Assert.Equal on two ImmutableArrays would compare the array references).
        private static void AssertSameSources(IEnumerable<GeneratedFile> expected, IEnumerable<GeneratedFile> actual) =>
            Assert.Equal(expected.ToArray(), actual.ToArray());

        private static void AssertReasons(GeneratorRun run, string step, params IncrementalStepRunReason[] expected) =>
            Assert.Equal(expected, GeneratorHarness.Reasons(run.Result, step));

        [Fact]
        public void EveryTrackingNameIsAStepThatRuns()
        {
            // Scorer has both [Dense] and [Activation] and WithDropout a [Dropout], so every step, the orphan checks included,
            // runs; a model with a JSON declaration and a weights file runs the file steps and the join.
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse(SnapshotTests.ScorerSource),
                GeneratorHarness.Parse("using ModelGen;\n[Model(3)]\n[Dense(4, Activation.Tanh)]\n[Dropout(0.1f)]\n[Dense(1)]\npublic partial class WithDropout { }\n", "WithDropout.cs"),
                GeneratorHarness.Parse("using ModelGen;\n[Model(Json = \"net.json\", Weights = \"net.bin\")]\npublic partial class FromFiles { }\n", "FromFiles.cs"));
            AdditionalText[] files = { AdditionalFiles.Json("net.json", DiagnosticsTests.SmallJson), AdditionalFiles.Weights("net.bin", AdditionalFiles.Raw(1, 2, 3)) };
            GeneratorRun run = GeneratorHarness.Run(compilation, driver: GeneratorHarness.CreateDriver(files));
            Assert.NotEmpty(GeneratorInternals.TrackingNames);
            Assert.All(GeneratorInternals.TrackingNames, name => Assert.NotEmpty(GeneratorHarness.Reasons(run.Result, name)));
            Assert.All(GeneratorInternals.TrackingNames, name => Assert.All(GeneratorHarness.Reasons(run.Result, name), r => Assert.Equal(New, r)));
        }

        [Fact]
        public void CommentInModelFile_SpecsAndOutputCached()
        {
            GeneratorRun first = GeneratorHarness.Run(SnapshotTests.IrisNetSource);
            string edited = "// A comment that moves every line down.\n" + SnapshotTests.IrisNetSource.Replace("public partial class IrisNet { }", "public partial class IrisNet { /* body comment */ }");

            GeneratorRun second = GeneratorHarness.RunEdited(first, Replace(first.Input, "Model.cs", edited));

            AssertReasons(second, Steps.AttributeModels, Unchanged);
            AssertReasons(second, Steps.ModelSpecs, Cached);
            AssertReasons(second, Steps.ModelDiagnostics, Cached);
            Assert.Equal(new[] { Cached }, GeneratorHarness.OutputReasons(second.Result, Steps.ModelSpecs));
            Assert.All(GeneratorHarness.OutputReasons(second.Result), r => Assert.Equal(Cached, r));
            AssertSameSources(first.Sources, second.Sources);
        }

        [Fact]
        public void MemberAddedToModelClass_SpecsAndOutputCached()
        {
            GeneratorRun first = GeneratorHarness.Run(SnapshotTests.IrisNetSource);
            string edited = SnapshotTests.IrisNetSource.Replace("public partial class IrisNet { }", "public partial class IrisNet { public int Extra => 1; }");

            GeneratorRun second = GeneratorHarness.RunEdited(first, Replace(first.Input, "Model.cs", edited));

            AssertReasons(second, Steps.AttributeModels, Unchanged);
            AssertReasons(second, Steps.ModelSpecs, Cached);
            AssertReasons(second, Steps.ModelDiagnostics, Cached);
            Assert.All(GeneratorHarness.OutputReasons(second.Result), r => Assert.Equal(Cached, r));
            AssertSameSources(first.Sources, second.Sources);
        }

        [Fact]
        public void UnrelatedFileAdded_EverythingAfterTheTransformCached()
        {
            GeneratorRun first = GeneratorHarness.Run(SnapshotTests.IrisNetSource);

            GeneratorRun second = GeneratorHarness.RunEdited(first, first.Input.AddSyntaxTrees(GeneratorHarness.Parse("namespace App { public static class Util { public static int Two => 2; } }", "Util.cs")));

            AssertReasons(second, Steps.AttributeModels, Unchanged);
            AssertReasons(second, Steps.ModelSpecs, Cached);
            AssertReasons(second, Steps.ModelDiagnostics, Cached);
            Assert.All(GeneratorHarness.OutputReasons(second.Result), r => Assert.Equal(Cached, r));
            AssertSameSources(first.Sources, second.Sources);
        }

        [Fact]
        public void UnrelatedFileChanged_EverythingAfterTheTransformCached()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse(SnapshotTests.IrisNetSource),
                GeneratorHarness.Parse("namespace App { public static class Util { public static int Two => 2; } }", "Util.cs"));
            GeneratorRun first = GeneratorHarness.Run(compilation);

            GeneratorRun second = GeneratorHarness.RunEdited(first, Replace(first.Input, "Util.cs", "namespace App { public static class Util { public static int Three => 3; } }"));

            AssertReasons(second, Steps.AttributeModels, Unchanged);
            AssertReasons(second, Steps.ModelSpecs, Cached);
            AssertReasons(second, Steps.ModelDiagnostics, Cached);
            Assert.All(GeneratorHarness.OutputReasons(second.Result), r => Assert.Equal(Cached, r));
            AssertSameSources(first.Sources, second.Sources);
        }

        [Theory]
        [InlineData("[Dense(16, Activation.Relu)]", "[Dense(17, Activation.Relu)]", "Dense 4 -&gt; 17, relu")]
        [InlineData("[Dense(16, Activation.Relu)]", "[Dense(16, Activation.Elu)]", "Dense 4 -&gt; 16, elu(alpha 1f)")]
        [InlineData("[Dense(16, Activation.Relu)]", "[Dense(16, Activation.Relu, UseBias = false)]", "Dense 4 -&gt; 16 (no bias), relu")]
        [InlineData("[Dense(16, Activation.Relu)]", "[Dense(16, Activation.Relu, KernelInitializer = Initializer.HeUniform)]", "Initializer.HeUniform")]
        [InlineData("[Model(4)]", "[Model(5)]", "public const int InputSize = 5;")]
        public void LayerChanged_SpecsAndOutputModified(string before, string after, string expectedInSurface)
        {
            GeneratorRun first = GeneratorHarness.Run(SnapshotTests.IrisNetSource);
            Assert.Contains(before, SnapshotTests.IrisNetSource);

            GeneratorRun second = GeneratorHarness.RunEdited(first, Replace(first.Input, "Model.cs", SnapshotTests.IrisNetSource.Replace(before, after)));

            AssertReasons(second, Steps.AttributeModels, Modified);
            AssertReasons(second, Steps.ModelSpecs, Modified);
            AssertReasons(second, Steps.ModelDiagnostics, Unchanged);
            Assert.Equal(new[] { Modified }, GeneratorHarness.OutputReasons(second.Result, Steps.ModelSpecs));
            Assert.Equal(new[] { Cached }, GeneratorHarness.OutputReasons(second.Result, Steps.ModelDiagnostics));
            Assert.NotEqual(first.Source("IrisNet.g.cs"), second.Source("IrisNet.g.cs"));
            Assert.Contains(expectedInSurface, second.Source("IrisNet.g.cs"));
        }

        [Fact]
        public void OneOfTwoModelsChanged_OnlyThatModelReEmitted()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse(SnapshotTests.IrisNetSource),
                GeneratorHarness.Parse(OtherModelSource, "Other.cs"));
            GeneratorRun first = GeneratorHarness.Run(compilation);

            GeneratorRun second = GeneratorHarness.RunEdited(first, Replace(first.Input, "Other.cs", OtherModelSource.Replace("Dense(2,", "Dense(3,")));

            Assert.Equal(new[] { Modified, Unchanged }, GeneratorHarness.Reasons(second.Result, Steps.AttributeModels).OrderBy(r => r));
            Assert.Equal(new[] { Modified, Cached }, GeneratorHarness.Reasons(second.Result, Steps.ModelSpecs).OrderBy(r => r));
            Assert.Equal(new[] { Modified, Cached }, GeneratorHarness.OutputReasons(second.Result, Steps.ModelSpecs).OrderBy(r => r));
            AssertSameSources(
                first.Sources.Where(s => s.HintName.StartsWith("IrisNet.", System.StringComparison.Ordinal)),
                second.Sources.Where(s => s.HintName.StartsWith("IrisNet.", System.StringComparison.Ordinal)));
            Assert.NotEqual(first.Source("Other.OtherNet.g.cs"), second.Source("Other.OtherNet.g.cs"));
        }

        [Fact]
        public void CommentAboveModelWithWarning_SpecCachedDiagnosticMoves()
        {
            const string source = """
                using ModelGen;

                [Model(4)]
                [Dense(3, Activation.Relu, Alpha = 0.5f)]
                public partial class Warned { }
                """;
            GeneratorRun first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source), expectDiagnostics: true);
            Diagnostic before = Assert.Single(first.GeneratorDiagnostics);

            GeneratorRun second = GeneratorHarness.RunEdited(first, Replace(first.Input, "Model.cs", "// one\n// two\n" + source), expectDiagnostics: true);

            // The diagnostics are not cached (they hold locations), so the transform's output differs; the spec does not.
            AssertReasons(second, Steps.AttributeModels, Modified);
            AssertReasons(second, Steps.ModelSpecs, Unchanged);
            AssertReasons(second, Steps.ModelDiagnostics, Modified);
            Assert.Equal(new[] { Cached }, GeneratorHarness.OutputReasons(second.Result, Steps.ModelSpecs));
            Assert.Equal(new[] { Modified }, GeneratorHarness.OutputReasons(second.Result, Steps.ModelDiagnostics));
            AssertSameSources(first.Sources, second.Sources);
            Diagnostic after = Assert.Single(second.GeneratorDiagnostics);
            Assert.Equal("MGEN009", after.Id);
            Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 2, after.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Empty(second.CompilerDiagnostics);
        }

        [Fact]
        public void ModelFileRemoved_OutputRemoved()
        {
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse(SnapshotTests.IrisNetSource),
                GeneratorHarness.Parse(OtherModelSource, "Other.cs"));
            GeneratorRun first = GeneratorHarness.Run(compilation);

            GeneratorRun second = GeneratorHarness.RunEdited(first, first.Input.RemoveSyntaxTrees(first.Input.SyntaxTrees.Single(t => t.FilePath == "Other.cs")));

            Assert.Contains(Removed, GeneratorHarness.Reasons(second.Result, Steps.ModelSpecs));
            Assert.DoesNotContain(Modified, GeneratorHarness.Reasons(second.Result, Steps.ModelSpecs));
            Assert.DoesNotContain(second.Sources, s => s.HintName.StartsWith("Other.", System.StringComparison.Ordinal));
            AssertSameSources(first.Sources.Where(s => s.HintName.StartsWith("IrisNet.", System.StringComparison.Ordinal)), second.Sources);
        }
    }
}
