using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using ModelGen.Generator;

namespace ModelGen.Benchmarks
{
    /// <summary>
    /// The generator's own cost: a cold run on a compilation that declares one model (mnist or wide), and the second run
    /// after an unrelated file changed, where the pipeline's caching means nothing is re-emitted.
    /// </summary>
    [MemoryDiagnoser]
    public class GeneratorBenchmarks
    {
        private CSharpCompilation _compilation = null!, _edited = null!;
        private GeneratorDriver _warm = null!;

        [Params("mnist", "wide", "all six", "mnist json+weights", "mnist .keras", "mnist .h5", "mnist .onnx")]
        public string Models { get; set; } = "mnist";

        private static readonly string[] s_declarations =
        {
            "[Model(784)] [Dense(128, Activation.Relu)] [Dense(64, Activation.Relu)] [Dense(10, Activation.Softmax)] public partial class Mnist { }",
            "[Model(256)] [Dense(512, Activation.Relu)] [Dense(512, Activation.Relu)] [Dense(10, Activation.Softmax)] public partial class Wide { }",
            "[Model(2)] [Dense(4, Activation.Tanh)] [Dense(1, Activation.Sigmoid)] public partial class Xor { }",
            "[Model(4)] [Dense(16, Activation.Relu)] [Dense(3, Activation.Softmax)] public partial class Iris { }",
            "[Model(64)] [Dense(32, Activation.Relu)] [Dense(10, Activation.Softmax)] public partial class Digits { }",
            "[Model(8)] [Dense(64, Activation.Silu)] [Dense(64, Activation.Silu)] [Dense(1)] public partial class Regress { }",
        };

        [GlobalSetup]
        public void Setup() => Prepare(prepareOnly: false);

        /// <summary>
        /// <c>--generator-cold "mnist .onnx"</c>: the generator's first run in this (fresh) process, then the median of 20
        /// further runs with new drivers, and of 20 no-op edits; prints milliseconds. Run once per format, each in a new process.
        /// </summary>
        public static int MeasureCold(string models)
        {
            var bench = new GeneratorBenchmarks { Models = models };
            bench.Prepare(prepareOnly: true);
            // Roslyn's own first-use cost (its incremental driver, syntax provider and additional-text plumbing), paid by a
            // trivial generator first, so that the next run's first-time cost is the generator's own (its JIT and its readers).
            var roslynClock = System.Diagnostics.Stopwatch.StartNew();
            CSharpGeneratorDriver.Create(new[] { new WarmUpGenerator().AsSourceGenerator() }, bench._files, (CSharpParseOptions)bench._compilation.SyntaxTrees[0].Options)
                .RunGenerators(bench._compilation);
            double roslynFirst = roslynClock.Elapsed.TotalMilliseconds;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            GeneratorDriver first = bench.ColdRun();
            double cold = clock.Elapsed.TotalMilliseconds;
            double coldOwn = first.GetTimingInfo().ElapsedTime.TotalMilliseconds;
            GeneratorDriverRunResult result = first.GetRunResult();
            if (!result.Diagnostics.IsEmpty || result.GeneratedTrees.Length == 0) throw new InvalidOperationException($"{models}: {string.Join("; ", result.Diagnostics)}");
            bench._warm = first;
            var warm = new double[20];
            var warmOwn = new double[20];
            var edit = new double[20];
            for (int i = 0; i < warm.Length; i++)
            {
                clock.Restart();
                GeneratorDriver again = bench.ColdRun();
                warm[i] = clock.Elapsed.TotalMilliseconds;
                warmOwn[i] = again.GetTimingInfo().ElapsedTime.TotalMilliseconds;
                clock.Restart();
                bench.NoOpEdit();
                edit[i] = clock.Elapsed.TotalMilliseconds;
            }
            Array.Sort(warm);
            Array.Sort(warmOwn);
            Array.Sort(edit);
            // What the compiler then does with the generated text: parse, bind and emit the whole assembly (median of 5).
            var compile = new double[5];
            for (int i = 0; i < compile.Length; i++)
            {
                clock.Restart();
                bench.Driver().RunGeneratorsAndUpdateCompilation(bench._compilation, out Compilation output, out _);
                var emitted = output.Emit(Stream.Null);
                compile[i] = clock.Elapsed.TotalMilliseconds;
                if (!emitted.Success) throw new InvalidOperationException($"{models}: {string.Join("; ", emitted.Diagnostics.Take(3))}");
            }
            Array.Sort(compile);
            // GetTimingInfo: the driver's own account of the generator's run (reading, resolving, emitting, adding sources).
            Console.WriteLine($"{models}: Roslyn's first use in this process {roslynFirst:F0} ms; then the generator's first run {cold:F1} ms (generator {coldOwn:F1} ms); "
                + $"later first runs (new driver) median {warm[10]:F1} ms (generator {warmOwn[10]:F1} ms); no-op edit median {edit[10]:F2} ms; "
                + $"generate + parse + bind + emit the assembly median {compile[2]:F0} ms");
            return 0;
        }

        private void Prepare(bool prepareOnly)
        {
            string body = Models switch
            {
                "mnist json+weights" => "[Model(Json = \"models/mnist.json\", Weights = \"models/mnist.bin\")] public partial class MnistTrained { }",
                "mnist .keras" => "[Model(\"models/mnist.keras\")] public partial class MnistKeras { }",
                "mnist .h5" => "[Model(\"models/mnist.h5\")] public partial class MnistH5 { }",
                "mnist .onnx" => "[Model(\"models/mnist.onnx\")] public partial class MnistOnnx { }",
                "mnist" => s_declarations[0],
                "wide" => s_declarations[1],
                _ => string.Join("\n", s_declarations),
            };
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
                .Select(p => MetadataReference.CreateFromFile(p))
                .Append(MetadataReference.CreateFromFile(typeof(IModel).Assembly.Location));
            _compilation = CSharpCompilation.Create("Models",
                new[]
                {
                    CSharpSyntaxTree.ParseText("using ModelGen;\nnamespace App;\n" + body, parse, "Models.cs"),
                    CSharpSyntaxTree.ParseText("namespace App; public static class Other { public static int Value => 1; }", parse, "Other.cs"),
                },
                references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            SyntaxTree other = _compilation.SyntaxTrees.Last();
            _edited = _compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText("namespace App; public static class Other { public static int Value => 2; }", parse, "Other.cs"));
            if (Models == "mnist json+weights")
            {
                // A ModelGen-format declaration and the seed-1 parameters (109,386 floats) encoded as the build targets do.
                var mnist = new MnistNet(1);
                byte[] raw = new byte[4 * MnistNet.ParameterCount];
                for (int i = 0; i < MnistNet.ParameterCount; i++) BitConverter.TryWriteBytes(raw.AsSpan(4 * i), mnist.Parameters[i]);
                _files = new AdditionalText[]
                {
                    new Text("/proj/models/mnist.json", "{\"format\": \"modelgen\", \"inputs\": 784, \"layers\": [{\"dense\": 128, \"activation\": \"relu\"}, {\"dense\": 64, \"activation\": \"relu\"}, {\"dense\": 10, \"activation\": \"softmax\"}]}"),
                    new Text("/proj/obj/modelgen/mnist.bin.1.modelgen-weights", "ModelGen weights 1: /proj/models/mnist.bin\n" + Convert.ToBase64String(raw, Base64FormattingOptions.InsertLineBreaks)),
                };
            }
            if (Models is "mnist .keras" or "mnist .h5" or "mnist .onnx")
            {
                // A 784-128-64-10 Keras file written by tests/reference/make_keras_files.py (the ONNX one by torch.onnx.export in
                // make_affine_files.py), encoded as the build targets do.
                string file = Models == "mnist .keras" ? "mnist.keras" : Models == "mnist .h5" ? "mnist.h5" : "mnist.onnx";
                byte[] bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "keras", file));
                _files = new AdditionalText[] { new Text("/proj/obj/modelgen/" + file + ".1.modelgen-weights", "ModelGen weights 1: /proj/models/" + file + "\n" + Convert.ToBase64String(bytes, Base64FormattingOptions.InsertLineBreaks)) };
            }
            if (prepareOnly) return;
            _warm = Driver().RunGenerators(_compilation);
            // A benchmark of a generator that reports instead of generating would measure nothing: check the output.
            GeneratorDriverRunResult result = _warm.GetRunResult();
            if (!result.Diagnostics.IsEmpty || result.GeneratedTrees.Length == 0)
            {
                throw new InvalidOperationException($"{Models}: the generator produced {result.GeneratedTrees.Length} files and these diagnostics: {string.Join("; ", result.Diagnostics)}");
            }
        }

        private AdditionalText[] _files = Array.Empty<AdditionalText>();

        private GeneratorDriver Driver() =>
            CSharpGeneratorDriver.Create(new[] { new ModelGenGenerator().AsSourceGenerator() }, _files, (CSharpParseOptions)_compilation.SyntaxTrees[0].Options);

        private sealed class Text(string path, string text) : AdditionalText
        {
            private readonly Microsoft.CodeAnalysis.Text.SourceText _text = Microsoft.CodeAnalysis.Text.SourceText.From(text);
            public override string Path => path;
            public override Microsoft.CodeAnalysis.Text.SourceText GetText(System.Threading.CancellationToken cancellationToken = default) => _text;
        }

        /// <summary>Touches what ModelGen's pipeline touches (an attribute lookup, the additional texts) and generates nothing.</summary>
        private sealed class WarmUpGenerator : IIncrementalGenerator
        {
            public void Initialize(IncrementalGeneratorInitializationContext context)
            {
                var declared = context.SyntaxProvider.ForAttributeWithMetadataName("ModelGen.ModelAttribute", (_, _) => true, (c, _) => c.TargetSymbol.Name);
                var texts = context.AdditionalTextsProvider.Select((t, ct) => t.GetText(ct)!.Length).Collect();
                context.RegisterSourceOutput(declared.Combine(texts), (_, _) => { });
            }
        }

        /// <summary>First run: read the attributes (and files), build the spec, emit every file.</summary>
        [Benchmark]
        public GeneratorDriver ColdRun() => Driver().RunGenerators(_compilation);

        /// <summary>An unrelated file changed: the model's spec is unchanged, so nothing is emitted again.</summary>
        [Benchmark]
        public GeneratorDriver NoOpEdit() => _warm.RunGenerators(_edited);
    }
}
