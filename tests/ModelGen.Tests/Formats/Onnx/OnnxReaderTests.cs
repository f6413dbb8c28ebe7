using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen.Formats;
using ModelGen.Formats.Onnx;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Formats.Onnx
{
    /// <summary>
    /// The ONNX reader against files written by torch.onnx.export and onnx.helper (tests/reference/make_onnx_files.py),
    /// with two outside oracles: the float64 torch/numpy references written by that script, and ONNX Runtime 1.32
    /// running each file.
    /// </summary>
    public sealed class OnnxReaderTests
    {
        private static readonly JsonElement[] Cases = LoadCases();

        private static JsonElement[] LoadCases()
        {
            using JsonDocument doc = TestData.Load(Path.Combine("onnx", "references.json"));
            return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
        }

        public static TheoryData<string> ReadableFiles() => Files("ok");

        public static TheoryData<string> RefusedFiles() => Files("error");

        private static TheoryData<string> Files(string expect)
        {
            var data = new TheoryData<string>();
            foreach (JsonElement c in Cases) if (c.GetProperty("expect").GetString() == expect) data.Add(c.GetProperty("file").GetString()!);
            return data;
        }

        private static JsonElement Case(string file) => Cases.Single(c => c.GetProperty("file").GetString() == file);

        internal static byte[] Bytes(string file) => File.ReadAllBytes(TestData.PathOf(Path.Combine("onnx", file)));

        private static ImportedNetwork Read(string file)
        {
            FormatResult<ImportedNetwork> result = OnnxReader.Read(Bytes(file));
            Assert.True(result.Succeeded, file + ": " + result.Error);
            return result.Value!;
        }

        [Fact]
        public void TheScriptWroteBothKindsOfCases()
        {
            Assert.True(Cases.Count(c => c.GetProperty("expect").GetString() == "ok") >= 30);
            Assert.True(Cases.Count(c => c.GetProperty("expect").GetString() == "error") >= 10);
        }

        [Theory]
        [MemberData(nameof(ReadableFiles))]
        public void MappedNetworkMatchesTheFloat64Reference(string file)
        {
            JsonElement c = Case(file);
            ImportedNetwork network = Read(file);
            Assert.Equal(c.GetProperty("input_size").GetInt32(), network.InputSize);
            Assert.Equal(c.GetProperty("output_size").GetInt32(), network.OutputSize);
            double[][] inputs = Rows(c.GetProperty("inputs"));
            double[][] expected = Rows(c.GetProperty("outputs"));
            for (int r = 0; r < inputs.Length; r++)
            {
                double[] actual = ImportedNetworkForward.Forward(network, inputs[r]);
                // Float64 on both sides; attributes stored as float32 (a LeakyRelu slope 0.1f, an Elu alpha 0.7f,
                // HardSigmoid's 1/6) differ from the script's exact decimals by one float32 rounding.
                AssertClose(expected[r], actual, rel: 1e-7, abs: 1e-9, $"{file} row {r}");
            }
        }

        [Theory]
        [MemberData(nameof(ReadableFiles))]
        public void OnnxRuntimeAgreesWithTheReferenceAndTheMappedNetwork(string file)
        {
            JsonElement c = Case(file);
            ImportedNetwork network = Read(file);
            double[][] inputs = Rows(c.GetProperty("inputs"));
            double[][] expected = Rows(c.GetProperty("outputs"));
            using var session = new InferenceSession(TestData.PathOf(Path.Combine("onnx", file)));
            string inputName = session.InputMetadata.Keys.Single();
            int[] dims = session.InputMetadata[inputName].Dimensions;
            for (int r = 0; r < inputs.Length; r++)
            {
                // One row at a time, batch 1: the fixed-batch files accept nothing else.
                int[] shape = (int[])dims.Clone();
                shape[0] = 1;
                var tensor = new DenseTensor<float>(inputs[r].Select(v => (float)v).ToArray(), shape);
                using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(inputName, tensor) });
                float[] ort = results.First().AsEnumerable<float>().ToArray();
                double[] mapped = ImportedNetworkForward.Forward(network, inputs[r]);
                AssertClose(expected[r], ort.Select(v => (double)v).ToArray(), rel: 1e-5, abs: 1e-6, $"{file} row {r}: ONNX Runtime vs the float64 reference");
                AssertClose(mapped, ort.Select(v => (double)v).ToArray(), rel: 1e-5, abs: 1e-6, $"{file} row {r}: ONNX Runtime vs the mapped network");
            }
        }

        [Theory]
        [MemberData(nameof(RefusedFiles))]
        public void RefusedWithAMessageNamingTheOperatorAndNode(string file)
        {
            JsonElement c = Case(file);
            FormatResult<ImportedNetwork> result = OnnxReader.Read(Bytes(file));
            Assert.False(result.Succeeded, file + " was read; it must be refused");
            foreach (JsonElement part in c.GetProperty("error_contains").EnumerateArray())
            {
                Assert.Contains(part.GetString()!, result.Error!, StringComparison.Ordinal);
            }
            var thrown = Assert.Throws<InvalidDataException>(() => result.GetValueOrThrow(file));
            Assert.Contains(file, thrown.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("torch_relu_softmax_op9_fixed.onnx", "Dense relu Dense relu Dense softmax")]
        [InlineData("torch_relu_softmax_op17_dyn.onnx", "Dense relu Dense relu Dense softmax")]
        [InlineData("torch_leakyrelu_default.onnx", "Dense leaky_relu Dense leaky_relu Dense")]
        [InlineData("torch_hardsigmoid.onnx", "Dense hard_sigmoid Dense hard_sigmoid Dense")]
        [InlineData("gemm_alpha_beta_hardsigmoid.onnx", "Dense hard_sigmoid_keras2 Dropout Dense")]
        [InlineData("torch_hardswish.onnx", "Dense hard_silu Dense hard_silu Dense")]
        [InlineData("torch_gelu_erf.onnx", "Dense gelu Dense gelu Dense")]
        [InlineData("gelu_op20_tanh.onnx", "Dense gelu_approximate Dense")]
        [InlineData("torch_selu.onnx", "Dense selu Dense selu Dense")]
        [InlineData("torch_batchnorm_op15.onnx", "Dense BatchNorm relu Dense BatchNorm relu Dense")]
        [InlineData("torch_logsoftmax_op11.onnx", "Dense tanh Dense log_softmax")]
        [InlineData("onnxmltools_ir3.onnx", "Dense relu Dense softmax")]
        [InlineData("torch_view_op9_fixed.onnx", "Dense relu Dense")]
        [InlineData("torch_view_size_op13_dyn.onnx", "Dense relu Dense")]
        [InlineData("torch_softsign.onnx", "Dense softsign Dense softsign Dense")]
        [InlineData("torch_silu.onnx", "Dense silu Dense silu Dense")]
        [InlineData("torch_hardswish_op13.onnx", "Dense hard_silu Dense hard_silu Dense")]
        public void LayersAndActivationsAreTheOperatorsOwn(string file, string layers)
        {
            ImportedNetwork network = Read(file);
            string actual = string.Join(" ", network.Layers.Select(l => l switch
            {
                ImportedDense => "Dense",
                ImportedActivation a => a.KerasName,
                ImportedBatchNorm => "BatchNorm",
                ImportedDropout => "Dropout",
                _ => "?",
            }));
            Assert.Equal(layers, actual);
        }

        [Fact]
        public void ActivationParametersComeFromTheAttributesOrTheOnnxDefaults()
        {
            var leaky = (ImportedActivation)Read("torch_leakyrelu_default.onnx").Layers[1];
            Assert.Equal(0.01f, leaky.NegativeSlope);
            var elu = (ImportedActivation)Read("torch_elu.onnx").Layers[1];
            Assert.Equal(0.7f, elu.Alpha);
            var dropout = (ImportedDropout)Read("gemm_alpha_beta_hardsigmoid.onnx").Layers[2];
            Assert.Equal(0.25f, dropout.Rate);
            var bn = (ImportedBatchNorm)Read("torch_batchnorm_op9.onnx").Layers[1];
            Assert.Equal(1e-5f, bn.Epsilon);
        }

        [Fact]
        public void InputShapeIsThePerSampleShapeTheFileDeclares()
        {
            Assert.Equal(new[] { 1, 4, 4 }, Read("torch_flatten_op11_dyn.onnx").InputShape);
            Assert.Equal(16, Read("torch_flatten_op11_dyn.onnx").InputSize);
            Assert.Equal(new[] { 4 }, Read("onnxmltools_ir3.onnx").InputShape);
            Assert.Contains("IR 3, opset 9", Read("onnxmltools_ir3.onnx").Description, StringComparison.Ordinal);
        }

        private static double[][] Rows(JsonElement rows) => rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

        internal static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double rel, double abs, string label)
        {
            Assert.True(expected.Count == actual.Count, $"{label}: {actual.Count} values, expected {expected.Count}");
            for (int i = 0; i < expected.Count; i++)
            {
                double e = expected[i], a = actual[i];
                Assert.True(Math.Abs(a - e) <= abs + rel * Math.Abs(e), $"{label}: element {i} is {a:R}, expected {e:R} (difference {Math.Abs(a - e):E2})");
            }
        }
    }
}
