using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;
using Xunit.Abstractions;

namespace ModelGen.Tests.Training
{
    /// <summary>End-to-end learning with the generated backward pass, the optimizers and <see cref="Training.Fit"/>.</summary>
    public class LearningTests
    {
        private readonly ITestOutputHelper _output;

        public LearningTests(ITestOutputHelper output) => _output = output;

        /// <summary>The real 150-row Iris data (sklearn's copy), features standardized, labels as class indices.</summary>
        internal static (float[] X, float[] Labels) Iris()
        {
            string[] lines = File.ReadAllLines(TestData.PathOf("iris.csv")).Skip(1).Where(l => l.Length > 0).ToArray();
            var x = new float[lines.Length * 4];
            var y = new float[lines.Length];
            for (int r = 0; r < lines.Length; r++)
            {
                string[] cells = lines[r].Split(',');
                for (int c = 0; c < 4; c++) x[r * 4 + c] = float.Parse(cells[c], CultureInfo.InvariantCulture);
                y[r] = float.Parse(cells[4], CultureInfo.InvariantCulture);
            }
            for (int c = 0; c < 4; c++)
            {
                double mean = 0, sq = 0;
                for (int r = 0; r < lines.Length; r++) mean += x[r * 4 + c];
                mean /= lines.Length;
                for (int r = 0; r < lines.Length; r++) sq += Math.Pow(x[r * 4 + c] - mean, 2);
                double std = Math.Sqrt(sq / lines.Length);
                for (int r = 0; r < lines.Length; r++) x[r * 4 + c] = (float)((x[r * 4 + c] - mean) / std);
            }
            return (x, y);
        }

        [Fact]
        public void XorReaches100Percent()
        {
            float[] x = { 0, 0, 0, 1, 1, 0, 1, 1 };
            float[] y = { 0, 1, 1, 0 };
            var model = new Xor(seed: 1);
            TrainingHistory history = model.Fit(x, y, Loss.BinaryCrossentropy, new Adam(learningRate: 0.05f),
                new TrainingOptions { Epochs = 300, BatchSize = 4, Seed = 1 });
            var p = new float[4];
            model.Forward(x, p);
            _output.WriteLine($"xor outputs {string.Join(", ", p.Select(v => v.ToString("F3")))}, loss {history.Last.Loss:F4}");
            for (int i = 0; i < 4; i++) Assert.Equal(y[i], p[i] >= 0.5f ? 1f : 0f);
            Assert.Equal(1f, history.Last.Accuracy);
        }

        [Fact]
        public void IrisReachesAtLeast95PercentTrainingAccuracy()
        {
            (float[] x, float[] labels) = Iris();
            Assert.Equal(150, labels.Length);
            var model = new IrisLike(seed: 42);
            TrainingHistory history = model.Fit(x, labels, Loss.SparseCategoricalCrossentropy, new Adam(learningRate: 0.01f),
                new TrainingOptions { Epochs = 100, BatchSize = 16, Seed = 7 });
            (float loss, float? accuracy) = model.Evaluate(x, labels, Loss.SparseCategoricalCrossentropy);
            _output.WriteLine($"iris: loss {loss:F4}, accuracy {accuracy:P1} after {history.Epochs.Count} epochs");
            Assert.True(accuracy >= 0.95f, $"training accuracy {accuracy}");
        }

        [Fact]
        public void SameSeedGivesBitIdenticalParameters()
        {
            (float[] x, float[] labels) = Iris();
            float[] Train()
            {
                var model = new IrisLike(seed: 3);
                model.Fit(x, labels, Loss.SparseCategoricalCrossentropy, new Adam(0.01f), new TrainingOptions { Epochs = 5, BatchSize = 10, Seed = 11 });
                return model.Parameters.ToArray();
            }
            Assert.Equal(Train(), Train());
            var other = new IrisLike(seed: 3);
            other.Fit(x, labels, Loss.SparseCategoricalCrossentropy, new Adam(0.01f), new TrainingOptions { Epochs = 5, BatchSize = 10, Seed = 12 });
            Assert.NotEqual(Train(), other.Parameters.ToArray());
        }

        [Fact]
        public void ValidationHistoryProgressAndEarlyStopping()
        {
            (float[] x, float[] labels) = Iris();
            // The file is sorted by class: every fifth row validates, the rest train.
            int[] valid = Enumerable.Range(0, 150).Where(r => r % 5 == 0).ToArray(), train = Enumerable.Range(0, 150).Where(r => r % 5 != 0).ToArray();
            float[] trainX = train.SelectMany(r => x.AsSpan(r * 4, 4).ToArray()).ToArray(), trainY = train.Select(r => labels[r]).ToArray();
            float[] validX = valid.SelectMany(r => x.AsSpan(r * 4, 4).ToArray()).ToArray(), validY = valid.Select(r => labels[r]).ToArray();
            int reported = 0;
            var model = new IrisLike(seed: 5);
            TrainingHistory history = model.Fit(trainX, trainY, Loss.SparseCategoricalCrossentropy, new Adam(0.05f), new TrainingOptions
            {
                Epochs = 500,
                BatchSize = 16,
                Seed = 2,
                ValidationInputs = validX,
                ValidationTargets = validY,
                OnEpoch = _ => { reported++; return true; },
                EarlyStopping = new EarlyStopping(Patience: 5, RestoreBestParameters: true),
            });
            Assert.True(history.StoppedEarly, "500 epochs at lr 0.05 should stop early");
            Assert.Equal(history.Epochs.Count, reported);
            Assert.All(history.Epochs, e => Assert.NotNull(e.ValidationLoss));
            Assert.All(history.Epochs, e => Assert.NotNull(e.ValidationAccuracy));
            float best = history.Epochs.Min(e => e.ValidationLoss!.Value);
            Assert.Equal(best, history.Epochs[history.BestEpoch - 1].ValidationLoss);
            // The best epoch's parameters are restored.
            Assert.Equal(best, model.Evaluate(validX, validY, Loss.SparseCategoricalCrossentropy, batchSize: 16).Loss, 5);
        }

        [Fact]
        public void NonFiniteLossStopsTrainingWithContextAndKeepsTheLastGoodParameters()
        {
            float[] x = { 1, 2, 3, 4, float.NaN, 0, 0, 0 };
            float[] y = { 0, 1 };
            var model = new IrisLike(seed: 1);
            float[] before = model.Parameters.ToArray();
            var ex = Assert.Throws<ArithmeticException>(() => model.Fit(x, y, Loss.SparseCategoricalCrossentropy, new Sgd(0.1f),
                new TrainingOptions { Epochs = 1, BatchSize = 2, Shuffle = false }));
            Assert.Contains("epoch 1, batch 1", ex.Message);
            Assert.Equal(before, model.Parameters.ToArray());
        }

        [Fact]
        public void FitChecksItsArguments()
        {
            var model = new IrisLike(1);
            Assert.Throws<ArgumentException>(() => model.Fit(new float[8], new float[3], Loss.SparseCategoricalCrossentropy, new Adam()));
            Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new float[8], new float[] { 0, 5 }, Loss.SparseCategoricalCrossentropy, new Adam()));
            Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new float[8], new float[2], Loss.SparseCategoricalCrossentropy, new Adam(), new TrainingOptions { Epochs = 0 }));
            Assert.Throws<ArgumentException>(() => model.Fit(new float[8], new float[2], Loss.SparseCategoricalCrossentropy, new Adam(), new TrainingOptions { ValidationInputs = new float[4] }));
        }
    }
}
