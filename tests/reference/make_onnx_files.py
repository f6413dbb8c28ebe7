#!/usr/bin/env python3
"""Writes the ONNX test files of ModelGen's ONNX reader with the real writers, and float64 reference outputs.

  torch.onnx.export   small torch MLPs (nn.Linear -> Gemm transB=1 with [out, in] weights) across opsets 9, 11, 13,
                      14 and 17, with and without a dynamic batch axis; each supported activation as torch exports it
                      (GELU as PyTorch's erf decomposition, Hardswish as HardSwish from opset 14, BatchNorm1d in eval
                      mode as BatchNormalization); a Flatten front and a view(-1, 16) Reshape front for [N, 1, 4, 4].
  onnx.helper         graphs laid out as tf2onnx, OnnxMLTools and skl2onnx write them (MatMul + Add with [in, out]
                      weights; [1, n] biases; IR 3 with every initializer also listed as a graph input; fixed
                      batches), operators torch 1.13 cannot export (Gelu of opset 20, HardSigmoid with ONNX's
                      defaults alpha 0.2 / beta 0.5, Dropout and Identity nodes, Gemm alpha/beta/transB=0), and
                      files to refuse (Conv, LSTM, quantized operators, float64 weights, external data, a branch).

Reference outputs are float64: torch's own modules in double (torch exports) or a numpy float64 forward pass written
from the ONNX operator specs (helper graphs), on float32-representable inputs. The C# tests compare ModelGen's reader
with these numbers and with ONNX Runtime.

Run from the repository root with /usr/bin/python3 (Debian's python3-torch 1.13 and python3-onnx 1.12):
    /usr/bin/python3 tests/reference/make_onnx_files.py
Deterministic: fixed seeds, one thread. Writes tests/ModelGen.Tests/Data/onnx/*.onnx and references.json there.
"""
import json
import math
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "ModelGen.Tests", "Data", "onnx")
ROWS = 5
CASES = []


def rows(shape, seed, low=-2.0, high=2.0):
    """ROWS float32 inputs of per-sample shape `shape`, as float64 values exactly representable in float32."""
    g = np.random.default_rng(seed)
    return g.uniform(low, high, size=(ROWS,) + tuple(shape)).astype(np.float32)


def record(name, x, y, *, input_shape, notes, expect="ok"):
    CASES.append({
        "file": name + ".onnx", "expect": expect, "notes": notes,
        "input_shape": list(input_shape),
        "input_size": int(np.prod(input_shape)),
        "output_size": int(y.shape[1]) if y is not None else 0,
        "inputs": [[float(v) for v in r.reshape(-1)] for r in x],
        "outputs": [[float(v) for v in r.reshape(-1)] for r in y] if y is not None else [],
    })


def refuse(name, model_proto, contains, notes):
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(model_proto, path)
    CASES.append({"file": name + ".onnx", "expect": "error", "error_contains": contains, "notes": notes})


# ---- torch exports ------------------------------------------------------------------------------------------------


class Mlp(torch.nn.Module):
    def __init__(self, sizes, activation, front=None, last=None, batchnorm=False):
        super().__init__()
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                if batchnorm:
                    layers.append(torch.nn.BatchNorm1d(sizes[i + 1]))
                layers.append(activation())
        if last is not None:
            layers.append(last)
        self.front = front
        self.body = torch.nn.Sequential(*layers)

    def forward(self, x):
        if self.front == "flatten":
            x = torch.flatten(x, 1)
        elif self.front == "view":
            x = x.view(-1, 16)
        elif self.front == "view_size":
            x = x.view(x.size(0), -1)
        return self.body(x)


def export(name, model, in_shape, opset, dynamic, notes, seed):
    model.eval()
    x = rows(in_shape, seed)
    path = os.path.join(OUT, name + ".onnx")
    dummy = torch.from_numpy(x[:1] if not dynamic else x)
    kwargs = {}
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    torch.onnx.export(model, dummy, path, opset_version=opset, input_names=["input"], output_names=["output"],
                      do_constant_folding=True, **kwargs)
    with torch.no_grad():
        y = model.double()(torch.from_numpy(x.astype(np.float64))).numpy()
    model.float()
    batch = ["batch" if dynamic else 1]
    record(name, x, y, input_shape=in_shape, notes=notes + "; opset %d, %s batch" % (opset, "dynamic" if dynamic else "fixed"))


def init_batchnorm(model, seed):
    g = torch.Generator().manual_seed(seed)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            n = m.num_features
            m.running_mean.copy_(torch.randn(n, generator=g) * 0.5)
            m.running_var.copy_(torch.rand(n, generator=g) * 2 + 0.1)
            m.weight.data.copy_(torch.randn(n, generator=g))
            m.bias.data.copy_(torch.randn(n, generator=g) * 0.3)


def torch_files():
    seed = 100
    # The plain PyTorch MLP across opsets, fixed and dynamic batch.
    for opset in (9, 11, 13, 14, 17):
        for dynamic in (False, True):
            torch.manual_seed(seed)
            m = Mlp([6, 12, 8, 3], torch.nn.ReLU, last=torch.nn.Softmax(dim=1))
            export("torch_relu_softmax_op%d_%s" % (opset, "dyn" if dynamic else "fixed"), m, [6], opset, dynamic,
                   "torch MLP 6-12-8-3, relu, softmax(dim=1)", seed)
            seed += 1
    # Each activation torch exports as one operator.
    activations = [
        ("leakyrelu", lambda: torch.nn.LeakyReLU(0.1), 13),
        ("leakyrelu_default", torch.nn.LeakyReLU, 11),
        ("sigmoid", torch.nn.Sigmoid, 9),
        ("tanh", torch.nn.Tanh, 11),
        ("elu", lambda: torch.nn.ELU(0.7), 13),
        ("selu", torch.nn.SELU, 13),
        ("softplus", torch.nn.Softplus, 13),
        ("softsign", torch.nn.Softsign, 13),
        ("hardsigmoid", torch.nn.Hardsigmoid, 13),
        ("hardswish", torch.nn.Hardswish, 14),
        ("hardswish_op13", torch.nn.Hardswish, 13),
        ("silu", torch.nn.SiLU, 13),
        ("gelu_erf", torch.nn.GELU, 13),
        ("gelu_erf_op9", torch.nn.GELU, 9),
    ]
    for tag, act, opset in activations:
        torch.manual_seed(seed)
        m = Mlp([5, 9, 7, 4], act)
        export("torch_" + tag, m, [5], opset, True, "torch MLP 5-9-7-4 with " + tag, seed)
        seed += 1
    # Softmax / LogSoftmax on the last axis, before and after opset 13.
    for opset in (11, 13):
        torch.manual_seed(seed)
        m = Mlp([5, 8, 4], torch.nn.Tanh, last=torch.nn.LogSoftmax(dim=-1))
        export("torch_logsoftmax_op%d" % opset, m, [5], opset, True, "torch MLP 5-8-4 tanh, log_softmax(dim=-1)", seed)
        seed += 1
    # BatchNorm1d in eval mode between Linear and activation.
    for opset in (9, 15):
        torch.manual_seed(seed)
        m = Mlp([6, 10, 7, 2], torch.nn.ReLU, batchnorm=True)
        init_batchnorm(m, seed)
        export("torch_batchnorm_op%d" % opset, m, [6], opset, True, "torch MLP 6-10-7-2 with BatchNorm1d (eval) after each hidden Linear", seed)
        seed += 1
    # Rank-4 inputs reaching the first Linear through Flatten or a view(-1, 16) Reshape.
    for front, opset, dynamic in (("flatten", 11, True), ("flatten", 9, False), ("view", 14, True), ("view", 9, False),
                                  ("view_size", 9, True), ("view_size", 13, True)):
        torch.manual_seed(seed)
        m = Mlp([16, 10, 3], torch.nn.ReLU, front=front)
        x_shape = [1, 4, 4]
        export("torch_%s_op%d_%s" % (front, opset, "dyn" if dynamic else "fixed"), m, x_shape, opset, dynamic,
               "torch [N,1,4,4] -> %s -> MLP 16-10-3 relu" % front, seed)
        seed += 1
    # More than 1,024 parameters (2,778): the generator embeds these as base64 text instead of float literals.
    torch.manual_seed(seed)
    m = Mlp([64, 32, 16, 10], torch.nn.ReLU, last=torch.nn.Softmax(dim=1))
    export("torch_relu_softmax_large_op17", m, [64], 17, True, "torch MLP 64-32-16-10, relu, softmax(dim=1)", seed)
    seed += 1


# ---- graphs built with onnx.helper, as converters lay them out --------------------------------------------------


def f32(a):
    return np.asarray(a, dtype=np.float32)


def weights(seed, rows_, cols):
    g = np.random.default_rng(seed)
    return f32(g.uniform(-1, 1, size=(rows_, cols)))


def make(nodes, inits, in_shape, out_name, out_width, opset, ir=None, inputs_from_inits=False, extra_opsets=(), in_type=TensorProto.FLOAT):
    graph_inputs = [helper.make_tensor_value_info("x", in_type, in_shape)]
    if inputs_from_inits:
        graph_inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims)) for t in inits]
    out_shape = [in_shape[0], out_width]
    graph = helper.make_graph(nodes, "g", graph_inputs, [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, out_shape)], inits)
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, v) for d, v in extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="make_onnx_files.py")
    if ir is not None:
        model.ir_version = ir
    return model


def save(name, model):
    onnx.save(model, os.path.join(OUT, name + ".onnx"))


def np_act(kind, z, **p):
    if kind == "relu":
        return np.maximum(z, 0)
    if kind == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if kind == "hard_sigmoid":
        return np.clip(p["alpha"] * z + p["beta"], 0, 1)
    if kind == "gelu":
        return 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    if kind == "gelu_tanh":
        return 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z ** 3)))
    if kind == "identity":
        return z
    raise ValueError(kind)


def helper_files():
    seed = 500
    # tf2onnx / OnnxMLTools: MatMul + Add with [in, out] weights, [n] biases, Softmax; IR 3 with initializers as inputs.
    for tag, ir, opset, bias_shape, batch, as_inputs in (
            ("tf2onnx_like", 7, 13, "n", "unk__6", False),
            ("onnxmltools_ir3", 3, 9, "n", 1, True),
            ("skl2onnx_like", 8, 14, "1n", None, False)):
        w1, w2 = weights(seed, 4, 10), weights(seed + 1, 10, 3)
        b1, b2 = f32(np.random.default_rng(seed + 2).uniform(-0.5, 0.5, 10)), f32(np.random.default_rng(seed + 3).uniform(-0.5, 0.5, 3))
        shape = lambda b: b.reshape(1, -1) if bias_shape == "1n" else b
        inits = [numpy_helper.from_array(w1, "W"), numpy_helper.from_array(shape(b1), "B"),
                 numpy_helper.from_array(w2, "W1"), numpy_helper.from_array(shape(b2), "B1")]
        nodes = [helper.make_node("MatMul", ["x", "W"], ["m0"], name="dense/MatMul"),
                 helper.make_node("Add", ["m0", "B"], ["a0"], name="dense/BiasAdd"),
                 helper.make_node("Relu", ["a0"], ["r0"], name="dense/Relu"),
                 helper.make_node("MatMul", ["r0", "W1"], ["m1"], name="dense_1/MatMul"),
                 # the bias first: Add is commutative and some writers put the constant first
                 helper.make_node("Add", ["B1", "m1"], ["a1"], name="dense_1/BiasAdd"),
                 helper.make_node("Softmax", ["a1"], ["y"], name="dense_1/Softmax", **({"axis": 1} if opset < 13 else {}))]
        model = make(nodes, inits, [batch, 4], "y", 3, opset, ir=ir, inputs_from_inits=as_inputs)
        save(tag, model)
        x = rows([4], seed, 0, 8)
        xd = x.astype(np.float64)
        y = np_act("softmax", np.maximum(xd @ w1 + b1, 0) @ w2 + b2)
        record(tag, x, y, input_shape=[4], notes="MatMul+Add %s, IR %d, opset %d" % (bias_shape, ir, opset))
        seed += 10

    # Gemm with alpha, beta, transB = 0 ([in, out] weights), a [1, n] C, Dropout (opset 12 form with a ratio input)
    # and Identity nodes, HardSigmoid with ONNX's defaults (Keras 2's hard_sigmoid).
    w1, w2 = weights(seed, 6, 8), weights(seed + 1, 8, 5)
    c1 = f32(np.random.default_rng(seed + 2).uniform(-1, 1, (1, 8)))
    c2 = f32(np.random.default_rng(seed + 3).uniform(-1, 1, 5))
    inits = [numpy_helper.from_array(w1, "W"), numpy_helper.from_array(c1, "C"), numpy_helper.from_array(w2, "W1"),
             numpy_helper.from_array(c2, "C1"), numpy_helper.from_array(f32(0.25), "ratio")]
    nodes = [helper.make_node("Gemm", ["x", "W", "C"], ["g0"], name="gemm0", alpha=0.5, beta=2.0),
             helper.make_node("HardSigmoid", ["g0"], ["h0"], name="hs0"),
             helper.make_node("Dropout", ["h0", "ratio"], ["d0"], name="drop0"),
             helper.make_node("Identity", ["d0"], ["i0"], name="id0"),
             helper.make_node("Gemm", ["i0", "W1", "C1"], ["y"], name="gemm1", transB=0)]
    save("gemm_alpha_beta_hardsigmoid", make(nodes, inits, ["N", 6], "y", 5, 13))
    x = rows([6], seed)
    xd = x.astype(np.float64)
    h = np_act("hard_sigmoid", 0.5 * (xd @ w1) + 2.0 * c1.astype(np.float64), alpha=0.2, beta=0.5)
    record("gemm_alpha_beta_hardsigmoid", x, h @ w2 + c2, input_shape=[6],
           notes="Gemm alpha 0.5 beta 2 transB 0 with [1,n] C, HardSigmoid defaults, Dropout, Identity, opset 13")
    seed += 10

    # The Gelu operator of opset 20, both approximations (torch 1.13 cannot export it).
    for approx in ("none", "tanh"):
        w1, w2 = weights(seed, 5, 7), weights(seed + 1, 7, 3)
        b1 = f32(np.random.default_rng(seed + 2).uniform(-1, 1, 7))
        inits = [numpy_helper.from_array(w1, "W"), numpy_helper.from_array(b1, "B"), numpy_helper.from_array(w2, "W1")]
        nodes = [helper.make_node("MatMul", ["x", "W"], ["m0"], name="mm0"),
                 helper.make_node("Add", ["m0", "B"], ["a0"], name="add0"),
                 helper.make_node("Gelu", ["a0"], ["g0"], name="gelu0", approximate=approx),
                 helper.make_node("MatMul", ["g0", "W1"], ["y"], name="mm1")]
        model = make(nodes, inits, ["N", 5], "y", 3, 20, ir=9)
        save("gelu_op20_" + approx, model)
        x = rows([5], seed)
        xd = x.astype(np.float64)
        y = np_act("gelu" if approx == "none" else "gelu_tanh", xd @ w1 + b1) @ w2
        record("gelu_op20_" + approx, x, y, input_shape=[5], notes="Gelu opset 20 approximate=%s, last MatMul without bias" % approx)
        seed += 10

    # Softmax before opset 13 on a 2-D tensor with axis -1 (same as axis 1 here) and LogSoftmax at opset 13 with axis 1.
    for opset, op, axis in ((11, "Softmax", -1), (13, "LogSoftmax", 1)):
        w = weights(seed, 3, 4)
        inits = [numpy_helper.from_array(w, "W")]
        nodes = [helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"), helper.make_node(op, ["m"], ["y"], name="sm", axis=axis)]
        name = "%s_axis%d_op%d" % (op.lower(), axis, opset)
        save(name, make(nodes, inits, ["N", 3], "y", 4, opset))
        x = rows([3], seed)
        z = x.astype(np.float64) @ w
        s = np_act("softmax", z)
        record(name, x, s if op == "Softmax" else np.log(s), input_shape=[3], notes="%s axis %d at opset %d" % (op, axis, opset))
        seed += 10

    # ---- files to refuse ----
    w = weights(seed, 4, 3)
    def single(op, extra_inits=(), extra_inputs=(), **attrs):
        nodes = [helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"),
                 helper.make_node(op, ["m"] + list(extra_inputs), ["y"], name="bad_node", **attrs)]
        return make(nodes, [numpy_helper.from_array(w, "W")] + list(extra_inits), ["N", 4], "y", 3, 13)
    conv = helper.make_graph(
        [helper.make_node("Conv", ["x", "K"], ["y"], name="conv0")], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2, 2, 2])],
        [numpy_helper.from_array(weights(seed, 2, 9).reshape(2, 1, 3, 3), "K")])
    refuse("neg_conv", helper.make_model(conv, opset_imports=[helper.make_opsetid("", 13)]), ["Conv", "conv0"], "a Conv node")
    lstm_w = numpy_helper.from_array(weights(seed, 4, 4).reshape(1, 4, 4), "LW")
    lstm_r = numpy_helper.from_array(weights(seed, 4, 1).reshape(1, 4, 1), "LR")
    lstm = helper.make_graph(
        [helper.make_node("LSTM", ["x", "LW", "LR"], ["y"], name="lstm0", hidden_size=1)], "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, "N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 1, "N", 1])], [lstm_w, lstm_r])
    refuse("neg_lstm", helper.make_model(lstm, opset_imports=[helper.make_opsetid("", 13)]), ["LSTM", "lstm0"], "an LSTM node")
    # A quantized layer: QuantizeLinear / DequantizeLinear around the MatMul.
    q_nodes = [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"], name="quant0"),
               helper.make_node("DequantizeLinear", ["q", "s", "z"], ["dq"], name="dequant0"),
               helper.make_node("MatMul", ["dq", "W"], ["y"], name="mm")]
    q_inits = [numpy_helper.from_array(w, "W"), numpy_helper.from_array(f32(0.05), "s"), numpy_helper.from_array(np.uint8(128), "z")]
    refuse("neg_quantized", make(q_nodes, q_inits, ["N", 4], "y", 3, 13), ["QuantizeLinear", "quant0"], "QuantizeLinear/DequantizeLinear")
    # float64 weights with a float32 input (the Gemm type constraint broken, as ONNXNaiveNASflux wrote it).
    d_nodes = [helper.make_node("Gemm", ["x", "W", "B"], ["y"], name="gemm_f64")]
    d_inits = [numpy_helper.from_array(w.astype(np.float64), "W"), numpy_helper.from_array(np.zeros(3), "B")]
    refuse("neg_float64_weights", make(d_nodes, d_inits, ["N", 4], "y", 3, 11), ["float64", "gemm_f64"], "float64 Gemm weights")
    # Weights in an external file.
    ext = numpy_helper.from_array(w, "W")
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    ext.external_data.add(key="location", value="weights.bin")
    e_nodes = [helper.make_node("MatMul", ["x", "W"], ["y"], name="mm_ext")]
    refuse("neg_external_data", make(e_nodes, [ext], ["N", 4], "y", 3, 13), ["external", "W"], "an initializer with data_location EXTERNAL")
    # Not a chain: the input feeds two MatMuls whose results are added.
    b_nodes = [helper.make_node("MatMul", ["x", "W"], ["m0"], name="branch_a"),
               helper.make_node("MatMul", ["x", "W2"], ["m1"], name="branch_b"),
               helper.make_node("Add", ["m0", "m1"], ["y"], name="join")]
    refuse("neg_branch", make(b_nodes, [numpy_helper.from_array(w, "W"), numpy_helper.from_array(w * 2, "W2")], ["N", 4], "y", 3, 13),
           ["branch_"], "two branches from the input joined by Add")
    refuse("neg_tanh_gelu_decomposition_pow", single("Pow", [numpy_helper.from_array(f32(3.0), "three")], ["three"]), ["Pow", "bad_node"], "a Pow node")
    refuse("neg_softmax_axis0", single("Softmax", axis=0), ["Softmax", "axis"], "Softmax over the batch axis")
    refuse("neg_hardsigmoid_other", single("HardSigmoid", alpha=0.3, beta=0.4), ["HardSigmoid", "bad_node"], "HardSigmoid alpha 0.3 beta 0.4")
    refuse("neg_gemm_transA", make([helper.make_node("Gemm", ["x", "W"], ["y"], name="gemm_t", transA=1)], [numpy_helper.from_array(w, "W")], [4, 4], "y", 3, 13),
           ["transA", "gemm_t"], "Gemm with transA = 1")
    refuse("neg_reshape_mixes_rows", single("Reshape", [numpy_helper.from_array(np.array([-1, 1], dtype=np.int64), "shape")], ["shape"]),
           ["Reshape", "bad_node", "[-1, 1]"], "a Reshape to [-1, 1] after the first layer")
    refuse("neg_add_not_bias", make([helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"), helper.make_node("Relu", ["m"], ["r"], name="relu"),
                                     helper.make_node("Add", ["r", "B"], ["y"], name="late_add")],
                                    [numpy_helper.from_array(w, "W"), numpy_helper.from_array(f32([1, 2, 3]), "B")], ["N", 4], "y", 3, 13),
           ["Add", "late_add"], "an Add after an activation")
    bn_inits = [numpy_helper.from_array(w, "W")] + [numpy_helper.from_array(f32(np.ones(3)), n) for n in ("g", "b", "mu", "var")]
    refuse("neg_batchnorm_training", make([helper.make_node("MatMul", ["x", "W"], ["m"], name="mm"),
                                           helper.make_node("BatchNormalization", ["m", "g", "b", "mu", "var"], ["y"], name="bn_train", training_mode=1)],
                                          bn_inits, ["N", 4], "y", 3, 15),
           ["training_mode", "bn_train"], "BatchNormalization with training_mode = 1")
    two = helper.make_graph([helper.make_node("Add", ["x", "x2"], ["y"], name="sum")], "g",
                            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4]), helper.make_tensor_value_info("x2", TensorProto.FLOAT, ["N", 4])],
                            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])])
    refuse("neg_two_inputs", helper.make_model(two, opset_imports=[helper.make_opsetid("", 13)]), ["2 inputs", "'x2'"], "two graph inputs")


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    torch_files()
    helper_files()
    with open(os.path.join(OUT, "references.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_onnx_files.py", "torch": torch.__version__, "onnx": onnx.__version__,
                   "cases": CASES}, f, indent=1)
        f.write("\n")
    print(len(CASES), "cases")


if __name__ == "__main__":
    main()
