// Reads every Keras case (h5_, h5w_, keras_, neg_h5_, neg_keras_) of a folder laid out like /work/shared/real-models and
// prints, per file, the layers and weight shapes found or the reader's error. Exit code 1 when a folder is not given.
using System;
using System.IO;
using System.Linq;
using System.Text;
using ModelGen.Formats;
using ModelGen.Formats.Keras;

string? folder = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("MODELGEN_REAL_MODELS");
if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
{
    Console.Error.WriteLine("NOT RUN: give the folder of real model files as the first argument or in MODELGEN_REAL_MODELS.");
    return 1;
}

int read = 0, failed = 0;
foreach (string caseDir in Directory.GetDirectories(folder).OrderBy(d => d, StringComparer.Ordinal))
{
    string name = Path.GetFileName(caseDir);
    if (!(name.StartsWith("h5_") || name.StartsWith("h5w_") || name.StartsWith("keras_") || name.StartsWith("neg_h5_") || name.StartsWith("neg_keras_"))) continue;
    foreach (string file in Directory.GetFiles(caseDir).Where(f => f.EndsWith(".h5") || f.EndsWith(".keras")).OrderBy(f => f, StringComparer.Ordinal))
    {
        string? json = null;
        string[] jsons = Directory.GetFiles(caseDir, "*.json").Where(f => !f.EndsWith(".io.json")).ToArray();
        if (name.StartsWith("h5w_") && jsons.Length == 1) json = File.ReadAllText(jsons[0]);
        FormatResult<KerasModelFile> result = KerasFileReader.Read(File.ReadAllBytes(file), json);
        Console.WriteLine($"{name}/{Path.GetFileName(file)}");
        if (!result.Succeeded)
        {
            failed++;
            Console.WriteLine($"  ERROR: {result.Error}");
            continue;
        }
        read++;
        KerasModelFile model = result.Value!;
        Console.WriteLine($"  {model.Format}; keras_version {model.KerasVersion ?? "-"}; backend {model.Backend ?? "-"}; config {(model.ConfigJson is null ? "none" : model.ConfigJson.Length + " chars")}");
        foreach (KerasLayerWeights layer in model.Layers)
        {
            var line = new StringBuilder($"  {layer.Name}");
            if (layer.ClassName is not null) line.Append($" ({layer.ClassName})");
            line.Append(':');
            if (layer.Weights.Count == 0) line.Append(" no weights");
            foreach (KerasTensor w in layer.Weights)
            {
                double sum = w.Values.Sum(v => (double)v);
                line.Append($" {w.Name}[{string.Join(",", w.Shape)}] sum={sum:G6}");
            }
            Console.WriteLine(line.ToString());
        }
    }
}
Console.WriteLine($"read {read}, errors {failed}");
return 0;
