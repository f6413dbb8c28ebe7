using System.Linq;
using System.Text;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Emit
{
    /// <summary>
    /// The emitter picks a code shape from the layer sizes (scalar or vector tiles, unrolled or looped, exact or overlapping
    /// lanes). These tests compile a sweep of sizes, activations and bias settings in one compilation: every shape must
    /// compile with zero errors and zero warnings (the harness checks), which the baselines alone do not cover.
    /// </summary>
    public sealed class CodeShapeTests
    {
        private static readonly string[] s_activations = { "Linear", "Sigmoid", "Softmax", "Relu", "LeakyRelu", "Tanh" };

        [Fact]
        public void EverySizeCompilesCleanly()
        {
            int[] units = { 1, 3, 4, 5, 9, 33 };
            int[] inputs = { 1, 7, 130, 600 };
            var source = new StringBuilder("using ModelGen;\n\nnamespace Sweep;\n\n");
            int n = 0;
            foreach (int u in units)
            {
                foreach (int i in inputs)
                {
                    string activation = s_activations[n % s_activations.Length];
                    string bias = n % 3 == 2 ? ", UseBias = false" : "";
                    source.Append($"[Model({i})] [Dense({u}, Activation.{activation}{bias})] public partial class M{u}x{i} {{ }}\n");
                    n++;
                }
            }

            GeneratorRun run = GeneratorHarness.Run(source.ToString());

            Assert.Equal(units.Length * inputs.Length, run.Sources.Count(s => s.HintName.EndsWith(".L0.Forward.g.cs", System.StringComparison.Ordinal)));
        }

        [Fact]
        public void EveryActivationCompilesInEveryTileShape()
        {
            // Found while comparing disassembly: a 128 -> 64 gelu layer (looped tiles, then an activation pass with no
            // vector form) declared a second local 'j' (CS0136). Every activation on small, looped and layer-major layers.
            // The enum as the generator sees it (the runtime's copy is linked into the generator, so the name is ambiguous here).
            string[] activations = System.Enum.GetNames(typeof(ModelGen.Generator.ModelGenGenerator).Assembly.GetType("ModelGen.Activation", throwOnError: true)!);
            var source = new StringBuilder("using ModelGen;\n\nnamespace Activations;\n\n");
            foreach (string name in activations)
            {
                string activation = name == "Threshold" ? "Activation.Threshold, Threshold = 0.5f, DefaultValue = 0f" : "Activation." + name;
                source.Append($"[Model(8)] [Dense(16, {activation})] public partial class Small{name} {{ }}\n");
                source.Append($"[Model(128)] [Dense(64, {activation})] [Dense(10)] public partial class Looped{name} {{ }}\n");
                source.Append($"[Model(256)] [Dense(128, Activation.Relu)] [Dense(64, {activation})] [Dense(10, Activation.Softmax)] public partial class Wide{name} {{ }}\n");
                // Layer-major with a small layer (16 x 8 kernel entries): its chunks run the x8 form.
                source.Append($"[Model(256)] [Dense(128, Activation.Relu)] [Dense(16)] [Dense(8, {activation})] [Dense(10)] public partial class Chunked{name} {{ }}\n");
            }

            GeneratorRun run = GeneratorHarness.Run(source.ToString());

            Assert.Equal(4 * activations.Length, run.Sources.Count(s => s.HintName.EndsWith(".L0.Forward.g.cs", System.StringComparison.Ordinal)));
        }

        [Fact]
        public void ScalarLayerLoopingOverManyInputsWithAnActivation()
        {
            // Found by the WideInput baseline: the looped scalar shape declared a local 'z' that hid the output parameter
            // 'z' of the LayerNLinear form (CS0136, CS0021).
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                [Model(600)]
                [Dense(1, Activation.Sigmoid)]
                public partial class Looped { }
                """);
            Assert.Contains("scalar", run.Source("Looped.L0.Forward.g.cs"));
        }

        [Fact]
        public void DeepStackOfSmallLayers()
        {
            var source = new StringBuilder("using ModelGen;\n\n[Model(3)]\n");
            for (int l = 0; l < 12; l++) source.Append($"[Dense({3 + l % 6}, Activation.{s_activations[l % s_activations.Length]})]\n");
            source.Append("public partial class Deep { }\n");

            GeneratorRun run = GeneratorHarness.Run(source.ToString());

            Assert.Contains(run.Sources, s => s.HintName == "Deep.L11.Backward.g.cs");
        }

        [Fact]
        public void UserTypesNamedLikeTheIntrinsicsOrTheAliasesDoNotCollide()
        {
            // The generated files name the vector types through file-local aliases (V512, F512, ...) declared inside the
            // model's namespace: user types named Vector512 (in the model's namespace or the global one), and types named like the
            // aliases in an enclosing namespace, must not capture them. The harness checks that the output compiles without
            // warnings. (A type named exactly like an alias in the model's own namespace is a compile error, CS0576, never a
            // silent rebinding.)
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                public sealed class Vector512 { }
                public sealed class Vector256 { }

                namespace Samples
                {
                    public sealed class V512 { }
                    public sealed class Unsafe { }
                    public sealed class MemoryMarshal { }
                }

                namespace Samples.Clash
                {
                    public sealed class Vector512 { }
                    public sealed class Vector256<T> { }
                    public static class Vector128 { }

                    [Model(16)]
                    [Dense(32, Activation.Relu)]
                    [Dense(4, Activation.Tanh)]
                    public partial class Clashing { }
                }

                [Model(8)]
                [Dense(12, Activation.Sigmoid)]
                [Dense(2)]
                public partial class GlobalClashing { }
                """);

            Assert.Contains("using V512 = global::System.Runtime.Intrinsics.Vector512;", run.Source("Samples.Clash.Clashing.L0.Forward.g.cs"));
            Assert.Contains("using F256 = global::System.Runtime.Intrinsics.Vector256<float>;", run.Source("GlobalClashing.L0.Forward.g.cs"));
            Assert.Contains("V512.", run.Source("Samples.Clash.Clashing.L0.Forward.g.cs"));
        }
    }
}
