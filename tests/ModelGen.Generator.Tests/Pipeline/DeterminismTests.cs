using System;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelGen.Generator.Tests.Emit;
using ModelGen.Generator.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Generator.Tests.Pipeline
{
    /// <summary>The same input gives the same bytes: across runs, drivers and the current culture.</summary>
    public sealed class DeterminismTests
    {
        private static readonly string[] s_scenarios =
        {
            SnapshotTests.IrisNetSource,
            SnapshotTests.ScorerSource,
            SnapshotTests.VectorLoopsSource,
            SnapshotTests.ScalarActivationChainSource,
            SnapshotTests.VectorWiseActivationsSource,
        };

        /// <summary>All scenarios in one compilation, one file each; the snapshot tests already compile their output.</summary>
        private static GeneratorRun RunAll() => GeneratorHarness.Run(GeneratorHarness.CreateCompilation(
            s_scenarios.Select((source, i) => GeneratorHarness.Parse(source, $"Model{i}.cs")).ToArray()), compileOutput: false);

        private static void AssertByteIdentical(GeneratorRun expected, GeneratorRun actual, string what)
        {
            Assert.Equal(expected.Sources.Select(s => s.HintName), actual.Sources.Select(s => s.HintName));
            for (int i = 0; i < expected.Sources.Length; i++)
            {
                byte[] a = Encoding.UTF8.GetBytes(expected.Sources[i].Text), b = Encoding.UTF8.GetBytes(actual.Sources[i].Text);
                Assert.True(a.AsSpan().SequenceEqual(b), $"{expected.Sources[i].HintName} differs {what}");
            }
        }

        [Fact]
        public void TwoRunsGiveByteIdenticalOutput()
        {
            GeneratorRun first = RunAll();
            GeneratorRun second = RunAll();
            Assert.NotEmpty(first.Sources);
            AssertByteIdentical(first, second, "between two runs");
        }

        [Fact]
        public void OutputDoesNotDependOnTheCurrentCulture()
        {
            GeneratorRun invariant = RunUnder(CultureInfo.InvariantCulture);
            // Make sure the scenarios have decimal and negative float literals to get wrong.
            string all = string.Concat(invariant.Sources.Select(s => s.Text));
            Assert.Contains("0.5f", all);
            Assert.Contains("-1.5f", all);

            // A culture with ',' decimals, '.' grouping and a Unicode minus, available even in invariant-globalization mode.
            var odd = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            odd.NumberFormat.NumberDecimalSeparator = ",";
            odd.NumberFormat.NumberGroupSeparator = ".";
            odd.NumberFormat.NegativeSign = "\u2212";
            odd.NumberFormat.PositiveInfinitySymbol = "∞";
            odd.NumberFormat.NaNSymbol = "NeuN";
            Assert.Equal("\u22121,5", (-1.5f).ToString(odd));
            AssertByteIdentical(invariant, RunUnder(odd), "under a culture with ',' decimals and a Unicode minus");

            CultureInfo german = CultureInfo.GetCultureInfo("de-DE");
            if (german.NumberFormat.NumberDecimalSeparator == ",")
            {
                AssertByteIdentical(invariant, RunUnder(german), "under de-DE");
            }
            AssertByteIdentical(invariant, RunUnder(CultureInfo.GetCultureInfo("tr-TR")), "under tr-TR");
        }

        private static GeneratorRun RunUnder(CultureInfo culture)
        {
            CultureInfo culture0 = CultureInfo.CurrentCulture, ui0 = CultureInfo.CurrentUICulture;
            try
            {
                CultureInfo.CurrentCulture = culture;
                CultureInfo.CurrentUICulture = culture;
                return RunAll();
            }
            finally
            {
                CultureInfo.CurrentCulture = culture0;
                CultureInfo.CurrentUICulture = ui0;
            }
        }
    }
}
