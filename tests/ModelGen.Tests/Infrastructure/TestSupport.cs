using System;
using System.IO;
using System.Text.Json;
using Xunit;
using Xunit.Sdk;

namespace ModelGen.Tests.Infrastructure
{
    internal static class Numbers
    {
        /// <summary>Asserts |actual - expected| &lt;= rel |expected| + abs element by element, naming the first failure.</summary>
        public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double rel, double abs, string label)
        {
            Assert.True(expected.Length == actual.Length, $"{label}: length {actual.Length}, expected {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i], a = actual[i];
                if (double.IsNaN(e) ? !double.IsNaN(a) : !(Math.Abs(a - e) <= rel * Math.Abs(e) + abs))
                {
                    throw new XunitException($"{label}[{i}]: got {a:R}, expected {e:R} (difference {a - e:R}, allowed {rel * Math.Abs(e) + abs:R})");
                }
            }
        }

        public static double[] ToDouble(ReadOnlySpan<float> values)
        {
            var result = new double[values.Length];
            for (int i = 0; i < values.Length; i++) result[i] = values[i];
            return result;
        }

        public static float[] Random(int count, int seed, float scale)
        {
            var random = new SeededRandom(seed);
            var values = new float[count];
            for (int i = 0; i < count; i++) values[i] = (float)((2 * random.NextDouble() - 1) * scale);
            return values;
        }

        public static double MaxAbs(ReadOnlySpan<double> values)
        {
            double max = 0;
            foreach (double v in values) max = Math.Max(max, Math.Abs(v));
            return max;
        }
    }

    /// <summary>
    /// The one place tests find files: <see cref="PathOf"/> for Data/ (copied beside the test binaries) and
    /// <see cref="InRepository"/> for the source tree (found from the binaries upward), so no test depends on its own folder.
    /// </summary>
    internal static class TestData
    {
        public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

        private static readonly Lazy<string> s_repositoryRoot = new(() =>
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModelGen.sln"))) return dir.FullName;
            }
            throw new DirectoryNotFoundException($"No ModelGen.sln above {AppContext.BaseDirectory}: the tests run from the repository's build output.");
        });

        /// <summary>A path under the repository root (the directory holding ModelGen.sln).</summary>
        public static string InRepository(params string[] parts) => Path.Combine(s_repositoryRoot.Value, Path.Combine(parts));

        public static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllText(PathOf(name)));

        public static double[] Doubles(JsonElement array)
        {
            var result = new double[array.GetArrayLength()];
            int i = 0;
            foreach (JsonElement e in array.EnumerateArray()) result[i++] = e.GetDouble();
            return result;
        }

        public static float[] Floats(JsonElement array)
        {
            var result = new float[array.GetArrayLength()];
            int i = 0;
            foreach (JsonElement e in array.EnumerateArray()) result[i++] = (float)e.GetDouble();
            return result;
        }

        /// <summary>Rows of numbers flattened back to back.</summary>
        public static double[] FlatDoubles(JsonElement rows)
        {
            var list = new System.Collections.Generic.List<double>();
            foreach (JsonElement row in rows.EnumerateArray())
            {
                if (row.ValueKind == JsonValueKind.Array) list.AddRange(Doubles(row));
                else list.Add(row.GetDouble());
            }
            return list.ToArray();
        }

        public static float[] FlatFloats(JsonElement rows) => Array.ConvertAll(FlatDoubles(rows), d => (float)d);

        public static Loss LossNamed(string name, double? delta) => name switch
        {
            "MeanSquaredError" => Loss.MeanSquaredError,
            "MeanAbsoluteError" => Loss.MeanAbsoluteError,
            "BinaryCrossentropy" => Loss.BinaryCrossentropy,
            "CategoricalCrossentropy" => Loss.CategoricalCrossentropy,
            "SparseCategoricalCrossentropy" => Loss.SparseCategoricalCrossentropy,
            "Huber" => Loss.Huber((float)(delta ?? 1.0)),
            _ => throw new ArgumentException("unknown loss " + name),
        };
    }
}
