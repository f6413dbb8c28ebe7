// Runs every generated path of three models (scalar and vector layers, the 4-sample and layer-major batch paths,
// dropout, the trace and the backward pass through Fit) so that the JIT compiles each generated method once.
// Run with DOTNET_TieredCompilation=0 (optimized code at first call) and DOTNET_JitDisasm='Disasm*:*'.
using System;
using ModelGen;

Run(new DisasmSmall(seed: 1), 3);
Run(new DisasmMid(seed: 2), 10);
Run(new DisasmWide(seed: 3), 10);
Console.WriteLine("ran every path");

static void Run(IModel model, int classes)
{
    int[] batches = { 1, 4, 7, 64, 200 };
    foreach (int n in batches)
    {
        float[] input = new float[n * model.InputSize];
        for (int i = 0; i < input.Length; i++) input[i] = MathF.Sin(i * 0.37f);
        float[] output = new float[n * model.OutputSize];
        model.Forward(input, output);
    }
    const int Samples = 96;
    float[] x = new float[Samples * model.InputSize];
    float[] y = new float[Samples];
    for (int i = 0; i < x.Length; i++) x[i] = MathF.Cos(i * 0.11f);
    for (int i = 0; i < Samples; i++) y[i] = i % classes;
    model.Fit(x, y, Loss.SparseCategoricalCrossentropy, new Adam(), new TrainingOptions { Epochs = 2, BatchSize = 32, Seed = 5 });
}

/// <summary>Iris-sized: a vector layer and a scalar (3-unit) softmax layer.</summary>
[Model(4)]
[Dense(16, Activation.Relu)]
[Dense(3, Activation.Softmax)]
public partial class DisasmSmall { }

/// <summary>Mid-sized: vector tiles, tanh and sigmoid, dropout.</summary>
[Model(64)]
[Dense(96, Activation.Tanh)]
[Dropout(0.25f)]
[Dense(40, Activation.Sigmoid)]
[Dense(10, Activation.Softmax)]
public partial class DisasmMid { }

/// <summary>Over 16K parameters: the layer-major batch path and looped tiles.</summary>
[Model(256)]
[Dense(128, Activation.Relu)]
[Dense(64, Activation.Tanh)]
[Dense(10, Activation.Softmax)]
public partial class DisasmWide { }
