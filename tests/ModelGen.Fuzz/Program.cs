// ModelGen.Fuzz TARGET: runs one fuzz target under AFL++ (SharpFuzz's in-process persistent loop); with FILE arguments it
// runs the target once on each file instead (to replay a crash or a corpus without AFL). `ModelGen.Fuzz measure` times
// the generator on oversized inputs (Measure.cs).
using System;
using System.Collections.Generic;
using System.IO;
using SharpFuzz;

namespace ModelGen.Fuzz
{
    public static class Program
    {
        /// <summary>The targets by name (fuzz.sh's argument and the corpus folder's name): one per reader.</summary>
        public static readonly IReadOnlyDictionary<string, Action<byte[]>> Targets = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
        {
            ["json"] = GeneratorFuzzTargets.Json,
            ["model"] = GeneratorFuzzTargets.Model,
            ["tfjs"] = GeneratorFuzzTargets.Tfjs,
            ["safetensors"] = data => { GeneratorFuzzTargets.Weights(data); RuntimeFuzzTargets.Safetensors(data); },
            ["mgw"] = data => { GeneratorFuzzTargets.Weights(data); RuntimeFuzzTargets.Mgw(data); },
            ["raw"] = data => { GeneratorFuzzTargets.WeightsText(data); RuntimeFuzzTargets.Raw(data); },
            ["zip"] = FormatFuzzTargets.Zip,
            ["hdf5"] = FormatFuzzTargets.Hdf5,
            ["keras"] = FormatFuzzTargets.Keras,
            ["onnx"] = FormatFuzzTargets.Onnx,
            ["planted"] = Planted.PlantedTarget.Run,
        };

        public static int Main(string[] args)
        {
            if (args.Length == 1 && args[0] == "measure") return Measure.Run();
            if (args.Length == 0 || !Targets.TryGetValue(args[0], out Action<byte[]>? target))
            {
                Console.Error.WriteLine("usage: ModelGen.Fuzz TARGET [FILE...]; targets: " + string.Join(", ", Targets.Keys));
                return 2;
            }
            if (args.Length > 1)
            {
                for (int i = 1; i < args.Length; i++)
                {
                    target(File.ReadAllBytes(args[i]));
                    Console.WriteLine("ok " + args[i]);
                }
                return 0;
            }
            Fuzzer.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                target(buffer.ToArray());
            });
            return 0;
        }
    }
}
