using System.Linq;
using System.Text.RegularExpressions;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests
{
    /// <summary>
    /// Generated sources compared with the checked-in baselines in <c>Baselines/{Scenario}</c>. Every scenario also goes
    /// through the harness, so its output compiles with zero errors and zero warnings and a second run is fully cached.
    /// Rewrite the baselines with <c>MODELGEN_UPDATE_BASELINES=1 dotnet test</c> and review the diff.
    /// </summary>
    public sealed class SnapshotTests
    {
        /// <summary>API.md section 1, verbatim (global namespace).</summary>
        public const string IrisNetSource = """
            using ModelGen;

            [Model(4)]                                  // 4 inputs
            [Dense(16, Activation.Relu)]                // layers apply in source order
            [Dense(3, Activation.Softmax)]
            public partial class IrisNet { }
            """;

        /// <summary>API.md section 1, verbatim: a bias-free Dense fused with a separate Activation layer.</summary>
        public const string ScorerSource = """
            using ModelGen;

            [Model(8)]
            [Dense(8, UseBias = false)]                 // linear Dense without bias
            [Activation(Activation.Tanh)]               // a separate activation layer (Keras `Activation`)
            [Dense(1, Activation.Sigmoid, KernelInitializer = Initializer.HeNormal)]
            public partial class Scorer { }
            """;

        /// <summary>An Activation layer first: it stays a layer of its own and its backward pass writes the input gradient.</summary>
        public const string ActivationFirstSource = """
            using ModelGen;

            namespace Samples.Layers
            {
                [Model(4)]
                [Activation(Activation.Tanh)]
                [Dense(3, Activation.Softmax)]
                internal partial class ActivationFirst { }
            }
            """;

        /// <summary>
        /// The larger model: 64 -> 48 has too many multiply-adds to unroll, so its vector tiles loop over the inputs;
        /// 48 -> 10 is not a multiple of the lanes and ends with an overlapping vector.
        /// </summary>
        public const string VectorLoopsSource = """
            using ModelGen;

            namespace Samples.Digits;

            [Model(64)]
            [Dense(48, Activation.Relu)]
            [Dense(10, Activation.Softmax)]
            public partial class DigitsNet { }
            """;

        /// <summary>A wide input: scratch too large for the stack (a per-thread array), and 3 units, the scalar shape, looping over 4100 inputs.</summary>
        public const string WideInputSource = """
            using ModelGen;

            namespace Samples;

            [Model(4100)]
            [Dense(3, Activation.Relu)]
            [Dense(2)]
            public partial class WideInput { }
            """;

        /// <summary>Every scalar activation once, as a chain of Activation layers, with non-default parameters where they exist.</summary>
        public const string ScalarActivationChainSource = """
            using ModelGen;

            namespace Samples;

            [Model(3)]
            [Dense(3, Activation.Relu)]
            [Activation(Activation.Relu6)]
            [Activation(Activation.LeakyRelu, NegativeSlope = 0.1f)]
            [Activation(Activation.Elu, Alpha = 0.5f)]
            [Activation(Activation.Selu)]
            [Activation(Activation.Celu, Alpha = 2.5f)]
            [Activation(Activation.Gelu)]
            [Activation(Activation.GeluTanh)]
            [Activation(Activation.Sigmoid)]
            [Activation(Activation.HardSigmoid)]
            [Activation(Activation.HardSigmoidKeras2)]
            [Activation(Activation.LogSigmoid)]
            [Activation(Activation.Silu)]
            [Activation(Activation.HardSilu)]
            [Activation(Activation.Tanh)]
            [Activation(Activation.HardTanh)]
            [Activation(Activation.TanhShrink)]
            [Activation(Activation.SoftShrink, Threshold = 0.25f)]
            [Activation(Activation.HardShrink)]
            [Activation(Activation.Softplus)]
            [Activation(Activation.Softsign)]
            [Activation(Activation.SparsePlus)]
            [Activation(Activation.SparseSigmoid)]
            [Activation(Activation.Squareplus, B = 1.5f)]
            [Activation(Activation.Exponential)]
            [Activation(Activation.Mish)]
            [Activation(Activation.Threshold, Threshold = 0.1f, DefaultValue = -1.5f)]
            public partial class ScalarChain { }
            """;

        /// <summary>The vector-wise activations: glu halves 6 to 3, then sparsemax, log_softmax and a softmax Dense.</summary>
        public const string VectorWiseActivationsSource = """
            using ModelGen;

            namespace Samples;

            [Model(4)]
            [Dense(6, Activation.Glu)]
            [Activation(Activation.Sparsemax)]
            [Activation(Activation.LogSoftmax)]
            [Dense(2, Activation.Softmax)]
            public partial class VectorWise { }
            """;

        [Fact]
        public void IrisNet() => Baseline.Verify("IrisNet", GeneratorHarness.Run(IrisNetSource).Sources);

        [Fact]
        public void Scorer() => Baseline.Verify("Scorer", GeneratorHarness.Run(ScorerSource).Sources);

        [Fact]
        public void ActivationFirst() => Baseline.Verify("ActivationFirst", GeneratorHarness.Run(ActivationFirstSource).Sources);

        [Fact]
        public void VectorLoops() => Baseline.Verify("VectorLoops", GeneratorHarness.Run(VectorLoopsSource).Sources);

        [Fact]
        public void WideInput() => Baseline.Verify("WideInput", GeneratorHarness.Run(WideInputSource).Sources);

        [Fact]
        public void ScalarActivationChain() => Baseline.Verify("ScalarActivationChain", GeneratorHarness.Run(ScalarActivationChainSource).Sources);

        [Fact]
        public void VectorWiseActivations() => Baseline.Verify("VectorWiseActivations", GeneratorHarness.Run(VectorWiseActivationsSource).Sources);

        [Fact]
        public void HintNamesAreNamespaceTypeAndLayer()
        {
            GeneratorRun run = GeneratorHarness.Run(ActivationFirstSource);
            Assert.Equal(
                new[]
                {
                    "Samples.Layers.ActivationFirst.L0.Backward.g.cs",
                    "Samples.Layers.ActivationFirst.L0.Forward.g.cs",
                    "Samples.Layers.ActivationFirst.L1.Backward.g.cs",
                    "Samples.Layers.ActivationFirst.L1.Forward.g.cs",
                    "Samples.Layers.ActivationFirst.g.cs",
                },
                run.Sources.Select(s => s.HintName));
        }

        [Fact]
        public void EveryFileStartsWithTheAutoGeneratedHeader()
        {
            foreach (GeneratedFile file in GeneratorHarness.Run(VectorWiseActivationsSource).Sources)
            {
                Assert.StartsWith("// <auto-generated/>\n#nullable enable\n", file.Text.Replace("\r\n", "\n"));
            }
        }

        [Fact]
        public void GeneratedCodeCarriesTheGeneratorVersion()
        {
            string surface = GeneratorHarness.Run(IrisNetSource).Source("IrisNet.g.cs");
            MatchCollection versions = Regex.Matches(surface, """GeneratedCode(?:Attribute)?\("ModelGen", "([^"]*)"\)""");
            Assert.NotEmpty(versions);
            Assert.All(versions, m => Assert.Equal(GeneratorInternals.Version, m.Groups[1].Value));
            Assert.DoesNotContain(Baseline.VersionPlaceholder, surface);
            Assert.Contains($"GeneratedCodeAttribute(\"ModelGen\", \"{Baseline.VersionPlaceholder}\")", Baseline.Scrub(surface));
        }
    }
}
