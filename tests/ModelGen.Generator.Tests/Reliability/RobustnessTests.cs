using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator.Tests.Emit;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Reliability
{
    /// <summary>
    /// Odd and broken input: the generator must never throw (CS8785, checked by the harness on every run), and whatever it
    /// generates must not add errors of its own to the compilation.
    /// </summary>
    public sealed class RobustnessTests
    {
        /// <summary>Broken declarations, keyed by a short name for the test explorer.</summary>
        private static readonly Dictionary<string, string> s_garbage = new()
        {
            ["DenseWithoutArguments"] = "[Model(4)] [Dense] public partial class A { }",
            ["ActivationWithoutArguments"] = "[Model(4)] [Dense(2)] [Activation] public partial class A { }",
            ["DenseNegative"] = "[Model(4)] [Dense(-1)] public partial class A { }",
            ["ModelZero"] = "[Model(0)] [Dense(2)] public partial class A { }",
            ["ModelNegativeDenseZero"] = "[Model(-1)] [Dense(0)] public partial class A { }",
            ["DenseString"] = "[Model(4)] [Dense(\"x\")] public partial class A { }",
            ["DenseActivationString"] = "[Model(4)] [Dense(3, \"relu\")] public partial class A { }",
            ["DenseUnknownActivation"] = "[Model(4)] [Dense(3, Activation.Nope)] public partial class A { }",
            ["DenseTooManyArguments"] = "[Model(4)] [Dense(3, Activation.Relu, 7)] public partial class A { }",
            ["DenseUnclosedArguments"] = "[Model(4)] [Dense(3,] public partial class A { }",
            ["ModelUnclosedBracket"] = "[Model(4) [Dense(3)] public partial class A { }",
            ["DenseMissingNamedValue"] = "[Model(4)] [Dense(3, UseBias = )] public partial class A { }",
            ["UseBiasInt"] = "[Model(4)] [Dense(3, UseBias = 1)] public partial class A { }",
            ["AlphaDouble"] = "[Model(4)] [Dense(3, Activation.Elu, Alpha = 1.0)] public partial class A { }",
            ["InitializerInt"] = "[Model(4)] [Dense(3, KernelInitializer = 3)] public partial class A { }",
            ["InitializerString"] = "[Model(4)] [Dense(3, BiasInitializer = \"zeros\")] public partial class A { }",
            ["UnknownNamedArgument"] = "[Model(4)] [Dense(3, Units = 4)] public partial class A { }",
            ["ModelTwoArguments"] = "[Model(4, 5)] [Dense(2)] public partial class A { }",
            ["ModelString"] = "[Model(\"4\")] [Dense(2)] public partial class A { }",
            ["ModelJsonNull"] = "[Model(Json = null)] [Dense(2)] public partial class A { }",
            ["ModelJsonInt"] = "[Model(Json = 3)] [Dense(2)] public partial class A { }",
            ["ModelNonConstant"] = "[Model(System.Environment.ProcessorCount)] [Dense(2)] public partial class A { }",
            ["DenseNonConstant"] = "[Model(4)] [Dense(System.Environment.ProcessorCount)] public partial class A { }",
            ["ModelTwice"] = "[Model(4)] [Model(3)] [Dense(2)] public partial class A { }",
            ["ClassWithoutName"] = "[Model(4)] [Dense(2)] public partial class { }",
            ["ClassUnclosed"] = "[Model(4)] [Dense(2)] public partial class A {",
            ["OnStruct"] = "[Model(4)] [Dense(2)] public partial struct S { }",
            ["OnInterface"] = "[Model(4)] [Dense(2)] public partial interface I { }",
            ["OnMethod"] = "public partial class A { [Model(4)] [Dense(2)] public void M() { } }",
            ["ActivationHugeEnum"] = "[Model(4)] [Dense(3, (Activation)int.MinValue)] public partial class A { }",
            ["ThresholdNaN"] = "[Model(4)] [Dense(3, Activation.Threshold, Threshold = float.NaN, DefaultValue = float.NaN)] public partial class A { }",
            ["AllParametersOnLinear"] = "[Model(4)] [Dense(3, Alpha = 1, NegativeSlope = 2, Threshold = 3, DefaultValue = 4, B = 5)] public partial class A { }",
            ["GluOnInputWidth"] = "[Model(3)] [Activation(Activation.Glu)] [Dense(2)] public partial class A { }",
            ["DenseOverflowParameters"] = "[Model(1048576)] [Dense(1048576)] [Dense(1048576)] public partial class A { }",
            ["EmptyFile"] = "",
            ["OnlyAttributes"] = "[Model(4)] [Dense(2)]",
            ["NestedInGeneric"] = "public partial class G<T> { [Model(4)] [Dense(2)] public partial class A { } }",
            ["InsideMethodLocalClass"] = "public class H { void M() { } } [Model(4)] [Dense(2)] public partial class A : System.IDisposable { }",
            ["NamespaceMissingBrace"] = "namespace N { [Model(4)] [Dense(2)] public partial class A { }",
        };

        public static TheoryData<string> GarbageNames() => new(s_garbage.Keys.OrderBy(k => k, StringComparer.Ordinal));

        [Theory]
        [MemberData(nameof(GarbageNames))]
        public void GarbageNeverThrowsNorBreaksGeneratedCode(string name)
        {
            string source = "using ModelGen;\n" + s_garbage[name] + "\n";
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(source), expectDiagnostics: true);
            AssertNoErrorsInGeneratedCode(run);
        }

        [Fact]
        public void HugeModelsAreRejectedWithoutGenerating()
        {
            // None of these may allocate, loop or emit in proportion to the declared size.
            string[] sources =
            {
                "[Model(int.MaxValue)] [Dense(int.MaxValue)] [Dense(int.MaxValue)] public partial class A { }",
                "[Model(4)] [Dense(2000000000)] public partial class A { }",
                "[Model(1048576)] [Dense(1048576, Activation.Softmax)] public partial class A { }",
                "[Model(1048577)] [Activation(Activation.Relu)] public partial class A { }",
                "[Model(4)] " + string.Concat(Enumerable.Repeat("[Dense(100000, Activation.Relu)] ", 500)) + "public partial class A { }",
                "[Model(4)] " + string.Concat(Enumerable.Repeat("[Activation(Activation.Relu)] [Dense(4)] ", 2000)) + "public partial class A { }",
            };
            foreach (string body in sources)
            {
                GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation("using ModelGen;\n" + body), expectDiagnostics: true);
                Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "MGEN006");
                Assert.Empty(run.Sources);
            }
        }

        [Theory]
        [InlineData("[ModelGen.Model(4)] [ModelGen.Dense(2)]")]
        [InlineData("[global::ModelGen.ModelAttribute(4)] [global::ModelGen.DenseAttribute(2, global::ModelGen.Activation.Relu)]")]
        [InlineData("[Model(inputs: 4)] [Dense(activation: Activation.Relu, units: 2)]")]
        [InlineData("[Model(2 + 2)] [Dense(sizeof(short), (Activation)1)]")]
        [InlineData("[Model(4), Dense(2)]")]
        [InlineData("[Model(4)] [Dense(2, KernelInitializer = 0)]")]
        public void OtherSpellingsOfTheAttributesGenerate(string attributes)
        {
            GeneratorRun run = GeneratorHarness.Run($"using ModelGen;\n{attributes}\npublic partial class A {{ }}\n");
            Assert.Contains(run.Sources, s => s.HintName == "A.g.cs");
        }

        [Fact]
        public void AliasedAttributesGenerate()
        {
            GeneratorRun run = GeneratorHarness.Run("""
                using Net = ModelGen.ModelAttribute;
                using Layer = ModelGen.DenseAttribute;

                [Net(4)]
                [Layer(2)]
                public partial class Aliased { }
                """);
            Assert.Contains(run.Sources, s => s.HintName == "Aliased.g.cs");
        }

        [Fact]
        public void ModelDeclaredAcrossFilesWithLayersOnTheModelDeclaration()
        {
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse("using ModelGen; [Model(4)] [Dense(2)] public partial class A { }", "A.cs"),
                GeneratorHarness.Parse("public partial class A { public int Extra => 1; }", "A.Extra.cs")));
            Assert.Contains(run.Sources, s => s.HintName == "A.g.cs");
        }

        [Fact]
        public void SameClassNameInTwoNamespaces()
        {
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                namespace One { [Model(4)] [Dense(2)] public partial class Net { } }
                namespace Two { [Model(3)] [Dense(1)] public partial class Net { } }
                """);
            Assert.Contains(run.Sources, s => s.HintName == "One.Net.g.cs");
            Assert.Contains(run.Sources, s => s.HintName == "Two.Net.g.cs");
        }

        [Fact]
        public void ModelAttributeOnTwoPartialDeclarations()
        {
            // CS0579 (duplicate attribute) is the user's error; the generator must not also throw on duplicate hint names.
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse("using ModelGen; [Model(4)] [Dense(2)] public partial class A { }", "A1.cs"),
                GeneratorHarness.Parse("using ModelGen; [Model(4)] [Dense(2)] public partial class A { }", "A2.cs")), expectDiagnostics: true);
            Assert.Contains(run.CompilerDiagnostics, d => d.Id == "CS0579");
            AssertNoErrorsInGeneratedCode(run);
        }

        [Fact]
        public void KeywordNamedClassAndNamespace()
        {
            // Found by this test: the hint name kept the '@' of the namespace (AddSource threw, CS8785) and the class name
            // lost its '@' in the generated declaration.
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                namespace @event.@class
                {
                    [Model(4)]
                    [Dense(2)]
                    public partial class @Struct { }

                    [Model(3)]
                    [Dense(1)]
                    public partial class @default { }

                    public static class Use
                    {
                        public static int Sizes => @Struct.InputSize + @default.OutputSize;
                    }
                }
                """, expectDiagnostics: true);
            Assert.Empty(run.GeneratorDiagnostics);
            Assert.Contains(run.Sources, s => s.HintName == "event.class.Struct.g.cs");
            Assert.Contains(run.Sources, s => s.HintName == "event.class.default.g.cs");
            Assert.Contains("partial class @default", run.Source("event.class.default.g.cs"));
            // CS8981 (a lower-case type name) is the user's own warning, on the user's declaration.
            Assert.All(run.CompilerDiagnostics, d => Assert.Equal("CS8981", d.Id));
            AssertNoErrorsInGeneratedCode(run);
        }

        [Fact]
        public void FileLocalModelClass()
        {
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                file partial class Local { }

                file static class Use
                {
                    public static int Size => Local.InputSize;
                }
                """, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN018" }, run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
            Assert.Contains("Local", run.GeneratorDiagnostics[0].GetMessage());
        }

        [Theory]
        [InlineData("Forward")]
        [InlineData("Parameters")]
        [InlineData("InputSize")]
        public void ModelNamedLikeAGeneratedMember(string name)
        {
            GeneratorRun run = GeneratorHarness.Run($"using ModelGen;\n[Model(4)]\n[Dense(2)]\npublic partial class {name} {{ }}\n", expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN019" }, run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
            Assert.Empty(run.Sources);
            AssertNoErrorsInGeneratedCode(run);
        }

        [Fact]
        public void RecordModelClass()
        {
            // A record class is a class; the generator should either generate or say why it does not.
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial record Rec;
                """, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN017" }, run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
            AssertNoErrorsInGeneratedCode(run);
        }

        [Fact]
        public void UserMemberNamedLikeAGeneratedMember()
        {
            GeneratorRun run = GeneratorHarness.Run("using ModelGen;\n[Model(4)]\n[Dense(2)]\npublic partial class Net { public void Forward() { } }\n", expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN019" }, run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
            Assert.Contains("'Forward'", run.GeneratorDiagnostics[0].GetMessage());
        }

        [Fact]
        public void HostileNamesInScope()
        {
            // Generated code names every type with global::, so user types named like framework or runtime types, in the
            // model's namespace and in global usings, must not change what it binds to.
            GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
                GeneratorHarness.Parse("""
                    global using static System.Math;
                    global using Span = System.String;
                    """, "Usings.cs"),
                GeneratorHarness.Parse("""
                    using ModelGen;

                    namespace App
                    {
                        public class System { }
                        public class ModelGen { }
                        public class MathF { }
                        public class Unsafe { }
                        public class IModel { }
                        public class Shapes { }
                        public class Vector128 { }
                        public class Loss { }

                        [global::ModelGen.Model(64)]
                        [global::ModelGen.Dense(48, global::ModelGen.Activation.Relu)]
                        [global::ModelGen.Activation(global::ModelGen.Activation.Mish)]
                        [global::ModelGen.Dense(10, global::ModelGen.Activation.Softmax)]
                        public partial class Net { }
                    }
                    """)));
            Assert.Contains(run.Sources, s => s.HintName == "App.Net.g.cs");
        }

        [Theory]
        [InlineData(LanguageVersion.CSharp11, NullableContextOptions.Disable)]
        [InlineData(LanguageVersion.CSharp12, NullableContextOptions.Enable)]
        [InlineData(LanguageVersion.CSharp13, NullableContextOptions.Warnings)]
        public void OutputCompilesUnderOtherLanguageVersionsAndNullableSettings(LanguageVersion version, NullableContextOptions nullable)
        {
            CSharpParseOptions parse = GeneratorHarness.ParseOptions.WithLanguageVersion(version);
            CSharpCompilation compilation = GeneratorHarness.CreateCompilation(CSharpSyntaxTree.ParseText(SnapshotTests.VectorWiseActivationsSource, parse, "Model.cs"))
                .WithOptions(GeneratorHarness.CompilationOptions.WithNullableContextOptions(nullable));
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new ModelGenGenerator().AsSourceGenerator() }, parseOptions: parse);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var generatorDiagnostics);
            Assert.Empty(generatorDiagnostics);
            Assert.True(output.SyntaxTrees.Count() > 1);
            var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            Assert.True(problems.Length == 0, GeneratorHarness.Format(problems, output));
        }

        [Fact]
        public void ModelDerivedFromAModel()
        {
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                [Model(4)]
                [Dense(2)]
                public partial class BaseNet { }

                [Model(3)]
                [Dense(1)]
                public partial class DerivedNet : BaseNet { }
                """, expectDiagnostics: true);
            Assert.Equal(new[] { "MGEN020" }, run.GeneratorDiagnostics.Select(d => d.Id).ToArray());
            Assert.Contains("BaseNet", run.GeneratorDiagnostics[0].GetMessage());
            AssertNoErrorsInGeneratedCode(run);
        }

        /// <summary>Fails when an error or warning of the output compilation lies in a generated tree.</summary>
        private static void AssertNoErrorsInGeneratedCode(GeneratorRun run)
        {
            var inputTrees = new HashSet<SyntaxTree>(run.Input.SyntaxTrees);
            Diagnostic[] inGenerated = run.CompilerDiagnostics.Where(d => d.Location.SourceTree is { } tree && !inputTrees.Contains(tree)).ToArray();
            Assert.True(inGenerated.Length == 0, "Generated code has errors or warnings:\n" + GeneratorHarness.Format(inGenerated, run.Output));
        }
    }
}
