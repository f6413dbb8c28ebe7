using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ModelGen.Tests.Infrastructure;
using ModelGen.Tests.Models;
using Xunit;

namespace ModelGen.Tests.Reliability
{
    /// <summary>
    /// Run-time safety (issue 13, docs/reliability.md): Forward and Predict shared by many threads, for every code shape the
    /// generator emits; training while others read; NaN and infinity inputs per activation against float64 torch
    /// references (tests/reference/make_nonfinite.py); all-or-nothing loads on generated models; Fit stopped by an exception.
    /// </summary>
    public sealed class ReliabilityTests
    {
        private delegate void Predictor(ReadOnlySpan<float> input, Span<float> output);

        /// <summary>
        /// One model per code shape: unrolled scalar code (Xor, TinyLogSoftmax), unrolled parts (Chunked), vector tiles with
        /// remainders (OddSizes), layer-major 64-sample chunks over 16K parameters (Wide, Mnist), stack scratch (Deep) and
        /// thread-static heap scratch (HeapScratch).
        /// </summary>
        public static TheoryData<string> Shapes() => new() { "Xor", "TinyLogSoftmax", "Chunked", "OddSizes", "Wide", "Mnist", "Deep", "HeapScratch" };

        private static IModel Create(string name) => name switch
        {
            "Xor" => new Xor(3),
            "TinyLogSoftmax" => new TinyLogSoftmax(3),
            "Chunked" => new Chunked(3),
            "OddSizes" => new OddSizes(3),
            "Wide" => new Wide(3),
            "Mnist" => new Mnist(3),
            "Deep" => new Deep(3),
            "HeapScratch" => new HeapScratch(3),
            _ => throw new ArgumentException(name),
        };

        /// <summary>Batch sizes: one sample, the 4-sample tile, a tile and a remainder, and more than a 64-sample chunk.</summary>
        private static readonly int[] s_batches = { 1, 4, 7, 67 };

        [Theory]
        [MemberData(nameof(Shapes))]
        public void ForwardFromManyThreadsMatchesSingleThreadedBitForBit(string shape)
        {
            IModel model = Create(shape);
            int threads = 8, rounds = shape is "Mnist" or "HeapScratch" ? 3 : 20;
            // Each thread has its own inputs, so a shared scratch buffer would mix samples between threads.
            var inputs = new float[threads][][];
            var expected = new float[threads][][];
            for (int t = 0; t < threads; t++)
            {
                inputs[t] = new float[s_batches.Length][];
                expected[t] = new float[s_batches.Length][];
                for (int b = 0; b < s_batches.Length; b++)
                {
                    inputs[t][b] = Numbers.Random(s_batches[b] * model.InputSize, 1000 * t + b, 2f);
                    expected[t][b] = new float[s_batches[b] * model.OutputSize];
                    model.Forward(inputs[t][b], expected[t][b]);
                }
            }
            RunTogether(threads, t =>
            {
                for (int r = 0; r < rounds; r++)
                {
                    for (int b = 0; b < s_batches.Length; b++)
                    {
                        var output = new float[expected[t][b].Length];
                        model.Forward(inputs[t][b], output);
                        AssertBitwiseEqual(expected[t][b], output, $"{shape}, thread {t}, batch {s_batches[b]}, round {r}");
                    }
                }
            });
        }

        [Theory]
        [InlineData("EmbeddedIrisLike")]
        [InlineData("TorchIrisLike")]
        [InlineData("EmbeddedScorer")]
        [InlineData("EmbeddedDeep")]
        [InlineData("JsonIrisLike")]
        [InlineData("JsonScorer")]
        [InlineData("JsonDeep")]
        public void PredictFromManyThreadsMatchesSingleThreadedBitForBit(string name)
        {
            (Predictor predict, int inputs, int outputs) = name switch
            {
                "EmbeddedIrisLike" => ((Predictor)EmbeddedIrisLike.Predict, EmbeddedIrisLike.InputSize, EmbeddedIrisLike.OutputSize),
                "TorchIrisLike" => (TorchIrisLike.Predict, TorchIrisLike.InputSize, TorchIrisLike.OutputSize),
                "EmbeddedScorer" => (EmbeddedScorer.Predict, EmbeddedScorer.InputSize, EmbeddedScorer.OutputSize),
                "EmbeddedDeep" => (EmbeddedDeep.Predict, EmbeddedDeep.InputSize, EmbeddedDeep.OutputSize),
                "JsonIrisLike" => (JsonIrisLike.Predict, JsonIrisLike.InputSize, JsonIrisLike.OutputSize),
                "JsonScorer" => (JsonScorer.Predict, JsonScorer.InputSize, JsonScorer.OutputSize),
                _ => ((Predictor)JsonDeep.Predict, JsonDeep.InputSize, JsonDeep.OutputSize),
            };
            int threads = 8;
            // Per batch size: a one-sample call and a batched call may differ in the last bit (different code), so each
            // size is compared with itself run single-threaded.
            var x = new float[threads][][];
            var expected = new float[threads][][];
            for (int t = 0; t < threads; t++)
            {
                x[t] = new float[s_batches.Length][];
                expected[t] = new float[s_batches.Length][];
                for (int b = 0; b < s_batches.Length; b++)
                {
                    x[t][b] = Numbers.Random(s_batches[b] * inputs, 77 + 10 * t + b, 2f);
                    expected[t][b] = new float[s_batches[b] * outputs];
                    predict(x[t][b], expected[t][b]);
                }
            }
            RunTogether(threads, t =>
            {
                for (int r = 0; r < 20; r++)
                {
                    for (int b = 0; b < s_batches.Length; b++)
                    {
                        var output = new float[expected[t][b].Length];
                        predict(x[t][b], output);
                        AssertBitwiseEqual(expected[t][b], output, $"{name}, thread {t}, batch {s_batches[b]}, round {r}");
                    }
                }
            });
        }

        [Fact]
        public async Task TrainingWhileOtherThreadsReadNeitherThrowsNorProducesGarbage()
        {
            // Documented as unsupported for exact results (readers see a mix of old and new parameters: docs/reliability.md);
            // what is guaranteed is memory safety: no exception, no out-of-range read, outputs of the right shape.
            var model = new IrisLike(5);
            float[] x = Numbers.Random(64 * 4, 9, 1f);
            var y = new float[64 * 3];
            for (int i = 0; i < 64; i++) y[i * 3 + i % 3] = 1f;
            using var done = new CancellationTokenSource();
            Task[] readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
            {
                var output = new float[64 * 3];
                int reads = 0;
                while (!done.IsCancellationRequested || reads == 0)
                {
                    model.Forward(x, output);
                    for (int s = 0; s < 64; s++)
                    {
                        float sum = output[3 * s] + output[3 * s + 1] + output[3 * s + 2];
                        Assert.True(Math.Abs(sum - 1f) < 1e-4f, $"a softmax row sums to {sum}");
                    }
                    reads++;
                }
            })).ToArray();
            model.Fit(x, y, Loss.CategoricalCrossentropy, new Adam(0.01f), new TrainingOptions { Epochs = 30, BatchSize = 8 });
            done.Cancel();
            await Task.WhenAll(readers);
        }

        private static readonly Lazy<JsonDocument> s_nonfinite = new(() => TestData.Load("nonfinite.json"));

        public static IEnumerable<object[]> NonFiniteCases() =>
            s_nonfinite.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("id").GetString()! });

        [Theory]
        [MemberData(nameof(NonFiniteCases))]
        public void NaNAndInfinityPropagateAsInKerasTorchBackend(string id)
        {
            JsonElement c = s_nonfinite.Value.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("id").GetString() == id);
            IModel model = ActivationModels.ByKey[KeyOf(c)].Alone();
            float[][] rows = c.GetProperty("inputs").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)Number(v)).ToArray()).ToArray();
            double[][] expected = c.GetProperty("outputs").EnumerateArray().Select(r => r.EnumerateArray().Select(Number).ToArray()).ToArray();
            var problems = new List<string>();
            // Each row alone (single-sample code), then all rows as one batch (the 4-sample tiles and their remainder).
            for (int r = 0; r < rows.Length; r++)
            {
                var output = new float[model.OutputSize];
                model.Forward(rows[r], output);
                Compare(expected[r], output, $"row {r} alone", problems);
            }
            float[] batch = rows.SelectMany(r => r).ToArray();
            var outputs = new float[rows.Length * model.OutputSize];
            model.Forward(batch, outputs);
            for (int r = 0; r < rows.Length; r++) Compare(expected[r], outputs.AsSpan(r * model.OutputSize, model.OutputSize).ToArray(), $"row {r} in a batch of {rows.Length}", problems);
            Assert.True(problems.Count == 0, $"{id}:\n" + string.Join("\n", problems));
        }

        private static void Compare(double[] expected, float[] actual, string where, List<string> problems)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                double e = expected[i];
                float a = actual[i];
                bool ok = double.IsNaN(e) ? float.IsNaN(a)
                    : double.IsInfinity(e) ? a == e
                    : float.IsFinite(a) && Math.Abs(a - e) <= 1e-6 + 1e-5 * Math.Abs(e);
                if (!ok) problems.Add($"{where}, output {i}: expected {e.ToString("R", CultureInfo.InvariantCulture)}, got {a.ToString("R", CultureInfo.InvariantCulture)}");
            }
        }

        private static double Number(JsonElement v) => v.ValueKind == JsonValueKind.String
            ? v.GetString() switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, var s => throw new FormatException(s) }
            : v.GetDouble();

        /// <summary>The <see cref="ActivationModels.ByKey"/> key of a case: the activation, then its parameters in name order.</summary>
        private static string KeyOf(JsonElement c)
        {
            string key = c.GetProperty("activation").GetString()!;
            foreach (JsonProperty p in c.GetProperty("params").EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
            {
                string value = ((float)p.Value.GetDouble()).ToString("R", CultureInfo.InvariantCulture);
                if (!value.Contains('.') && !value.Contains('E')) value += ".0";
                key += $"|{p.Name}={value}";
            }
            return key;
        }

        /// <summary>Every load API, each given a broken file of its format: the exception names the problem and the parameters are bit-identical.</summary>
        [Theory]
        [InlineData("Load(path): truncated")]
        [InlineData("Load(path): other model")]
        [InlineData("Load(stream): checksum")]
        [InlineData("Load(stream): NaN value")]
        [InlineData("LoadSafetensors: header past the end")]
        [InlineData("LoadSafetensors: infinite value")]
        [InlineData("LoadSafetensors: overflowing shape")]
        [InlineData("LoadRaw(path): one value short")]
        [InlineData("LoadRaw(paths): NaN in the last shard")]
        [InlineData("LoadRaw(paths): a shard missing")]
        public void FailedLoadLeavesParametersBitIdentical(string kind)
        {
            var model = new Deep(11);
            var source = new Deep(12);
            string dir = Directory.CreateTempSubdirectory("modelgen-load-").FullName;
            try
            {
                string mgw = Path.Combine(dir, "w.mgw"), st = Path.Combine(dir, "w.safetensors"), raw = Path.Combine(dir, "w.bin");
                WeightFile.Save(source, mgw);
                WeightFile.SaveSafetensors(source, st);
                WeightFile.SaveRaw(source, raw);
                byte[] m = File.ReadAllBytes(mgw), s = File.ReadAllBytes(st), r = File.ReadAllBytes(raw);
                Action load = kind switch
                {
                    "Load(path): truncated" => Write(mgw, m[..^3], () => WeightFile.Load(model, mgw)),
                    "Load(path): other model" => Write(mgw, Mgw(new Scorer(1)), () => WeightFile.Load(model, mgw)),
                    "Load(stream): checksum" => () => WeightFile.Load(model, new MemoryStream(Flip(m, m.Length - 1))),
                    "Load(stream): NaN value" => () => WeightFile.Load(model, new MemoryStream(MgwWithValue(m, float.NaN))),
                    "LoadSafetensors: header past the end" => Write(st, SetUInt64(s, 0, (ulong)s.Length), () => WeightFile.LoadSafetensors(model, st)),
                    "LoadSafetensors: infinite value" => Write(st, SetFloat(s, s.Length - 4, float.PositiveInfinity), () => WeightFile.LoadSafetensors(model, st)),
                    "LoadSafetensors: overflowing shape" => Write(st, Replace(s, "\"shape\":[211]", "\"shape\":[4294967296]"), () => WeightFile.LoadSafetensors(model, st)),
                    "LoadRaw(path): one value short" => Write(raw, r[..^4], () => WeightFile.LoadRaw(model, raw)),
                    "LoadRaw(paths): NaN in the last shard" => WriteShards(dir, SetFloat(r, r.Length - 4, float.NaN), paths => WeightFile.LoadRaw(model, paths)),
                    _ => WriteShards(dir, r[..^100], paths => WeightFile.LoadRaw(model, paths.Take(2).ToArray())),
                };
                ulong before = Checksum(model.Parameters);
                float[] copy = model.Parameters.ToArray();
                InvalidDataException e = Assert.Throws<InvalidDataException>(load);
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                Assert.Equal(before, Checksum(model.Parameters));
                Assert.Equal(copy, model.Parameters.ToArray());
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        [Fact]
        public void LoadOfAMissingFileLeavesParametersBitIdentical()
        {
            var model = new Deep(11);
            ulong before = Checksum(model.Parameters);
            string missing = Path.Combine(Path.GetTempPath(), "modelgen-missing-" + Guid.NewGuid().ToString("N"));
            Assert.Throws<FileNotFoundException>(() => WeightFile.Load(model, missing));
            Assert.Throws<FileNotFoundException>(() => WeightFile.LoadSafetensors(model, missing));
            Assert.Throws<FileNotFoundException>(() => WeightFile.LoadRaw(model, missing));
            Assert.Equal(before, Checksum(model.Parameters));
        }

        /// <summary>A progress callback that throws at the end of epoch <see cref="ThrowAt"/>.</summary>
        private sealed class ThrowingProgress(int throwAt) : IProgress<EpochResult>
        {
            public int ThrowAt { get; } = throwAt;

            public void Report(EpochResult value)
            {
                if (value.Epoch == ThrowAt) throw new InvalidOperationException("stop from the callback");
            }
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void FitStoppedByTheProgressCallbackKeepsTheParametersOfTheEpochsDone(bool restoreBest)
        {
            // Documented: the exception propagates unchanged; the parameters are those after the last applied batch (the
            // epoch that reported); RestoreBestParameters is not applied, since Fit did not finish.
            float[] x = Numbers.Random(40 * 4, 21, 1f);
            var y = new float[40 * 3];
            for (int i = 0; i < 40; i++) y[i * 3 + i % 3] = 1f;
            EarlyStopping? stopping = restoreBest ? new EarlyStopping { Patience = 100, RestoreBestParameters = true } : null;

            var reference = new IrisLike(4);
            reference.Fit(x, y, Loss.CategoricalCrossentropy, new Adam(0.05f), new TrainingOptions { Epochs = 3, BatchSize = 8, Seed = 5 });

            var stopped = new IrisLike(4);
            var e = Assert.Throws<InvalidOperationException>(() => stopped.Fit(x, y, Loss.CategoricalCrossentropy, new Adam(0.05f),
                new TrainingOptions { Epochs = 10, BatchSize = 8, Seed = 5, Progress = new ThrowingProgress(3), EarlyStopping = stopping }));
            Assert.Equal("stop from the callback", e.Message);
            AssertBitwiseEqual(reference.Parameters.ToArray(), stopped.Parameters.ToArray(), "after a callback exception at epoch 3");
        }

        [Fact]
        public void FitStoppedByABadBatchKeepsTheParametersOfTheBatchesBefore()
        {
            // Documented: a non-finite loss throws ArithmeticException naming the epoch and batch; the bad batch is not applied.
            float[] x = Numbers.Random(24 * 4, 22, 1f);
            var y = new float[24 * 3];
            for (int i = 0; i < 24; i++) y[i * 3 + i % 3] = 1f;
            x[17 * 4 + 2] = float.NaN; // sample 17: the third batch of 8 (no shuffling)

            var reference = new IrisLike(6);
            reference.Fit(x.AsSpan(0, 16 * 4), y.AsSpan(0, 16 * 3), Loss.CategoricalCrossentropy, new Sgd(0.1f, momentum: 0.9f), new TrainingOptions { Epochs = 1, BatchSize = 8, Shuffle = false });

            var stopped = new IrisLike(6);
            var e = Assert.Throws<ArithmeticException>(() => stopped.Fit(x, y, Loss.CategoricalCrossentropy, new Sgd(0.1f, momentum: 0.9f), new TrainingOptions { Epochs = 2, BatchSize = 8, Shuffle = false }));
            Assert.Contains("epoch 1, batch 3", e.Message);
            AssertBitwiseEqual(reference.Parameters.ToArray(), stopped.Parameters.ToArray(), "after a NaN batch");
        }

        private static void RunTogether(int threads, Action<int> body)
        {
            using var start = new Barrier(threads);
            var workers = new Thread[threads];
            var failures = new Exception?[threads];
            for (int t = 0; t < threads; t++)
            {
                int id = t;
                workers[t] = new Thread(() =>
                {
                    try
                    {
                        start.SignalAndWait();
                        body(id);
                    }
                    catch (Exception e)
                    {
                        failures[id] = e;
                    }
                });
                workers[t].Start();
            }
            foreach (Thread w in workers) w.Join();
            Exception? first = failures.FirstOrDefault(f => f is not null);
            if (first is not null) throw new Xunit.Sdk.XunitException("A thread failed: " + first);
        }

        private static void AssertBitwiseEqual(float[] expected, float[] actual, string where)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
            {
                if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    throw new Xunit.Sdk.XunitException($"{where}: value {i} is {actual[i]:R}, single-threaded {expected[i]:R}");
                }
            }
        }

        private static ulong Checksum(ReadOnlySpan<float> values)
        {
            ulong hash = 14695981039346656037UL;
            foreach (float v in values) hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(v)) * 1099511628211UL;
            return hash;
        }

        private static Action Write(string path, byte[] bytes, Action load)
        {
            File.WriteAllBytes(path, bytes);
            return load;
        }

        private static Action WriteShards(string dir, byte[] bytes, Action<string[]> load)
        {
            int third = bytes.Length / 3 + 1; // not a multiple of 4: values straddle shards
            string[] paths = Enumerable.Range(0, 3).Select(i => Path.Combine(dir, $"group1-shard{i + 1}of3.bin")).ToArray();
            for (int i = 0; i < 3; i++) File.WriteAllBytes(paths[i], bytes.AsSpan(Math.Min(bytes.Length, i * third), Math.Max(0, Math.Min(third, bytes.Length - i * third))).ToArray());
            return () => load(paths);
        }

        private static byte[] Mgw(IModel model)
        {
            using var stream = new MemoryStream();
            WeightFile.Save(model, stream);
            return stream.ToArray();
        }

        private static byte[] Flip(byte[] b, int at)
        {
            byte[] c = (byte[])b.Clone();
            c[at] ^= 0x40;
            return c;
        }

        private static byte[] MgwWithValue(byte[] mgw, float value)
        {
            byte[] c = SetFloat(mgw, 24, value);
            uint crc = Crc32(c.AsSpan(24));
            BitConverter.TryWriteBytes(c.AsSpan(20), crc);
            return c;
        }

        private static byte[] SetFloat(byte[] b, int at, float value)
        {
            byte[] c = (byte[])b.Clone();
            BitConverter.TryWriteBytes(c.AsSpan(at), value);
            return c;
        }

        private static byte[] SetUInt64(byte[] b, int at, ulong value)
        {
            byte[] c = (byte[])b.Clone();
            BitConverter.TryWriteBytes(c.AsSpan(at), value);
            return c;
        }

        private static byte[] Replace(byte[] b, string from, string to)
        {
            string header = System.Text.Encoding.UTF8.GetString(b);
            Assert.Contains(from, header);
            return System.Text.Encoding.UTF8.GetBytes(header.Replace(from, to));
        }

        private static uint Crc32(ReadOnlySpan<byte> data)
        {
            uint crc = 0xFFFFFFFFu;
            foreach (byte x in data)
            {
                crc ^= x;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            return ~crc;
        }
    }
}
