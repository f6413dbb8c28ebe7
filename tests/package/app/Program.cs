// A user's console app, built against the ModelGen package from a folder feed by tests/package/run.sh.
// Every expected number comes from float64 PyTorch (tests/reference/make_reference.py wrote models.json and
// training.json); nothing here is computed by ModelGen to be compared with ModelGen.
using System.Globalization;
using System.Text.Json;
using ModelGen;

JsonElement models = JsonDocument.Parse(File.ReadAllText("data/models.json")).RootElement.GetProperty("models");
JsonElement irisLike = models.EnumerateArray().First(m => m.GetProperty("name").GetString() == "IrisLike");
float[] inputs = Floats(irisLike.GetProperty("inputs"));
double[] expected = Doubles(irisLike.GetProperty("outputs"));
int failures = 0;

// 1. Attribute model: torch's parameters loaded into Parameters, Forward on torch's inputs.
var attributed = new IrisLikeNet(seed: 1);
Floats(irisLike.GetProperty("parameters")).CopyTo(attributed.Parameters);
var output = new float[expected.Length];
attributed.Forward(inputs, output);
Report("attribute model Forward", output, expected, 1e-5);

// 2. Keras 3 JSON declaration with the safetensors weights compiled in: the static Predict.
Array.Clear(output);
IrisLikeTrained.Predict(inputs, output);
Report("json+weights Predict", output, expected, 1e-5);

// 3. Fit: three full-batch Adam steps (no shuffling) against torch's three steps.
JsonElement run = JsonDocument.Parse(File.ReadAllText("data/training.json")).RootElement.GetProperty("cases")
    .EnumerateArray().First(c => c.GetProperty("id").GetString() == "IrisLike_Adam_lr0.01");
var trained = new IrisLikeNet(seed: 1);
Floats(run.GetProperty("initialParameters")).CopyTo(trained.Parameters);
JsonElement hyper = run.GetProperty("args");
var adam = new Adam(learningRate: hyper.GetProperty("learningRate").GetSingle(), beta1: hyper.GetProperty("beta1").GetSingle(),
    beta2: hyper.GetProperty("beta2").GetSingle(), epsilon: hyper.GetProperty("epsilon").GetSingle());
TrainingHistory history = trained.Fit(Floats(run.GetProperty("inputs")), Floats(run.GetProperty("targets")), Loss.CategoricalCrossentropy, adam,
    new TrainingOptions { Epochs = 3, BatchSize = run.GetProperty("n").GetInt32(), Shuffle = false });
Report("Fit losses", history.Epochs.Select(e => e.Loss).ToArray(), Doubles(run.GetProperty("losses")), 1e-5);
Report("Fit parameters after 3 steps", trained.Parameters.ToArray(), Doubles(run.GetProperty("parameters")[2]), 1e-5);

Console.WriteLine(failures == 0 ? "package app: all checks passed" : $"package app: {failures} check(s) FAILED");
return failures == 0 ? 0 : 1;

void Report(string what, float[] actual, double[] reference, double tolerance)
{
    double worst = actual.Length == reference.Length ? actual.Zip(reference, (a, e) => Math.Abs(a - e)).Max() : double.PositiveInfinity;
    bool ok = worst <= tolerance;
    if (!ok) failures++;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{what}: {actual.Length} values, first {actual[0]:R}, torch {reference[0]:R}, max |error| {worst:E2} (tolerance {tolerance:E0}) {(ok ? "ok" : "FAIL")}"));
}

static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

/// <summary>make_reference.py's IrisLike network, declared with attributes.</summary>
[Model(4)]
[Dense(16, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class IrisLikeNet { }

/// <summary>The same network from a Keras 3 model.to_json() file, with its weights compiled in.</summary>
[Model(Json = "data/iris_like.keras.json", Weights = "data/iris_like.safetensors")]
public partial class IrisLikeTrained { }
