// The real 8x8 handwritten digits (1,797 images, sklearn's load_digits): 64 pixels -> 32 relu -> 10 softmax, trained with
// Adam on a seeded 80/20 split, then evaluated on the 360 held-out images with a confusion matrix.
//
//   dotnet run --project samples/Digits -c Release
//   dotnet run --project samples/Digits -c Release -- --export samples/AotInference/models
//       also writes the trained weights as digits.safetensors there (the AOT sample compiles them in)
using System;
using System.IO;
using System.Linq;
using ModelGen;
using ModelGen.Samples;

(float[] pixels, float[] labels) = DigitsData.Load(Path.Combine(AppContext.BaseDirectory, "digits.csv"));
int count = labels.Length;
(int[] train, int[] test) = DigitsData.Split(count);
float[] trainX = DigitsData.Take(pixels, DigitsData.Pixels, train), trainY = DigitsData.Take(labels, 1, train);
float[] testX = DigitsData.Take(pixels, DigitsData.Pixels, test), testY = DigitsData.Take(labels, 1, test);
Console.WriteLine($"digits: {count} images of 8x8 pixels, {train.Length} for training, {test.Length} held out (seed {DigitsData.SplitSeed})");

var model = new DigitsNet(seed: 1);
Console.WriteLine($"DigitsNet: {DigitsNet.InputSize} -> 32 relu -> {DigitsNet.OutputSize} softmax, {DigitsNet.ParameterCount} parameters");
TrainingHistory history = model.Fit(trainX, trainY, Loss.SparseCategoricalCrossentropy, new Adam(learningRate: 0.005f), new TrainingOptions
{
    Epochs = 40,
    BatchSize = 32,
    Seed = 7,
    OnEpoch = e =>
    {
        if (e.Epoch % 10 == 0) Console.WriteLine($"epoch {e.Epoch,3}  loss {e.Loss:F4}  accuracy {e.Accuracy:P1}");
        return true;
    },
});

// Held-out evaluation and the confusion matrix (rows: true digit, columns: predicted digit).
(float testLoss, float? testAccuracy) = model.Evaluate(testX, testY, Loss.SparseCategoricalCrossentropy);
var probabilities = new float[test.Length * DigitsNet.OutputSize];
model.Forward(testX, probabilities);
var confusion = new int[10, 10];
for (int i = 0; i < test.Length; i++) confusion[(int)testY[i], DigitsData.ArgMax(probabilities, i, 10)]++;
Console.WriteLine($"test: loss {testLoss:F4}, accuracy {testAccuracy:P2} ({Enumerable.Range(0, 10).Sum(d => confusion[d, d])} of {test.Length})");
Console.WriteLine("confusion matrix (rows: true digit, columns: predicted)");
Console.WriteLine("      " + string.Concat(Enumerable.Range(0, 10).Select(d => $"{d,4}")));
for (int t = 0; t < 10; t++)
{
    Console.WriteLine($"  {t,2}  " + string.Concat(Enumerable.Range(0, 10).Select(p => confusion[t, p] == 0 ? "   ." : $"{confusion[t, p],4}")));
}

// Weights: safetensors (one F32 tensor, the flat parameter vector), reloaded to check the round trip.
int export = Array.IndexOf(args, "--export");
string folder = export >= 0 && export + 1 < args.Length ? args[export + 1] : Path.GetTempPath();
Directory.CreateDirectory(folder);
string weights = Path.Combine(folder, "digits.safetensors");
WeightFile.SaveSafetensors(model, weights);
var reloaded = new DigitsNet(seed: 0);
WeightFile.LoadSafetensors(reloaded, weights);
bool same = reloaded.Parameters.SequenceEqual(model.Parameters);
Console.WriteLine($"weights saved to {weights} ({new FileInfo(weights).Length:N0} bytes); reloaded: {(same ? "identical" : "DIFFERENT")}");
return testAccuracy >= 0.95f && same ? 0 : 1;

/// <summary>64 pixels -> 32 relu -> 10 digit probabilities.</summary>
[Model(64)]
[Dense(32, Activation.Relu)]
[Dense(10, Activation.Softmax)]
public partial class DigitsNet { }
