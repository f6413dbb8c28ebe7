using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Emit
{
    /// <summary>
    /// The generated <c>Summary()</c>, compiled, loaded and called, against tables written by hand in the format of Keras 3's
    /// <c>model.summary()</c> (<c>keras/src/utils/summary_utils.py</c>: 88 characters, heavy head, a rule between rows, the
    /// parameter count right-aligned, totals with their size).
    /// </summary>
    public sealed class SummaryTests
    {
        private static string Summary(GeneratorRun run, string type)
        {
            using var stream = new MemoryStream();
            EmitResult result = run.Output.Emit(stream);
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
            stream.Position = 0;
            var context = new AssemblyLoadContext(type, isCollectible: true);
            try
            {
                Assembly assembly = context.LoadFromStream(stream);
                MethodInfo summary = assembly.GetType(type, throwOnError: true)!.GetMethod("Summary", BindingFlags.Public | BindingFlags.Static)!;
                return (string)summary.Invoke(null, null)!;
            }
            finally
            {
                context.Unload();
            }
        }

        [Fact]
        public void IrisNet_PrintsTheKerasTable()
        {
            // Keras 3: Sequential([Input((4,)), Dense(16, "relu"), Dense(3, "softmax")]).summary() on a wide terminal.
            const string expected = """
                Model: "IrisNet"
                ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
                ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
                ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
                │ dense (Dense)                        │ (None, 16)                  │              80 │
                ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
                │ dense_1 (Dense)                      │ (None, 3)                   │              51 │
                └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
                 Total params: 131 (524.00 B)
                 Trainable params: 131 (524.00 B)
                 Non-trainable params: 0 (0.00 B)
                """;
            Assert.Equal(expected.Replace("\r\n", "\n"), Summary(GeneratorHarness.Run(SnapshotTests.IrisNetSource), "IrisNet"));
        }

        [Fact]
        public void Dropout_IsARowOfItsOwn()
        {
            const string expected = """
                Model: "Dropped"
                ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
                ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
                ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
                │ dropout (Dropout)                    │ (None, 4)                   │               0 │
                ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
                │ dense (Dense)                        │ (None, 8)                   │              40 │
                ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
                │ dropout_1 (Dropout)                  │ (None, 8)                   │               0 │
                ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
                │ dense_1 (Dense)                      │ (None, 3)                   │              27 │
                └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
                 Total params: 67 (268.00 B)
                 Trainable params: 67 (268.00 B)
                 Non-trainable params: 0 (0.00 B)
                """;
            Assert.Equal(expected.Replace("\r\n", "\n"), Summary(GeneratorHarness.Run(SnapshotTests.DropoutSource), "Samples.Dropped"));
        }

        [Fact]
        public void ThousandsAndKilobytes_AsKerasWritesThem()
        {
            // 16 -> 64 relu -> 3 softmax: 1,088 + 195 = 1,283 parameters, 5,132 bytes = 5.01 KB.
            const string expected = """
                Model: "Embedded"
                ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
                ┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
                ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
                │ dense (Dense)                        │ (None, 64)                  │           1,088 │
                ├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
                │ dense_1 (Dense)                      │ (None, 3)                   │             195 │
                └──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
                 Total params: 1,283 (5.01 KB)
                 Trainable params: 1,283 (5.01 KB)
                 Non-trainable params: 0 (0.00 B)
                """;
            GeneratorRun run = GeneratorHarness.Run(SnapshotTests.EmbeddedWeightsSource,
                new[] { AdditionalFiles.Weights("models/embedded.bin", AdditionalFiles.Raw(SnapshotTests.EmbeddedWeightValues())) });
            Assert.Equal(expected.Replace("\r\n", "\n"), Summary(run, "Samples.Embedded"));
        }
    }
}
