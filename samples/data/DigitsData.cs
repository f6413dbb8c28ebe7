using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace ModelGen.Samples
{
    /// <summary>
    /// The 1,797 real 8x8 handwritten digits (sklearn's <c>load_digits</c>, written to digits.csv by
    /// tests/reference/make_reference.py) and the seeded train/test split that samples/Digits trains on and
    /// samples/AotInference classifies. Linked into both samples, so the split is the same in both.
    /// </summary>
    public static class DigitsData
    {
        /// <summary>Pixels per image (8 x 8, each 0-16 in the file, scaled to [0, 1]).</summary>
        public const int Pixels = 64;

        /// <summary>The seed of the split.</summary>
        public const int SplitSeed = 2024;

        /// <summary>Images held out for testing (20%, as a Keras user's <c>train_test_split(test_size=0.2)</c>).</summary>
        public const int TestCount = 360;

        /// <summary>Reads digits.csv: pixels scaled to [0, 1] (n x 64, row-major) and labels 0-9 stored as floats.</summary>
        public static (float[] Pixels, float[] Labels) Load(string path)
        {
            string[] rows = File.ReadAllLines(path).Skip(1).Where(r => r.Length > 0).ToArray();
            var pixels = new float[rows.Length * Pixels];
            var labels = new float[rows.Length];
            for (int r = 0; r < rows.Length; r++)
            {
                string[] cells = rows[r].Split(',');
                if (cells.Length != Pixels + 1) throw new InvalidDataException($"{path}: row {r + 2} has {cells.Length} values, expected {Pixels + 1}.");
                for (int p = 0; p < Pixels; p++) pixels[r * Pixels + p] = int.Parse(cells[p], CultureInfo.InvariantCulture) / 16f;
                labels[r] = int.Parse(cells[Pixels], CultureInfo.InvariantCulture);
            }
            return (pixels, labels);
        }

        /// <summary>A seeded permutation (Fisher-Yates with <see cref="Random"/>(<see cref="SplitSeed"/>)): the first
        /// <see cref="TestCount"/> indices are the test split, the rest the training split.</summary>
        public static (int[] Train, int[] Test) Split(int count)
        {
            int[] order = Enumerable.Range(0, count).ToArray();
            var random = new Random(SplitSeed);
            for (int i = count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            return (order.Skip(TestCount).ToArray(), order.Take(TestCount).ToArray());
        }

        /// <summary>The rows <paramref name="which"/> of <paramref name="data"/> (width floats each), back to back.</summary>
        public static float[] Take(float[] data, int width, int[] which)
        {
            var result = new float[which.Length * width];
            for (int i = 0; i < which.Length; i++) Array.Copy(data, which[i] * width, result, i * width, width);
            return result;
        }

        /// <summary>The index of the largest of the <paramref name="classes"/> values of sample <paramref name="sample"/>.</summary>
        public static int ArgMax(ReadOnlySpan<float> values, int sample, int classes)
        {
            ReadOnlySpan<float> row = values.Slice(sample * classes, classes);
            int best = 0;
            for (int k = 1; k < row.Length; k++) if (row[k] > row[best]) best = k;
            return best;
        }
    }
}
