// NativeAOT check: generated models run in a natively compiled executable.
//  1. A Keras 3 JSON declaration with trained weights compiled in (models/, written by the IrisDemo with --export):
//     the static Predict classifies the 150 Iris flowers with no instance, no allocation and no start-up work.
//  2. An attribute-declared model runs inference and a few training steps.
// Publish: dotnet publish samples/AotInference -c Release -r linux-x64
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen;

// 1. Compiled-in weights.
string[] rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "iris.csv")).Skip(1).Where(r => r.Length > 0).ToArray();
float[] features = rows.SelectMany(r => r.Split(',').Take(4).Select(v => float.Parse(v, CultureInfo.InvariantCulture))).ToArray();
int[] labels = rows.Select(r => int.Parse(r.Split(',')[4], CultureInfo.InvariantCulture)).ToArray();
var mean = new float[4];
var std = new float[4];
for (int c = 0; c < 4; c++)
{
    float[] column = Enumerable.Range(0, rows.Length).Select(r => features[r * 4 + c]).ToArray();
    mean[c] = column.Average();
    std[c] = MathF.Sqrt(column.Select(v => (v - mean[c]) * (v - mean[c])).Average());
}
for (int i = 0; i < features.Length; i++) features[i] = (features[i] - mean[i % 4]) / std[i % 4];

var probabilities = new float[rows.Length * IrisTrained.OutputSize];
IrisTrained.Predict(features, probabilities);
int correct = 0;
for (int r = 0; r < rows.Length; r++)
{
    ReadOnlySpan<float> p = probabilities.AsSpan(r * 3, 3);
    int best = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0);
    if (best == labels[r]) correct++;
}
Console.WriteLine($"IrisTrained (Keras 3 JSON + safetensors, compiled in): {correct} of {rows.Length} flowers right ({(double)correct / rows.Length:P1}) with the static Predict");
var instance = new IrisTrained();           // starts from the embedded weights
var again = new float[probabilities.Length];
instance.Forward(features, again);
bool same = again.AsSpan().SequenceEqual(probabilities);
Console.WriteLine($"an instance made with new IrisTrained() gives {(same ? "the same" : "DIFFERENT")} probabilities");

// 2. Attribute-declared model: inference and training.
var model = new Classifier(seed: 7);
float[] input = { 0.5f, -1.25f, 2f, 0.75f };
var output = new float[Classifier.OutputSize];
model.Forward(input, output);
Console.WriteLine($"probabilities: {string.Join(", ", Array.ConvertAll(output, p => p.ToString("F4")))}");

var gradient = new float[Classifier.ParameterCount];
float first = model.ComputeGradients(input, new float[] { 0f, 1f, 0f }, Loss.CategoricalCrossentropy, gradient);
for (int step = 0; step < 50; step++)
{
    model.ComputeGradients(input, new float[] { 0f, 1f, 0f }, Loss.CategoricalCrossentropy, gradient);
    for (int i = 0; i < gradient.Length; i++) model.Parameters[i] -= 0.1f * gradient[i];
}
float last = model.ComputeGradients(input, new float[] { 0f, 1f, 0f }, Loss.CategoricalCrossentropy, gradient);
Console.WriteLine($"loss {first:F4} -> {last:F4} after 50 plain gradient steps");
Console.WriteLine($"vector tier: {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Vector512" : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128")}");
return last < first && same && correct >= 140 ? 0 : 1;

[Model(4)]
[Dense(16, Activation.Relu)]
[Dense(3, Activation.Softmax)]
partial class Classifier { }

// The API's own example: a Keras model.to_json() declaration with its trained weights compiled into the assembly.
[Model(Json = "models/iris.keras.json", Weights = "models/iris.safetensors")]
public partial class IrisTrained { }
