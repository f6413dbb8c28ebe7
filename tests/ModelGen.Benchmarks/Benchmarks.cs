using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ModelGen.Benchmarks
{
    /// <summary>A generated static <c>Predict</c>.</summary>
    public delegate void Predictor(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>One reference model with its generated class and the three hand-written baselines, sharing parameters.</summary>
    public sealed class Subject
    {
        public Subject(string name, IModel model, Predictor predict, Loss loss, params Layer[] layers)
        {
            Name = name;
            Model = model;
            Predict = predict;
            Loss = loss;
            Naive = new NaiveNet(256, layers);
            Primitives = new TensorPrimitivesNet(256, layers);
            Layers = layers;
            model.Parameters.CopyTo(Naive.Parameters);
            model.Parameters.CopyTo(Primitives.Parameters);
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            {
                Vector = new VectorNet(256, layers);
                model.Parameters.CopyTo(Vector.Parameters);
                VectorShared = new VectorNet(256, layers);
                VectorShared.ShareParameters(model);
            }
            if (System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported)
            {
                Vector256 = new Vector256Net(256, layers);
                model.Parameters.CopyTo(Vector256.Parameters);
            }
        }

        public string Name { get; }
        public IModel Model { get; }

        /// <summary>The generated static Predict of the embedded-weights twin (the same parameters, compiled in).</summary>
        public Predictor Predict { get; }
        public Loss Loss { get; }
        public NaiveNet Naive { get; }
        public TensorPrimitivesNet Primitives { get; }
        /// <summary>(c) Vector512 + FMA; null on a machine without Vector512 hardware.</summary>
        public VectorNet? Vector { get; }

        /// <summary>(d) Vector256 + FMA (AVX2); null on a machine without AVX2 and FMA.</summary>
        public Vector256Net? Vector256 { get; }

        public Layer[] Layers { get; }

        /// <summary>(c) reading the generated model's own parameter memory (forward only).</summary>
        public VectorNet? VectorShared { get; }

        public override string ToString() => Name;

        public static Subject Create(string name) => name switch
        {
            "xor" => new Subject(name, new XorNet(1), XorEmbedded.Predict, Loss.BinaryCrossentropy, new Layer(2, 4, Act.Tanh), new Layer(4, 1, Act.Sigmoid)),
            "iris" => new Subject(name, new IrisNet(1), IrisEmbedded.Predict, Loss.CategoricalCrossentropy, new Layer(4, 16, Act.Relu), new Layer(16, 3, Act.Softmax)),
            "digits" => new Subject(name, new DigitsNet(1), DigitsEmbedded.Predict, Loss.CategoricalCrossentropy, new Layer(64, 32, Act.Relu), new Layer(32, 10, Act.Softmax)),
            "regress" => new Subject(name, new RegressNet(1), RegressEmbedded.Predict, Loss.MeanSquaredError, new Layer(8, 64, Act.Silu), new Layer(64, 64, Act.Silu), new Layer(64, 1, Act.Linear)),
            "mnist" => new Subject(name, new MnistNet(1), MnistEmbedded.Predict, Loss.CategoricalCrossentropy, new Layer(784, 128, Act.Relu), new Layer(128, 64, Act.Relu), new Layer(64, 10, Act.Softmax)),
            "wide" => new Subject(name, new WideNet(1), WideEmbedded.Predict, Loss.CategoricalCrossentropy, new Layer(256, 512, Act.Relu), new Layer(512, 512, Act.Relu), new Layer(512, 10, Act.Softmax)),
            _ => throw new ArgumentException("unknown model " + name),
        };

        public static readonly string[] Names = { "xor", "iris", "digits", "regress", "mnist", "wide" };

        private static readonly Dictionary<string, Subject> SharedSubjects = new();

        /// <summary>
        /// One subject per model for the whole process. BenchmarkDotNet runs a global setup for every benchmark case, so
        /// without this each case would measure its own fresh allocation, and the Forward1SameMemory pair would read two
        /// different copies of the parameters (two page placements) instead of one.
        /// </summary>
        public static Subject Shared(string name)
        {
            if (!SharedSubjects.TryGetValue(name, out Subject? subject)) SharedSubjects[name] = subject = Create(name);
            return subject;
        }
    }

    /// <summary>
    /// Batch-1 forward, batch-256 forward and one training step (batch 32, Adam) per model, ModelGen beside (a) naive loops,
    /// (b) TensorPrimitives and (c) hand-written Vector512/FMA. The Vector variant is each category's baseline, so the
    /// Ratio column reads "time relative to the hand-written vector code".
    /// </summary>
    [MemoryDiagnoser]
    [GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
    [CategoriesColumn]
    public class ModelBenchmarks
    {
        private Subject _s = null!;
        private float[] _x1 = null!, _y1 = null!, _x256 = null!, _y256 = null!, _x32 = null!, _t32 = null!, _gradient = null!;
        private Adam _adamModelGen = null!;
        private BaselineAdam _adamNaive = null!, _adamPrimitives = null!, _adamVector = null!;
        private float[] _initial = null!;

        [ParamsSource(nameof(Models))]
        public string Model { get; set; } = "iris";

        public static IEnumerable<string> Models() => Subject.Names;

        [GlobalSetup]
        public void Setup()
        {
            _s = Subject.Shared(Model);
            int inSize = _s.Model.InputSize, outSize = _s.Model.OutputSize;
            var random = new SeededRandom(5);
            _x256 = new float[256 * inSize];
            for (int i = 0; i < _x256.Length; i++) _x256[i] = (float)(2 * random.NextDouble() - 1);
            _x1 = _x256.AsSpan(0, inSize).ToArray();
            _x32 = _x256.AsSpan(0, 32 * inSize).ToArray();
            _y1 = new float[outSize];
            _y256 = new float[256 * outSize];
            _t32 = new float[32 * outSize];
            for (int s = 0; s < 32; s++) _t32[s * outSize + random.NextInt(outSize)] = 1f;
            _gradient = new float[_s.Model.ParameterCount];
            _adamModelGen = new Adam(1e-6f);
            _adamNaive = new BaselineAdam(1e-6f);
            _adamPrimitives = new BaselineAdam(1e-6f);
            _adamVector = new BaselineAdam(1e-6f);
            _initial = _s.Model.Parameters.ToArray();
        }

        /// <summary>Puts the shared subject's parameters back as they were before this case's training steps.</summary>
        [GlobalCleanup]
        public void Cleanup()
        {
            _initial.CopyTo(_s.Model.Parameters);
            _initial.CopyTo(_s.Naive.Parameters);
            _initial.CopyTo(_s.Primitives.Parameters);
            if (_s.Vector is not null) _initial.CopyTo(_s.Vector!.Parameters);
        }

        [Benchmark, BenchmarkCategory("Forward1")] public void ModelGen_Forward1() => _s.Model.Forward(_x1, _y1);
        [Benchmark, BenchmarkCategory("Forward1")] public void ModelGen_Predict1() => _s.Predict(_x1, _y1);
        [Benchmark, BenchmarkCategory("Forward1")] public void Naive_Forward1() => _s.Naive.Forward(_x1, _y1);
        [Benchmark, BenchmarkCategory("Forward1")] public void TensorPrimitives_Forward1() => _s.Primitives.Forward(_x1, _y1);
        [Benchmark(Baseline = true), BenchmarkCategory("Forward1")] public void Vector_Forward1() => _s.Vector!.Forward(_x1, _y1);

        // The same two, with (c) reading the generated model's own parameter memory: the same bytes, the same cache placement.
        [Benchmark, BenchmarkCategory("Forward1SameMemory")] public void ModelGen_Forward1SameMemory() => _s.Model.Forward(_x1, _y1);
        [Benchmark(Baseline = true), BenchmarkCategory("Forward1SameMemory")] public void Vector_Forward1SameMemory() => _s.VectorShared!.Forward(_x1, _y1);

        [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("Forward256")] public void ModelGen_Forward256() => _s.Model.Forward(_x256, _y256);
        [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("Forward256")] public void ModelGen_Predict256() => _s.Predict(_x256, _y256);
        [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("Forward256")] public void Naive_Forward256() => _s.Naive.Forward(_x256, _y256);
        [Benchmark(OperationsPerInvoke = 256), BenchmarkCategory("Forward256")] public void TensorPrimitives_Forward256() => _s.Primitives.Forward(_x256, _y256);
        [Benchmark(OperationsPerInvoke = 256, Baseline = true), BenchmarkCategory("Forward256")] public void Vector_Forward256() => _s.Vector!.Forward(_x256, _y256);

        // Adam with a tiny learning rate keeps the parameters (and so the work) essentially fixed across iterations.
        [Benchmark, BenchmarkCategory("TrainStep32")]
        public float ModelGen_TrainStep32()
        {
            float loss = _s.Model.ComputeGradients(_x32, _t32, _s.Loss, _gradient);
            _adamModelGen.Step(_s.Model.Parameters, _gradient);
            return loss;
        }

        [Benchmark, BenchmarkCategory("TrainStep32")] public float Naive_TrainStep32() => _s.Naive.TrainStep(_x32, _t32, _adamNaive);
        [Benchmark, BenchmarkCategory("TrainStep32")] public float TensorPrimitives_TrainStep32() => _s.Primitives.TrainStep(_x32, _t32, _adamPrimitives);
        [Benchmark(Baseline = true), BenchmarkCategory("TrainStep32")] public float Vector_TrainStep32() => _s.Vector!.TrainStep(_x32, _t32, _adamVector);
    }
}
