using System;
using System.Text.RegularExpressions;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Emit
{
    /// <summary>
    /// Keras <c>Dropout</c> from JSON and <c>[Dropout]</c>: folded into the layer before it (or onto the input), applied only in
    /// the training trace, with a trailing dropout dropped; the output compiles without warnings (the harness checks).
    /// </summary>
    public sealed class DropoutGeneratorTests
    {
        private const string Keras3 = """
            {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "layers": [
              {"class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32"}},
              {"class_name": "Dropout", "config": {"name": "in_drop", "rate": 0.1}},
              {"class_name": "Dense", "config": {"name": "hidden", "units": 8, "activation": "relu"}},
              {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5}},
              {"class_name": "Dense", "config": {"name": "out", "units": 3, "activation": "softmax"}},
              {"class_name": "Dropout", "config": {"name": "tail", "rate": 0.3}}
            ]}}
            """;

        private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

        [Fact]
        public void KerasDropout_IsTrainingOnly_AndTrailingDropoutIsDropped()
        {
            GeneratorRun run = GeneratorHarness.Run(
                "using ModelGen;\n[Model(Json = \"net.json\")]\npublic partial class Dropped { }\n",
                new[] { AdditionalFiles.Json("net.json", Keras3) });
            string surface = run.Source("Dropped.g.cs");
            Assert.Contains("/// ModelGen model: 4 inputs (dropout 0.1 in training)", surface);
            Assert.Contains("Dense 4 -> 8, relu, then dropout 0.5 in training", surface);
            Assert.DoesNotContain("0.3", surface);
            Assert.Contains("public void SeedDropout(int seed)", surface);
            // Two masks drawn in the trace (input and hidden), two applied in the backward pass (hidden, then the input gradient).
            Assert.Equal(2, Count(surface, "global::ModelGen.DropoutMath.Forward("));
            Assert.Equal(2, Count(surface, "global::ModelGen.DropoutMath.Backward("));
            // Forward (inference) never touches dropout.
            int forward = surface.IndexOf("public void Forward(", StringComparison.Ordinal);
            int end = surface.IndexOf("public void ForwardTrace(", StringComparison.Ordinal);
            Assert.DoesNotContain("Dropout", surface.Substring(forward, end - forward));
        }

        [Fact]
        public void DropoutAttributes_InARowCombine()
        {
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                [Model(3)]
                [Dense(4, Activation.Tanh)]
                [Dropout(0.5f)]
                [Dropout(0.5f)]
                [Dense(2)]
                public partial class Twice { }
                """);
            string surface = run.Source("Twice.g.cs");
            // Keep probabilities multiply: 0.5 x 0.5 kept, so one dropout of 0.75.
            Assert.Contains("then dropout 0.75 in training", surface);
            Assert.Equal(1, Count(surface, "global::ModelGen.DropoutMath.Forward("));
        }

        [Fact]
        public void ZeroRate_GeneratesNoDropout()
        {
            GeneratorRun run = GeneratorHarness.Run("""
                using ModelGen;

                [Model(3)]
                [Dense(4, Activation.Tanh)]
                [Dropout(0f)]
                [Dense(2)]
                public partial class NoDrop { }
                """);
            string surface = run.Source("NoDrop.g.cs");
            Assert.DoesNotContain("DropoutMath", surface);
            Assert.Contains("void global::ModelGen.IModel.SeedDropout(int seed) { }", surface);
        }
    }
}
