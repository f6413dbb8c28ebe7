using System.Linq;
using System.Text;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests
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
    }
}
