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

        /// <summary>Dropout on the input and after a hidden layer: masks drawn in the training trace, applied in the backward pass.</summary>
        public const string DropoutSource = """
            using ModelGen;

            namespace Samples;

            [Model(4)]
            [Dropout(0.1f)]
            [Dense(8, Activation.Relu)]
            [Dropout(0.5f)]
            [Dense(3, Activation.Softmax)]
            public partial class Dropped { }
            """;

        /// <summary>Embedded weights (raw float32) and <c>Predict</c>; over 1,024 parameters, so <c>Predict</c> reads the aligned copy.</summary>
        public const string EmbeddedWeightsSource = """
            using ModelGen;

            namespace Samples;

            [Model(16, Weights = "models/embedded.bin")]
            [Dense(64, Activation.Relu)]
            [Dense(3, Activation.Softmax)]
            public partial class Embedded { }
            """;

        /// <summary>The parameters of <see cref="EmbeddedWeightsSource"/>: 16 x 64 + 64 + 64 x 3 + 3 values, a simple exact pattern.</summary>
        public static float[] EmbeddedWeightValues()
        {
            var values = new float[16 * 64 + 64 + 64 * 3 + 3];
            for (int i = 0; i < values.Length; i++) values[i] = (i % 17 - 8) * 0.125f;
            return values;
        }

        /// <summary>A Keras 3 <c>model.to_json()</c> declaration: Dense layers, a LeakyReLU layer, a capped ReLU, Dropout and a separate Activation.</summary>
        public const string KerasJson = """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, 5], "dtype": "float32"}},
              {"class_name": "Dense", "config": {"name": "dense", "units": 12, "activation": "tanh", "use_bias": true}},
              {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.25}},
              {"class_name": "Dense", "config": {"name": "dense_1", "units": 6, "activation": "linear", "use_bias": false}},
              {"class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "negative_slope": 0.2}},
              {"class_name": "Dense", "config": {"name": "dense_2", "units": 6, "activation": "linear"}},
              {"class_name": "ReLU", "config": {"name": "re_lu", "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}},
              {"class_name": "Activation", "config": {"name": "activation", "activation": "swish"}},
              {"class_name": "Dense", "config": {"name": "dense_3", "units": 2, "activation": "sigmoid"}}
            ]}}
            """;

        /// <summary>The C# side of the JSON scenario.</summary>
        public const string JsonModelSource = """
            using ModelGen;

            namespace Samples.Json
            {
                [Model(Json = "models/keras.json")]
                public partial class FromKeras { }
            }
            """;

        /// <summary>
        /// Over 16K parameters (128 -> 128 -> 60 -> 4, 24,496): batches run layer-major over chunks of 64 samples, the two
        /// kernel-sized layers through <c>DenseKernels.Forward</c> and an in-place activation pass, the small last layer (240
        /// kernel entries) 8 samples at a time with its <c>x8</c> form; a per-thread scratch array.
        /// </summary>
        public const string LayerMajorSource = """
            using ModelGen;

            namespace Samples;

            [Model(128)]
            [Dense(128, Activation.Relu)]
            [Dense(60, Activation.Tanh)]
            [Dense(4)]
            public partial class LayerMajor { }
            """;

        [Fact]
        public void Dropout() => Baseline.Verify("Dropout", GeneratorHarness.Run(DropoutSource).Sources);

        [Fact]
        public void EmbeddedWeights() => Baseline.Verify("EmbeddedWeights", GeneratorHarness.Run(
            EmbeddedWeightsSource, new[] { AdditionalFiles.Weights("models/embedded.bin", AdditionalFiles.Raw(EmbeddedWeightValues())) }).Sources);

        [Fact]
        public void JsonModel() => Baseline.Verify("JsonModel", GeneratorHarness.Run(
            JsonModelSource, new[] { AdditionalFiles.Json("models/keras.json", KerasJson) }).Sources);

        [Fact]
        public void LayerMajor() => Baseline.Verify("LayerMajor", GeneratorHarness.Run(LayerMajorSource).Sources);

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
                    "Samples.Layers.ActivationFirst.Summary.g.cs",
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
