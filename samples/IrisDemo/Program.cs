// The main ModelGen demo: declare a network with attributes, train it on the real Iris data set with Keras-default
// Adam, evaluate it, save and reload its weights, and run allocation-free inference.
//
//   dotnet run --project samples/IrisDemo -c Release
//   dotnet run --project samples/IrisDemo -c Release -- --export samples/AotInference/models
//       also writes the trained weights as iris.safetensors there (the AOT sample compiles them in)
//   dotnet run --project samples/IrisDemo -c Release -- --chart curves.png
//       writes the loss and accuracy curves there (default: irisnet-training.png in the temporary folder)
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen;
using Spectre.Console;

// 1. Data: 150 flowers, 4 measurements each, 3 species (sklearn's copy of Fisher's data). Standardize the features.
string[] rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "iris.csv")).Skip(1).Where(r => r.Length > 0).ToArray();
float[] features = rows.SelectMany(r => r.Split(',').Take(4).Select(v => float.Parse(v, CultureInfo.InvariantCulture))).ToArray();
float[] labels = rows.Select(r => float.Parse(r.Split(',')[4], CultureInfo.InvariantCulture)).ToArray();
string[] species = { "setosa", "versicolor", "virginica" };
var mean = new float[4];
var std = new float[4];
for (int c = 0; c < 4; c++)
{
    float[] column = Enumerable.Range(0, rows.Length).Select(r => features[r * 4 + c]).ToArray();
    mean[c] = column.Average();
    std[c] = MathF.Sqrt(column.Select(v => (v - mean[c]) * (v - mean[c])).Average());
}
for (int i = 0; i < features.Length; i++) features[i] = (features[i] - mean[i % 4]) / std[i % 4];

// Every fifth flower is held out for validation (the file is sorted by species).
int[] validRows = Enumerable.Range(0, rows.Length).Where(r => r % 5 == 0).ToArray();
int[] trainRows = Enumerable.Range(0, rows.Length).Where(r => r % 5 != 0).ToArray();
float[] Take(float[] data, int width, int[] which) => which.SelectMany(r => data.AsSpan(r * width, width).ToArray()).ToArray();
float[] trainX = Take(features, 4, trainRows), trainY = Take(labels, 1, trainRows);
float[] validX = Take(features, 4, validRows), validY = Take(labels, 1, validRows);

// 2. Train, with a live progress bar fed through Fit's IProgress<EpochResult> (the runtime itself knows nothing of Spectre).
var model = new IrisNet(seed: 42);
Console.WriteLine($"IrisNet: {IrisNet.InputSize} inputs -> {IrisNet.OutputSize} outputs, {IrisNet.ParameterCount} parameters");
const int Epochs = 60;
TrainingHistory history = null!;
AnsiConsole.Progress()
    .AutoClear(false)
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
    .Start(context =>
    {
        ProgressTask bar = context.AddTask("training", maxValue: Epochs);
        history = model.Fit(trainX, trainY, Loss.SparseCategoricalCrossentropy, new Adam(learningRate: 0.01f), new TrainingOptions
        {
            Epochs = Epochs,
            BatchSize = 16,
            Seed = 7,
            ValidationInputs = validX,
            ValidationTargets = validY,
            Progress = new EpochProgress(bar, Epochs),
        });
    });
foreach (EpochResult e in history.Epochs.Where(e => e.Epoch % 10 == 0))
{
    Console.WriteLine($"epoch {e.Epoch,3}  loss {e.Loss:F4}  accuracy {e.Accuracy:P1}  validation loss {e.ValidationLoss:F4}  validation accuracy {e.ValidationAccuracy:P1}");
}

// The loss and accuracy curves, as a PNG image (ScottPlot).
int chartAt = Array.IndexOf(args, "--chart");
string chart = chartAt >= 0 && chartAt + 1 < args.Length ? args[chartAt + 1] : Path.Combine(Path.GetTempPath(), "irisnet-training.png");
TrainingChart.Write(history, chart);
Console.WriteLine($"loss and accuracy curves: {Path.GetFullPath(chart)}");

// 3. Evaluate.
(float loss, float? accuracy) = model.Evaluate(features, labels, Loss.SparseCategoricalCrossentropy);
Console.WriteLine($"all 150 flowers: loss {loss:F4}, accuracy {accuracy:P1}");

// 4. Save, reload into a fresh instance, and check it predicts the same.
string weights = Path.Combine(Path.GetTempPath(), "irisnet.mgw");
WeightFile.Save(model, weights);
var reloaded = new IrisNet(seed: 0);
WeightFile.Load(reloaded, weights);

// 5. Inference: one flower at a time, allocation-free.
float[] flower = { 6.1f, 2.8f, 4.7f, 1.2f };
for (int c = 0; c < 4; c++) flower[c] = (flower[c] - mean[c]) / std[c];
Span<float> probabilities = stackalloc float[IrisNet.OutputSize];
reloaded.Forward(flower, probabilities);
int best = 0;
for (int k = 1; k < probabilities.Length; k++) if (probabilities[k] > probabilities[best]) best = k;
Console.WriteLine($"flower (6.1, 2.8, 4.7, 1.2): {species[best]} ({probabilities[best]:P1}); reloaded weights from {weights}");

// 6. Optionally export the weights as safetensors (one F32 tensor, the flat parameter vector) for [Model(Weights = ...)].
int export = Array.IndexOf(args, "--export");
if (export >= 0 && export + 1 < args.Length)
{
    Directory.CreateDirectory(args[export + 1]);
    string exported = Path.Combine(args[export + 1], "iris.safetensors");
    WeightFile.SaveSafetensors(model, exported);
    Console.WriteLine($"exported the trained weights to {exported}");
}
return accuracy >= 0.9f ? 0 : 1;

/// <summary>4 measurements -> 16 relu -> 3 species probabilities.</summary>
[Model(4)]
[Dense(16, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class IrisNet { }

/// <summary>Moves the Spectre.Console progress bar one step per epoch and shows the epoch's figures beside it.</summary>
/// <remarks>Fit calls <see cref="Report"/> on the training thread after each epoch; Spectre redraws on its own timer.</remarks>
sealed class EpochProgress(ProgressTask bar, int epochs) : IProgress<EpochResult>
{
    public void Report(EpochResult e)
    {
        bar.Description = $"epoch {e.Epoch,2}/{epochs}  loss {e.Loss:F4}  accuracy {e.Accuracy:P0}";
        bar.Value = e.Epoch;
    }
}
