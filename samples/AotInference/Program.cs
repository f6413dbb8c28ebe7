// NativeAOT check: a generated model runs inference and a few training steps in a natively compiled executable.
// Publish: dotnet publish samples/AotInference -c Release -r linux-x64
using System;
using ModelGen;

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
return last < first ? 0 : 1;

[Model(4)]
[Dense(16, Activation.Relu)]
[Dense(3, Activation.Softmax)]
partial class Classifier { }
