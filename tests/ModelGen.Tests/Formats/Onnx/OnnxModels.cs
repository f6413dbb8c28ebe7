using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using ModelGen.Tests.Infrastructure;
using Xunit;

namespace ModelGen.Tests.Formats.Onnx
{
    // ONNX files compiled in by the generator ([Model("m.onnx")]): every readable file of make_onnx_files.py whose
    // network has no BatchNormalization (refused with MGEN066, see the generator tests).
    [Model("Data/onnx/torch_relu_softmax_op9_fixed.onnx")] public partial class OnnxTorchReluSoftmaxOp9Fixed { }
    [Model("Data/onnx/torch_relu_softmax_op13_dyn.onnx")] public partial class OnnxTorchReluSoftmaxOp13Dyn { }
    [Model("Data/onnx/torch_relu_softmax_op17_dyn.onnx")] public partial class OnnxTorchReluSoftmaxOp17Dyn { }
    [Model("Data/onnx/torch_leakyrelu.onnx")] public partial class OnnxTorchLeakyrelu { }
    [Model("Data/onnx/torch_leakyrelu_default.onnx")] public partial class OnnxTorchLeakyreluDefault { }
    [Model("Data/onnx/torch_sigmoid.onnx")] public partial class OnnxTorchSigmoid { }
    [Model("Data/onnx/torch_tanh.onnx")] public partial class OnnxTorchTanh { }
    [Model("Data/onnx/torch_elu.onnx")] public partial class OnnxTorchElu { }
    [Model("Data/onnx/torch_selu.onnx")] public partial class OnnxTorchSelu { }
    [Model("Data/onnx/torch_softplus.onnx")] public partial class OnnxTorchSoftplus { }
    [Model("Data/onnx/torch_softsign.onnx")] public partial class OnnxTorchSoftsign { }
    [Model("Data/onnx/torch_hardsigmoid.onnx")] public partial class OnnxTorchHardsigmoid { }
    [Model("Data/onnx/torch_hardswish.onnx")] public partial class OnnxTorchHardswish { }
    [Model("Data/onnx/torch_hardswish_op13.onnx")] public partial class OnnxTorchHardswishOp13 { }
    [Model("Data/onnx/torch_silu.onnx")] public partial class OnnxTorchSilu { }
    [Model("Data/onnx/torch_gelu_erf.onnx")] public partial class OnnxTorchGeluErf { }
    [Model("Data/onnx/torch_gelu_erf_op9.onnx")] public partial class OnnxTorchGeluErfOp9 { }
    [Model("Data/onnx/torch_logsoftmax_op11.onnx")] public partial class OnnxTorchLogsoftmaxOp11 { }
    [Model("Data/onnx/torch_logsoftmax_op13.onnx")] public partial class OnnxTorchLogsoftmaxOp13 { }
    [Model("Data/onnx/torch_flatten_op11_dyn.onnx")] public partial class OnnxTorchFlattenOp11Dyn { }
    [Model("Data/onnx/torch_flatten_op9_fixed.onnx")] public partial class OnnxTorchFlattenOp9Fixed { }
    [Model("Data/onnx/torch_view_op14_dyn.onnx")] public partial class OnnxTorchViewOp14Dyn { }
    [Model("Data/onnx/torch_view_op9_fixed.onnx")] public partial class OnnxTorchViewOp9Fixed { }
    [Model("Data/onnx/torch_view_size_op9_dyn.onnx")] public partial class OnnxTorchViewSizeOp9Dyn { }
    [Model("Data/onnx/torch_view_size_op13_dyn.onnx")] public partial class OnnxTorchViewSizeOp13Dyn { }
    [Model("Data/onnx/tf2onnx_like.onnx")] public partial class OnnxTf2onnxLike { }
    [Model("Data/onnx/onnxmltools_ir3.onnx")] public partial class OnnxOnnxmltoolsIr3 { }
    [Model("Data/onnx/skl2onnx_like.onnx")] public partial class OnnxSkl2onnxLike { }
    [Model("Data/onnx/gemm_alpha_beta_hardsigmoid.onnx")] public partial class OnnxGemmAlphaBetaHardsigmoid { }
    [Model("Data/onnx/gelu_op20_none.onnx")] public partial class OnnxGeluOp20None { }
    [Model("Data/onnx/gelu_op20_tanh.onnx")] public partial class OnnxGeluOp20Tanh { }
    [Model("Data/onnx/softmax_axis-1_op11.onnx")] public partial class OnnxSoftmaxAxism1Op11 { }
    [Model("Data/onnx/logsoftmax_axis1_op13.onnx")] public partial class OnnxLogsoftmaxAxis1Op13 { }
    // 2,778 parameters: embedded as base64 text (more than 1,024), decoded on first use.
    [Model("Data/onnx/torch_relu_softmax_large_op17.onnx")] public partial class OnnxTorchReluSoftmaxLargeOp17 { }

    /// <summary>
    /// The compiled-in ONNX models compute the float64 torch/numpy references of make_onnx_files.py through Predict and
    /// through new M(), and load the same file at run time into a fresh instance with the same result.
    /// </summary>
    public sealed class OnnxModelTests
    {
        public static TheoryData<string> Files() => new() { "torch_relu_softmax_op9_fixed.onnx", "torch_relu_softmax_op13_dyn.onnx", "torch_relu_softmax_op17_dyn.onnx", "torch_leakyrelu.onnx", "torch_leakyrelu_default.onnx", "torch_sigmoid.onnx", "torch_tanh.onnx", "torch_elu.onnx", "torch_selu.onnx", "torch_softplus.onnx", "torch_softsign.onnx", "torch_hardsigmoid.onnx", "torch_hardswish.onnx", "torch_hardswish_op13.onnx", "torch_silu.onnx", "torch_gelu_erf.onnx", "torch_gelu_erf_op9.onnx", "torch_logsoftmax_op11.onnx", "torch_logsoftmax_op13.onnx", "torch_flatten_op11_dyn.onnx", "torch_flatten_op9_fixed.onnx", "torch_view_op14_dyn.onnx", "torch_view_op9_fixed.onnx", "torch_view_size_op9_dyn.onnx", "torch_view_size_op13_dyn.onnx", "tf2onnx_like.onnx", "onnxmltools_ir3.onnx", "skl2onnx_like.onnx", "gemm_alpha_beta_hardsigmoid.onnx", "gelu_op20_none.onnx", "gelu_op20_tanh.onnx", "softmax_axis-1_op11.onnx", "logsoftmax_axis1_op13.onnx", "torch_relu_softmax_large_op17.onnx" };

        private static (IModel Model, Action<float[], float[]> Predict) Compiled(string file) => file switch
        {
            "torch_relu_softmax_op9_fixed.onnx" => (new OnnxTorchReluSoftmaxOp9Fixed(), (i, o) => OnnxTorchReluSoftmaxOp9Fixed.Predict(i, o)),
            "torch_relu_softmax_op13_dyn.onnx" => (new OnnxTorchReluSoftmaxOp13Dyn(), (i, o) => OnnxTorchReluSoftmaxOp13Dyn.Predict(i, o)),
            "torch_relu_softmax_op17_dyn.onnx" => (new OnnxTorchReluSoftmaxOp17Dyn(), (i, o) => OnnxTorchReluSoftmaxOp17Dyn.Predict(i, o)),
            "torch_leakyrelu.onnx" => (new OnnxTorchLeakyrelu(), (i, o) => OnnxTorchLeakyrelu.Predict(i, o)),
            "torch_leakyrelu_default.onnx" => (new OnnxTorchLeakyreluDefault(), (i, o) => OnnxTorchLeakyreluDefault.Predict(i, o)),
            "torch_sigmoid.onnx" => (new OnnxTorchSigmoid(), (i, o) => OnnxTorchSigmoid.Predict(i, o)),
            "torch_tanh.onnx" => (new OnnxTorchTanh(), (i, o) => OnnxTorchTanh.Predict(i, o)),
            "torch_elu.onnx" => (new OnnxTorchElu(), (i, o) => OnnxTorchElu.Predict(i, o)),
            "torch_selu.onnx" => (new OnnxTorchSelu(), (i, o) => OnnxTorchSelu.Predict(i, o)),
            "torch_softplus.onnx" => (new OnnxTorchSoftplus(), (i, o) => OnnxTorchSoftplus.Predict(i, o)),
            "torch_softsign.onnx" => (new OnnxTorchSoftsign(), (i, o) => OnnxTorchSoftsign.Predict(i, o)),
            "torch_hardsigmoid.onnx" => (new OnnxTorchHardsigmoid(), (i, o) => OnnxTorchHardsigmoid.Predict(i, o)),
            "torch_hardswish.onnx" => (new OnnxTorchHardswish(), (i, o) => OnnxTorchHardswish.Predict(i, o)),
            "torch_hardswish_op13.onnx" => (new OnnxTorchHardswishOp13(), (i, o) => OnnxTorchHardswishOp13.Predict(i, o)),
            "torch_silu.onnx" => (new OnnxTorchSilu(), (i, o) => OnnxTorchSilu.Predict(i, o)),
            "torch_gelu_erf.onnx" => (new OnnxTorchGeluErf(), (i, o) => OnnxTorchGeluErf.Predict(i, o)),
            "torch_gelu_erf_op9.onnx" => (new OnnxTorchGeluErfOp9(), (i, o) => OnnxTorchGeluErfOp9.Predict(i, o)),
            "torch_logsoftmax_op11.onnx" => (new OnnxTorchLogsoftmaxOp11(), (i, o) => OnnxTorchLogsoftmaxOp11.Predict(i, o)),
            "torch_logsoftmax_op13.onnx" => (new OnnxTorchLogsoftmaxOp13(), (i, o) => OnnxTorchLogsoftmaxOp13.Predict(i, o)),
            "torch_flatten_op11_dyn.onnx" => (new OnnxTorchFlattenOp11Dyn(), (i, o) => OnnxTorchFlattenOp11Dyn.Predict(i, o)),
            "torch_flatten_op9_fixed.onnx" => (new OnnxTorchFlattenOp9Fixed(), (i, o) => OnnxTorchFlattenOp9Fixed.Predict(i, o)),
            "torch_view_op14_dyn.onnx" => (new OnnxTorchViewOp14Dyn(), (i, o) => OnnxTorchViewOp14Dyn.Predict(i, o)),
            "torch_view_op9_fixed.onnx" => (new OnnxTorchViewOp9Fixed(), (i, o) => OnnxTorchViewOp9Fixed.Predict(i, o)),
            "torch_view_size_op9_dyn.onnx" => (new OnnxTorchViewSizeOp9Dyn(), (i, o) => OnnxTorchViewSizeOp9Dyn.Predict(i, o)),
            "torch_view_size_op13_dyn.onnx" => (new OnnxTorchViewSizeOp13Dyn(), (i, o) => OnnxTorchViewSizeOp13Dyn.Predict(i, o)),
            "tf2onnx_like.onnx" => (new OnnxTf2onnxLike(), (i, o) => OnnxTf2onnxLike.Predict(i, o)),
            "onnxmltools_ir3.onnx" => (new OnnxOnnxmltoolsIr3(), (i, o) => OnnxOnnxmltoolsIr3.Predict(i, o)),
            "skl2onnx_like.onnx" => (new OnnxSkl2onnxLike(), (i, o) => OnnxSkl2onnxLike.Predict(i, o)),
            "gemm_alpha_beta_hardsigmoid.onnx" => (new OnnxGemmAlphaBetaHardsigmoid(), (i, o) => OnnxGemmAlphaBetaHardsigmoid.Predict(i, o)),
            "gelu_op20_none.onnx" => (new OnnxGeluOp20None(), (i, o) => OnnxGeluOp20None.Predict(i, o)),
            "gelu_op20_tanh.onnx" => (new OnnxGeluOp20Tanh(), (i, o) => OnnxGeluOp20Tanh.Predict(i, o)),
            "softmax_axis-1_op11.onnx" => (new OnnxSoftmaxAxism1Op11(), (i, o) => OnnxSoftmaxAxism1Op11.Predict(i, o)),
            "logsoftmax_axis1_op13.onnx" => (new OnnxLogsoftmaxAxis1Op13(), (i, o) => OnnxLogsoftmaxAxis1Op13.Predict(i, o)),
            "torch_relu_softmax_large_op17.onnx" => (new OnnxTorchReluSoftmaxLargeOp17(), (i, o) => OnnxTorchReluSoftmaxLargeOp17.Predict(i, o)),
            _ => throw new ArgumentException(file),
        };

        private static (float[] Inputs, double[] Outputs) Reference(string file)
        {
            using JsonDocument doc = TestData.Load(Path.Combine("onnx", "references.json"));
            JsonElement c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(x => x.GetProperty("file").GetString() == file);
            return (TestData.FlatFloats(c.GetProperty("inputs")), TestData.FlatDoubles(c.GetProperty("outputs")));
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void PredictAndTheDefaultInstanceMatchTheFloat64Reference(string file)
        {
            (IModel model, Action<float[], float[]> predict) = Compiled(file);
            (float[] inputs, double[] expected) = Reference(file);
            var output = new float[expected.Length];
            predict(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " Predict");
            Array.Clear(output);
            model.Forward(inputs, output);
            Numbers.Close(expected, output, 1e-5, 1e-6, file + " new M()");
        }

        [Theory]
        [MemberData(nameof(Files))]
        public void LoadingTheFileAtRunTimeGivesTheCompiledInWeights(string file)
        {
            (IModel compiled, _) = Compiled(file);
            IModel fresh = (IModel)Activator.CreateInstance(compiled.GetType(), 12345)!;
            Assert.NotEqual(compiled.Parameters.ToArray(), fresh.Parameters.ToArray());
            OnnxWeights.Load(fresh, TestData.PathOf(Path.Combine("onnx", file)));
            Assert.Equal(compiled.Parameters.ToArray(), fresh.Parameters.ToArray());
        }
    }
}
