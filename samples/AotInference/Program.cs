// NativeAOT sample: generated models in a natively compiled executable, at full speed.
//  1. DigitsTrained: the samples/Digits network (64 -> 32 relu -> 10 softmax) with the weights that sample trained compiled
//     in (models/digits.safetensors, written by `dotnet run --project samples/Digits -c Release -- --export
//     samples/AotInference/models`). The static Predict classifies the 360 held-out test digits: no instance, no
//     allocation, no start-up work.
//  2. IrisTrained: a Keras 3 JSON declaration with trained weights compiled in (the API's own example).
//  3. A few training steps, then which vector tier the generated code runs on.
//
//   dotnet publish samples/AotInference -c Release -r linux-x64 -o artifacts/aot && ./artifacts/aot/AotInference
//   ./artifacts/aot/AotInference --bench      batch-1 Predict latency and one training step (32 samples, Adam)
//   ./artifacts/aot/AotInference --first      one prediction, then exit (for timing process start to first prediction)
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics;
using ModelGen;
using ModelGen.Samples;

if (args.Contains("--first"))
{
    // The first image of digits.csv (a 0), pixels 0-16 as the file holds them: no file is read before the prediction.
    ReadOnlySpan<byte> raw =
    [
        0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0,
        0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0,
    ];
    Span<float> image = stackalloc float[DigitsData.Pixels];
    for (int i = 0; i < image.Length; i++) image[i] = raw[i] / 16f;
    Span<float> p = stackalloc float[DigitsTrained.OutputSize];
    DigitsTrained.Predict(image, p);
    int digit = DigitsData.ArgMax(p, 0, 10);
    Console.WriteLine($"first prediction: {digit} (the file says 0)");
    return digit == 0 ? 0 : 1;
}

// 1. The digits test split, classified with the compiled-in weights.
(float[] pixels, float[] labels) = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "digits.csv"));
(int[] train, int[] test) = DigitsData.Split(labels.Length);
float[] testX = DigitsData.Take(pixels, DigitsData.Pixels, test), testY = DigitsData.Take(labels, 1, test);
var digitProbabilities = new float[test.Length * DigitsTrained.OutputSize];
Span<float> one = stackalloc float[DigitsTrained.OutputSize];
int digitsRight = 0;
for (int i = 0; i < test.Length; i++)
{
    DigitsTrained.Predict(testX.AsSpan(i * DigitsData.Pixels, DigitsData.Pixels), one); // batch 1, as a service would call it
    one.CopyTo(digitProbabilities.AsSpan(i * 10));
    if (DigitsData.ArgMax(one, 0, 10) == (int)testY[i]) digitsRight++;
}
var batched = new float[digitProbabilities.Length];
DigitsTrained.Predict(testX, batched);
bool batchAgrees = Enumerable.Range(0, test.Length).All(i => DigitsData.ArgMax(batched, i, 10) == DigitsData.ArgMax(digitProbabilities, i, 10));
Console.WriteLine($"DigitsTrained (64-32-10, weights compiled in): {digitsRight} of {test.Length} held-out digits right ({(double)digitsRight / test.Length:P2}) with the static Predict; one batch of {test.Length} {(batchAgrees ? "agrees" : "DISAGREES")}");

// 2. The Keras JSON example: 150 Iris flowers.
string[] rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "iris.csv")).Skip(1).Where(r => r.Length > 0).ToArray();
float[] features = rows.SelectMany(r => r.Split(',').Take(4).Select(v => float.Parse(v, CultureInfo.InvariantCulture))).ToArray();
int[] irisLabels = rows.Select(r => int.Parse(r.Split(',')[4], CultureInfo.InvariantCulture)).ToArray();
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
int irisRight = Enumerable.Range(0, rows.Length).Count(r => DigitsData.ArgMax(probabilities, r, 3) == irisLabels[r]);
var instance = new IrisTrained();           // starts from the embedded weights
var again = new float[probabilities.Length];
instance.Forward(features, again);
bool same = again.AsSpan().SequenceEqual(probabilities);
Console.WriteLine($"IrisTrained (Keras 3 JSON + safetensors, compiled in): {irisRight} of {rows.Length} flowers right; new IrisTrained() gives {(same ? "the same" : "DIFFERENT")} probabilities");

// 3. Training in the native executable: Adam steps on the digits training split, from the compiled-in weights.
float[] trainX = DigitsData.Take(pixels, DigitsData.Pixels, train), trainY = DigitsData.Take(labels, 1, train);
var model = new DigitsTrained();
var adam = new Adam(learningRate: 0.001f);
var gradient = new float[DigitsTrained.ParameterCount];
float first = model.ComputeGradients(trainX.AsSpan(0, 32 * 64), trainY.AsSpan(0, 32), Loss.SparseCategoricalCrossentropy, gradient);
TrainingHistory history = model.Fit(trainX, trainY, Loss.SparseCategoricalCrossentropy, adam, new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 3 });
Console.WriteLine($"Fit in the native executable: 2 epochs, loss {history.Epochs[0].Loss:F4} -> {history.Last.Loss:F4}, training accuracy {history.Last.Accuracy:P1}");
string tier = Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : "Vector128";
Console.WriteLine($"vector tier: {tier}");

if (args.Contains("--bench")) Bench.Run(testX, trainX, trainY);
return digitsRight >= 342 && batchAgrees && same && irisRight >= 140 && float.IsFinite(first) ? 0 : 1;

/// <summary>The samples/Digits network, with the weights that sample trained compiled in.</summary>
[Model(64, Weights = "models/digits.safetensors")]
[Dense(32, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class DigitsTrained { }

/// <summary>The API's own example: a Keras model.to_json() declaration with its trained weights compiled in.</summary>
[Model(Json = "models/iris.keras.json", Weights = "models/iris.safetensors")]
public partial class IrisTrained { }

/// <summary>Latency figures for the README's AOT table: medians over rounds, after a warm-up.</summary>
static class Bench
{
    public static void Run(float[] testX, float[] trainX, float[] trainY)
    {
        int images = testX.Length / 64;
        var output = new float[10];
        // Batch-1 Predict: a round classifies the 360 test images one at a time.
        double PredictRound()
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < images; i++) DigitsTrained.Predict(testX.AsSpan(i * 64, 64), output);
            return Stopwatch.GetElapsedTime(start).TotalNanoseconds / images;
        }
        for (int w = 0; w < 300; w++) PredictRound();
        double predict = Median(Enumerable.Range(0, 400).Select(_ => PredictRound()).ToArray());

        // One training step: gradients of a 32-sample batch plus an Adam update.
        var model = new DigitsTrained();
        var adam = new Adam();
        var gradient = new float[DigitsTrained.ParameterCount];
        int batches = trainX.Length / (32 * 64);
        double StepRound()
        {
            long start = Stopwatch.GetTimestamp();
            for (int b = 0; b < 20; b++)
            {
                int k = b % batches;
                model.ComputeGradients(trainX.AsSpan(k * 32 * 64, 32 * 64), trainY.AsSpan(k * 32, 32), Loss.SparseCategoricalCrossentropy, gradient);
                adam.Step(model.Parameters, gradient);
            }
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / 20;
        }
        for (int w = 0; w < 100; w++) StepRound();
        double step = Median(Enumerable.Range(0, 300).Select(_ => StepRound()).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench: batch-1 Predict {predict:F1} ns, training step (32, Adam) {step:F2} us"));
    }

    static double Median(double[] values)
    {
        Array.Sort(values);
        return values[values.Length / 2];
    }
}
