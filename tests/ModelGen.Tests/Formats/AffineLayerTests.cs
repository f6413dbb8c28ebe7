using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Formats
{
    // Saved models with BatchNormalization, Normalization and Rescaling layers (tests/reference/make_affine_files.py, and the
    // BatchNorm1d exports of make_onnx_files.py), compiled in by the generator.
    [Model("Data/affine/torch_bn_first_mid_last_op11.onnx")] public partial class AffineTorchBnOp11 { }
    [Model("Data/affine/torch_bn_first_mid_last_op17.onnx")] public partial class AffineTorchBnOp17 { }
    [Model("Data/onnx/torch_batchnorm_op9.onnx")] public partial class AffineTorchBatchnormOp9 { }
    [Model("Data/onnx/torch_batchnorm_op15.onnx")] public partial class AffineTorchBatchnormOp15 { }
    [Model("Data/affine/keras3_bn.keras")] public partial class AffineKeras3Bn { }
    [Model("Data/affine/keras3_rescaling.keras")] public partial class AffineKeras3Rescaling { }
    [Model("Data/affine/keras2_bn_full.h5")] public partial class AffineKeras2BnFull { }
    [Model(Json = "Data/affine/keras2_bn_weights.arch.json", Weights = "Data/affine/keras2_bn_weights.h5")] public partial class AffineKeras2BnWeights { }

    /// <summary>
    /// BatchNormalization (inference mode, frozen), Normalization and Rescaling run as fixed affine maps. Outside oracles:
    /// the float64 torch/numpy references of make_affine_files.py and make_onnx_files.py, ONNX Runtime running the .onnx
    /// files, and the float64 torch gradients of a network whose BatchNorm1d layers are in eval mode.
    /// </summary>
    public sealed class AffineLayerTests
    {
        private static readonly string[] s_files =
        {
            "affine/torch_bn_first_mid_last_op11.onnx", "affine/torch_bn_first_mid_last_op17.onnx", "onnx/torch_batchnorm_op9.onnx",
            "onnx/torch_batchnorm_op15.onnx", "affine/keras3_bn.keras", "affine/keras3_rescaling.keras", "affine/keras2_bn_full.h5",
            "affine/keras2_bn_weights.h5",
        };

        public static TheoryData<string> Files() => new(s_files);

        public static TheoryData<string> OnnxFiles() => new(s_files.Where(f => f.EndsWith(".onnx", StringComparison.Ordinal)));

        private static (IModel Model, Action<float[], float[]> Predict) Compiled(string file) => file switch
        {
            "affine/torch_bn_first_mid_last_op11.onnx" => (new AffineTorchBnOp11(), (i, o) => AffineTorchBnOp11.Predict(i, o)),
            "affine/torch_bn_first_mid_last_op17.onnx" => (new AffineTorchBnOp17(), (i, o) => AffineTorchBnOp17.Predict(i, o)),
            "onnx/torch_batchnorm_op9.onnx" => (new AffineTorchBatchnormOp9(), (i, o) => AffineTorchBatchnormOp9.Predict(i, o)),
            "onnx/torch_batchnorm_op15.onnx" => (new AffineTorchBatchnormOp15(), (i, o) => AffineTorchBatchnormOp15.Predict(i, o)),
            "affine/keras3_bn.keras" => (new AffineKeras3Bn(), (i, o) => AffineKeras3Bn.Predict(i, o)),
            "affine/keras3_rescaling.keras" => (new AffineKeras3Rescaling(), (i, o) => AffineKeras3Rescaling.Predict(i, o)),
            "affine/keras2_bn_full.h5" => (new AffineKeras2BnFull(), (i, o) => AffineKeras2BnFull.Predict(i, o)),
            "affine/keras2_bn_weights.h5" => (new AffineKeras2BnWeights(), (i, o) => AffineKeras2BnWeights.Predict(i, o)),
            _ => throw new ArgumentException(file),
        };

        private static JsonElement Case(string file, string kind = "")
        {
            string folder = file.Substring(0, file.IndexOf('/'));
            string name = file.Substring(folder.Length + 1);
            using JsonDocument doc = TestData.Load(Path.Combine(folder, "references.json"));
            return doc.RootElement.GetProperty("cases").EnumerateArray()
                .Single(c => c.GetProperty("file").GetString() == name && (kind.Length == 0 ? !(c.TryGetProperty("kind", out JsonElement k) && k.GetString() == "training") : c.GetProperty("kind").GetString() == kind))
                .Clone();
        }

        private static void Load(IModel model, string file)
        {
            string path = TestData.PathOf(file);
            if (file.EndsWith(".onnx", StringComparison.Ordinal)) OnnxWeights.Load(model, path);
            else if (file == "affine/keras2_bn_weights.h5") WeightFile.LoadKeras(model, path, TestData.PathOf("affine/keras2_bn_weights.arch.json"));
            else WeightFile.LoadKeras(model, path);
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void PredictAndTheDefaultInstanceMatchTheFloat64Reference(string file)
        {
            (IModel model, Action<float[], float[]> predict) = Compiled(file);
            JsonElement c = Case(file);
            float[] inputs = TestData.FlatFloats(c.GetProperty("inputs"));
            double[] expected = TestData.FlatDoubles(c.GetProperty("outputs"));
            var output = new float[expected.Length];
            predict(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " Predict");
            var forward = new float[expected.Length];
            model.Forward(inputs, forward);
            Assert.Equal(output, forward); // the same folded constants: bit for bit
            // One sample at a time takes the other code path of Forward.
            int inSize = model.InputSize, outSize = model.OutputSize;
            for (int s = 0; s < inputs.Length / inSize; s++)
            {
                var one = new float[outSize];
                model.Forward(inputs.AsSpan(s * inSize, inSize), one);
                Numbers.Close(expected.AsSpan(s * outSize, outSize), one, 1e-5, 1e-6, $"{file} sample {s}");
            }
        }

        [Theory]
        [MemberData(nameof(OnnxFiles))]
        public void OnnxFilesMatchOnnxRuntime(string file)
        {
            (IModel model, _) = Compiled(file);
            float[] inputs = TestData.FlatFloats(Case(file).GetProperty("inputs"));
            int n = inputs.Length / model.InputSize;
            using var session = new InferenceSession(TestData.PathOf(file));
            string inputName = session.InputMetadata.Keys.Single();
            var tensor = new DenseTensor<float>(inputs, new[] { n, model.InputSize });
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, tensor) });
            double[] ort = results.First().AsEnumerable<float>().Select(v => (double)v).ToArray();
            var output = new float[n * model.OutputSize];
            model.Forward(inputs, output);
            Numbers.Close(ort, output, 1e-5, 1e-6, file + " vs ONNX Runtime");
        }

        [Fact]
        public void TheKerasFilesStateIsTheWritersVectors()
        {
            foreach (string file in s_files.Where(f => !f.EndsWith(".onnx", StringComparison.Ordinal)))
            {
                (IModel model, _) = Compiled(file);
                double[] state = TestData.Doubles(Case(file).GetProperty("state"));
                Assert.Equal(state.Length, model.NonTrainableParameterCount);
                Assert.Equal(state.Select(v => (float)v).ToArray(), model.NonTrainableParameters.ToArray());
                Assert.Equal(state.Length, model.NonTrainableTensorSizes.ToArray().Sum());
            }
            // Rescaling and a Normalization given its mean and variance in the config store nothing.
            Assert.Equal(0, AffineKeras3Rescaling.NonTrainableParameterCount);
            Assert.Equal(6 * 2 + 8 * 4 + 5 * 3, AffineKeras3Bn.NonTrainableParameterCount);
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void LoadingTheFileAtRunTimeSetsParametersAndState(string file)
        {
            (IModel compiled, _) = Compiled(file);
            IModel fresh = (IModel)Activator.CreateInstance(compiled.GetType(), 12345)!;
            Assert.NotEqual(compiled.Parameters.ToArray(), fresh.Parameters.ToArray());
            if (fresh.NonTrainableParameterCount > 0)
            {
                // Start from other state, so that the load must set it.
                float[] other = fresh.NonTrainableParameters.ToArray().Select((v, i) => v + 0.25f).ToArray();
                fresh.SetNonTrainableParameters(other);
                Assert.NotEqual(compiled.NonTrainableParameters.ToArray(), fresh.NonTrainableParameters.ToArray());
            }
            Load(fresh, file);
            Assert.Equal(compiled.Parameters.ToArray(), fresh.Parameters.ToArray());
            Assert.Equal(compiled.NonTrainableParameters.ToArray(), fresh.NonTrainableParameters.ToArray());
            JsonElement c = Case(file);
            float[] inputs = TestData.FlatFloats(c.GetProperty("inputs"));
            double[] expected = TestData.FlatDoubles(c.GetProperty("outputs"));
            var output = new float[expected.Length];
            fresh.Forward(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " loaded at run time");
        }

        [Fact]
        public void ALoadThatDoesNotFitChangesNothing()
        {
            var model = new AffineKeras2BnFull(7);
            float[] parameters = model.Parameters.ToArray(), state = model.NonTrainableParameters.ToArray();
            var e = Assert.Throws<InvalidDataException>(() => WeightFile.LoadKeras(model, TestData.PathOf("affine/keras3_bn.keras")));
            Assert.Contains("keras3_bn.keras", e.Message);
            Assert.Equal(parameters, model.Parameters.ToArray());
            Assert.Equal(state, model.NonTrainableParameters.ToArray());
            Assert.Throws<InvalidDataException>(() => OnnxWeights.Load(model, TestData.PathOf("affine/torch_bn_first_mid_last_op11.onnx")));
            Assert.Equal(parameters, model.Parameters.ToArray());
            Assert.Equal(state, model.NonTrainableParameters.ToArray());
        }

        [Fact]
        public void SetNonTrainableParametersChecksEverythingBeforeChangingAnything()
        {
            var model = new AffineKeras3Bn();
            float[] state = model.NonTrainableParameters.ToArray();
            float[] input = Enumerable.Range(0, AffineKeras3Bn.InputSize).Select(i => 0.1f * i).ToArray();
            var before = new float[AffineKeras3Bn.OutputSize];
            model.Forward(input, before);
            Assert.Throws<ArgumentException>(() => model.SetNonTrainableParameters(state.AsSpan(1)));
            // The first BatchNormalization's moving_variance (after Normalization's 12 values, gamma, beta, moving_mean): -1 + epsilon < 0.
            float[] bad = (float[])state.Clone();
            bad[12 + 3 * 8] = -1f;
            var e = Assert.Throws<ArgumentException>(() => model.SetNonTrainableParameters(bad));
            Assert.Contains("BatchNormalization", e.Message);
            bad = (float[])state.Clone();
            bad[^1] = float.NaN;
            Assert.Throws<ArgumentException>(() => model.SetNonTrainableParameters(bad));
            Assert.Equal(state, model.NonTrainableParameters.ToArray());
            var after = new float[AffineKeras3Bn.OutputSize];
            model.Forward(input, after);
            Assert.Equal(before, after);
            // A valid change takes effect: a larger moving_mean on a feature changes the outputs.
            float[] good = (float[])state.Clone();
            good[12 + 2 * 8] += 1f;
            model.SetNonTrainableParameters(good);
            Assert.Equal(good, model.NonTrainableParameters.ToArray());
            model.Forward(input, after);
            Assert.NotEqual(before, after);
        }

        [Fact]
        public void GradientsWithFrozenBatchNormalizationMatchFloat64Torch()
        {
            JsonElement c = Case("affine/torch_bn_first_mid_last_op11.onnx", "training");
            float[] inputs = TestData.FlatFloats(c.GetProperty("inputs"));
            float[] targets = TestData.FlatFloats(c.GetProperty("targets"));
            var model = new AffineTorchBnOp11();
            float[] state = model.NonTrainableParameters.ToArray();
            var gradient = new float[AffineTorchBnOp11.ParameterCount];
            var inputGradient = new float[inputs.Length];
            float loss = model.ComputeGradients(inputs, targets, Loss.MeanSquaredError, gradient, inputGradient);
            Assert.Equal(c.GetProperty("loss").GetDouble(), loss, 1e-5);
            Numbers.Close(TestData.Doubles(c.GetProperty("parameter_gradient")), gradient, 1e-4, 1e-6, "parameter gradient");
            Numbers.Close(TestData.Doubles(c.GetProperty("input_gradient")), inputGradient, 1e-4, 1e-6, "input gradient");
            Assert.Equal(state, model.NonTrainableParameters.ToArray());
        }

        [Fact]
        public void FitTrainsTheDenseLayersAndLeavesTheStateBitIdentical()
        {
            JsonElement c = Case("affine/torch_bn_first_mid_last_op11.onnx", "training");
            float[] inputs = TestData.FlatFloats(c.GetProperty("inputs"));
            float[] targets = TestData.FlatFloats(c.GetProperty("targets"));
            var model = new AffineTorchBnOp11();
            float[] state = model.NonTrainableParameters.ToArray(), parameters = model.Parameters.ToArray();
            TrainingHistory history = model.Fit(inputs, targets, Loss.MeanSquaredError, new Adam(learningRate: 0.01f), new TrainingOptions { Epochs = 30, BatchSize = 2, Seed = 3 });
            Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss, "the loss goes down");
            Assert.NotEqual(parameters, model.Parameters.ToArray());
            Assert.Equal(state, model.NonTrainableParameters.ToArray());
        }

        [Fact]
        public void SummaryCountsTheStateAsNonTrainable()
        {
            string summary = AffineKeras2BnFull.Summary();
            // Names longer than the first column end in "…", as for every layer.
            Assert.Contains("│ batch_normalization (BatchNormaliza…", summary);
            Assert.Contains("│ batch_normalization_1 (BatchNormali…", summary);
            Assert.Contains("│ activation (Activation)", summary);
            Assert.Contains($"Trainable params: {AffineKeras2BnFull.ParameterCount} ", summary);
            Assert.Contains($"Non-trainable params: {AffineKeras2BnFull.NonTrainableParameterCount} ", summary);
            Assert.Equal(8 * 4 + 6 * 3, AffineKeras2BnFull.NonTrainableParameterCount); // the second has no gamma (scale false)
        }
    }
}
