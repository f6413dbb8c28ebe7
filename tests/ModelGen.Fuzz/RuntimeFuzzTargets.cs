// The runtime's weight loaders as fuzz targets: a load either succeeds with finite parameters or throws
// InvalidDataException and leaves the parameters bit-identical (checked by checksum); any other exception is a bug.
// Compiled into ModelGen.Fuzz and into ModelGen.Tests (the bounded mutation tests that CI runs).
using System;
using System.IO;

namespace ModelGen.Fuzz
{
    /// <summary>The runtime's <see cref="WeightFile"/> loads as fuzz targets.</summary>
    public static class RuntimeFuzzTargets
    {
        /// <summary><see cref="WeightFile.LoadSafetensors"/> into a model shaped like the iris fixtures (4 inputs, 16 hidden, 3 outputs: 131 parameters).</summary>
        public static void Safetensors(byte[] data)
        {
            var model = new FakeModel(4, 3, 131);
            string path = TempPaths(new[] { data })[0];
            Load(model, "safetensors", () => WeightFile.LoadSafetensors(model, path));
        }

        /// <summary><see cref="WeightFile.Load(IModel, Stream)"/> and <see cref="WeightFile.Load(IModel, string)"/> into a model shaped like deep.mgw (6 inputs, 4 outputs, 211 parameters).</summary>
        public static void Mgw(byte[] data)
        {
            var model = new FakeModel(6, 4, 211);
            Load(model, "MGW1", () => WeightFile.Load(model, new MemoryStream(data, writable: false)));
            var other = new FakeModel(6, 4, 211);
            string path = TempPaths(new[] { data })[0];
            Load(other, "MGW1 file", () => WeightFile.Load(other, path));
            Check(model.Checksum() == other.Checksum(), "loading from a stream and from a file gave different parameters");
        }

        /// <summary>
        /// <see cref="WeightFile.LoadRaw(IModel, string[])"/> into a model shaped like scorer.bin (8 inputs, 73 parameters),
        /// the bytes split into three shards at places the first two bytes choose (a value may straddle shards).
        /// </summary>
        public static void Raw(byte[] data)
        {
            int cut1 = data.Length == 0 ? 0 : data[0] % (data.Length + 1);
            int cut2 = data.Length < 2 ? cut1 : Math.Max(cut1, data[1] * 7 % (data.Length + 1));
            string[] paths = TempPaths(new[] { data.AsSpan(0, cut1).ToArray(), data.AsSpan(cut1, cut2 - cut1).ToArray(), data.AsSpan(cut2).ToArray() });
            var model = new FakeModel(8, 1, 73);
            bool loaded = Load(model, "raw", () => WeightFile.LoadRaw(model, paths));
            Check(!loaded || data.Length == 4 * 73, $"a raw load of {data.Length} bytes into 73 parameters succeeded");
        }

        /// <summary>Runs <paramref name="load"/>: success leaves finite parameters, <see cref="InvalidDataException"/> leaves them as they were.</summary>
        private static bool Load(FakeModel model, string what, Action load)
        {
            ulong before = model.Checksum();
            try
            {
                load();
            }
            catch (InvalidDataException e)
            {
                Check(!string.IsNullOrWhiteSpace(e.Message), $"a failed {what} load without a message");
                Check(model.Checksum() == before, $"a failed {what} load changed the parameters ({e.Message})");
                return false;
            }
            foreach (float v in model.Parameters) Check(float.IsFinite(v), $"a {what} load stored a non-finite parameter");
            return true;
        }

        [ThreadStatic]
        private static string? t_directory;

        /// <summary>Writes the shards to this thread's scratch files (overwritten by the next input).</summary>
        private static string[] TempPaths(byte[][] shards)
        {
            t_directory ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"modelgen-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}")).FullName;
            var paths = new string[shards.Length];
            for (int i = 0; i < shards.Length; i++)
            {
                paths[i] = Path.Combine(t_directory, "shard" + i + ".bin");
                File.WriteAllBytes(paths[i], shards[i]);
            }
            return paths;
        }

        private static void Check(bool condition, string rule)
        {
            if (!condition) throw new InvalidOperationException("Fuzz contract broken: " + rule);
        }

        /// <summary>A model with only sizes and parameters (all the weight loaders touch), filled with a fixed pattern.</summary>
        public sealed class FakeModel : IModel
        {
            private readonly float[] _parameters;
            private readonly int[] _sizes;

            /// <summary>Creates the model with <paramref name="parameters"/> parameters set to a fixed non-zero pattern.</summary>
            public FakeModel(int inputs, int outputs, int parameters)
            {
                InputSize = inputs;
                OutputSize = outputs;
                _parameters = new float[parameters];
                for (int i = 0; i < parameters; i++) _parameters[i] = (i * 37 % 101 - 50) / 64f;
                _sizes = new[] { parameters };
            }

            public int InputSize { get; }

            public int OutputSize { get; }

            public int ParameterCount => _parameters.Length;

            public Span<float> Parameters => _parameters;

            public ReadOnlySpan<int> TensorSizes => _sizes;

            public Activation OutputActivation => Activation.Linear;

            /// <summary>FNV-1a over the parameters' bits.</summary>
            public ulong Checksum()
            {
                ulong hash = 14695981039346656037UL;
                foreach (float v in _parameters) hash = (hash ^ (uint)BitConverter.SingleToInt32Bits(v)) * 1099511628211UL;
                return hash;
            }

            public void Forward(ReadOnlySpan<float> input, Span<float> output) => throw new NotSupportedException();

            public void ForwardTrace(ReadOnlySpan<float> input, Span<float> output, Span<float> logits) => throw new NotSupportedException();

            public void Backward(ReadOnlySpan<float> gradient, bool gradientIsForLogits, Span<float> parameterGradient, Span<float> inputGradient) => throw new NotSupportedException();

            public void SeedDropout(int seed) => throw new NotSupportedException();

            public float ComputeGradients(ReadOnlySpan<float> inputs, ReadOnlySpan<float> targets, Loss loss, Span<float> parameterGradient, Span<float> inputGradient = default) => throw new NotSupportedException();
        }
    }
}
