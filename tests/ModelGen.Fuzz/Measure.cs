// `ModelGen.Fuzz measure`: the generator's limits in figures (docs/reliability.md quotes them). For each hostile input it
// prints the time, the bytes allocated and the process's peak working set: declarations past the size limits, a 10 MB
// JSON model file, and 10 MB weights files (base64 text as the build targets write it). Timing lives here, not in tests.
extern alias generator;
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using generator::ModelGen.Generator;
using generator::ModelGen.Generator.Model;
using generator::ModelGen.Generator.Parsing;

namespace ModelGen.Fuzz
{
    /// <summary>Measures the generator on oversized and hostile inputs.</summary>
    public static class Measure
    {
        public static int Run()
        {
            Time("warm-up: [Model(4)] [Dense(3)]", () => Generate("[Model(4)] [Dense(3)] public partial class A { }"));
            Time("cold path: [Model(4)] [Dense(2000000)] (first refusal in this process)", () => Generate("[Model(4)] [Dense(2000000)] public partial class B { }"));
            Time("[Model(4)] [Dense(1000000)] (10^6 units)", () => Generate("[Model(4)] [Dense(1000000)] public partial class A { }"));
            Time("[Model(40000)] [Dense(25000)] (10^9 parameters)", () => Generate("[Model(40000)] [Dense(25000)] public partial class A { }"));
            Time("1024 x [Dense(262144)] (the width limit, 10^9+ parameters)", () => Generate("[Model(4)] " + string.Concat(Enumerable.Repeat("[Dense(262144)] ", 1024)) + "public partial class A { }"));
            Time("JSON: modelgen format, one 10^6-unit layer", () => Json("{\"format\":\"modelgen\",\"inputs\":4,\"layers\":[{\"dense\":1000000}]}"));
            Time("JSON: Keras 3, 10^9 parameters", () => Json("{\"module\":\"keras\",\"class_name\":\"Sequential\",\"config\":{\"name\":\"s\",\"layers\":[{\"module\":\"keras.layers\",\"class_name\":\"InputLayer\",\"config\":{\"batch_shape\":[null,40000]}},{\"module\":\"keras.layers\",\"class_name\":\"Dense\",\"config\":{\"units\":25000}}]}}"));
            string under = "{\"format\":\"modelgen\",\"inputs\":4,\"layers\":[{\"dense\":3}],\"metadata\":[" + string.Join(",", Enumerable.Range(0, 1_040_000).Select(i => (i % 1000).ToString())) + "]}";
            Time($"JSON: {under.Length / 1e6:F1} MB file of small numbers (under the 2^22-character limit)", () => Json(under));
            string numbers = "[" + string.Join(",", Enumerable.Range(0, 2_600_000).Select(i => (i % 1000).ToString())) + "]";
            string big = "{\"format\":\"modelgen\",\"inputs\":4,\"layers\":[{\"dense\":3}],\"metadata\":" + numbers + "}";
            Time($"JSON: {big.Length / 1e6:F1} MB file (2.6 M numbers)", () => Json(big));
            string strings = "{\"format\":\"modelgen\",\"inputs\":4,\"layers\":[{\"dense\":3}],\"metadata\":\"" + new string('x', 10_000_000) + "\"}";
            Time($"JSON: {strings.Length / 1e6:F1} MB file (one string)", () => Json(strings));
            string nested = new string('[', 5_000_000) + new string(']', 5_000_000);
            Time($"JSON: {nested.Length / 1e6:F1} MB of nesting", () => Json(nested));
            var bytes = new byte[10_000_000];
            Time("weights: 10 MB raw float32 as base64 text", () => Weights(bytes));
            var small = new byte[4_000_000];
            Time("weights: 4 MB raw float32 (10^6 values, under the 2^20 limit)", () => Weights(small));
            return 0;
        }

        private static string Generate(string body)
        {
            var compilation = CSharpCompilation.Create("M", new[] { CSharpSyntaxTree.ParseText("using ModelGen;\n" + body) },
                ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p))
                    .Append(MetadataReference.CreateFromFile(typeof(ModelGen.IModel).Assembly.Location)),
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
            // Roslyn binds the attributes lazily, inside the generator's run; binding them first (as an IDE has done
            // long before a generator runs) leaves the generator's own time in GetTimingInfo().
            _ = compilation.GetDiagnostics();
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new ModelGenGenerator()).RunGenerators(compilation);
            GeneratorDriverRunResult result = driver.GetRunResult();
            TimeSpan own = driver.GetTimingInfo().ElapsedTime;
            return string.Join(" ", result.Diagnostics.Select(d => d.Id + ": " + d.GetMessage())) + $" ({result.GeneratedTrees.Length} files; generator {own.TotalMilliseconds:F1} ms)";
        }

        private static string Json(string text)
        {
            // As the generator reads it: the size limit first (MGEN086), then the reader.
            JsonModelFile file = PipelineGuard.ReadJson(new Text("/m/model.json", text), CancellationToken.None);
            return (file.Usable ? "usable" : "unusable") + "; " + string.Join(" ", file.Diagnostics.AsSpan().ToArray().Select(d => d.Descriptor.Id + ": " + string.Join("|", d.Arguments.AsSpan().ToArray())));
        }

        private static string Weights(byte[] bytes)
        {
            string text = "ModelGen weights 1: /m/w.bin\n" + Convert.ToBase64String(bytes);
            WeightsFile file = WeightsReader.Read("/m/w.modelgen-weights", SourceText.From(text), CancellationToken.None);
            return file.Error ?? $"{file.Values.Count} values";
        }

        /// <summary>An additional file in memory.</summary>
        private sealed class Text(string path, string text) : AdditionalText
        {
            private readonly SourceText _text = SourceText.From(text);

            public override string Path { get; } = path;

            public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
        }

        private static void Time(string what, Func<string> run)
        {
            GC.Collect();
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            string outcome = run();
            clock.Stop();
            long used = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            using Process self = Process.GetCurrentProcess();
            string shown = outcome.Length > 300 ? outcome.Substring(0, 300) + "..." : outcome;
            Console.WriteLine($"{what}: {clock.Elapsed.TotalMilliseconds:F1} ms, {used / 1e6:F1} MB allocated, peak working set {self.PeakWorkingSet64 / 1e6:F0} MB -> {shown}");
        }
    }
}
