#!/usr/bin/python3
"""Writes the test files of tests/ModelGen.Tests/Data/affine/: models with BatchNormalization, Normalization and
Rescaling layers, in the layouts the real writers produce, with float64 references of their outputs (and, for one
network, of the gradients with the normalization frozen).

Run with /usr/bin/python3 (needs torch, onnx, h5py, numpy): python3 tests/reference/make_affine_files.py
Deterministic: fixed seeds, one thread, HDF5 files without timestamps.

- ONNX, written by torch.onnx.export (opsets 11 and 17, do_constant_folding=False so that the exporter keeps every
  BatchNormalization node; the script asserts it did): BatchNorm1d first, between ReLU and Linear, and last, all in eval
  mode. References: the same torch module in float64.
- A training reference: the opset-11 network in float64 with every BatchNorm1d in eval mode (frozen, as ModelGen runs
  it): the MSE loss of fixed targets, the gradient of every Linear weight and bias in Keras layout (kernel [in, out]
  row-major, then bias) and the input gradient.
- Keras files, written with h5py and zipfile in the layouts of make_keras_files.py (Keras 3 saving_lib for .keras,
  Keras 2 legacy HDF5 for .h5): BatchNormalization stores gamma, beta, moving_mean, moving_variance (gamma / beta left out
  when scale / center are false); an adapted Normalization stores mean, variance and an int64 count; Rescaling and a
  Normalization given mean and variance in its config store nothing. References: numpy float64 with Keras 3's formulas
  (batch_normalization.py: (x - mean) * rsqrt(variance + epsilon) * gamma + beta; normalization.py:
  (x - mean) / max(sqrt(variance), 1e-7)), cross-checked with torch float64.
"""
import io
import json
import os
import sys
import zipfile

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_keras_files as mk  # noqa: E402  (the HDF5 layout helpers)

torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ModelGen.Tests", "Data", "affine")
ROWS = 5
CASES = []


def rows(width, seed):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=(ROWS, width)).astype(np.float32)


def randomize_bn(module, g):
    n = module.num_features
    module.running_mean.copy_(torch.randn(n, generator=g) * 0.5)
    module.running_var.copy_(torch.rand(n, generator=g) * 2 + 0.1)
    if module.affine:
        module.weight.data.copy_(torch.randn(n, generator=g))
        module.bias.data.copy_(torch.randn(n, generator=g) * 0.3)


# ---- ONNX ---------------------------------------------------------------------------------------------------------

class BnNet(torch.nn.Module):
    """BatchNorm1d(5) -> Linear(5, 8) -> ReLU -> BatchNorm1d(8, eps 1e-3) -> Linear(8, 4) -> BatchNorm1d(4)."""

    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.BatchNorm1d(8, eps=1e-3),
            torch.nn.Linear(8, 4), torch.nn.BatchNorm1d(4))

    def forward(self, x):
        return self.body(x)


def onnx_files():
    for opset, seed in ((11, 500), (17, 501)):
        torch.manual_seed(seed)
        model = BnNet()
        g = torch.Generator().manual_seed(seed)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                randomize_bn(m, g)
        model.eval()
        x = rows(5, seed)
        name = "torch_bn_first_mid_last_op%d.onnx" % opset
        path = os.path.join(OUT, name)
        torch.onnx.export(model, torch.from_numpy(x), path, opset_version=opset, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=False)
        ops = [n.op_type for n in onnx.load(path).graph.node]
        assert ops.count("BatchNormalization") == 3, ops
        with torch.no_grad():
            y = model.double()(torch.from_numpy(x.astype(np.float64))).numpy()
        CASES.append({"file": name, "kind": "onnx", "ops": ops, "inputs": x.astype(np.float64).tolist(), "outputs": y.tolist()})
        if opset == 11:
            training_reference(model, x, seed)


def training_reference(model, x, seed):
    """MSE loss and gradients of the float64 module with BatchNorm1d frozen (eval mode: running statistics, no update)."""
    model.double().eval()
    targets = np.random.default_rng(seed + 1000).uniform(-1, 1, size=(ROWS, 4)).astype(np.float32)
    xt = torch.tensor(x.astype(np.float64), requires_grad=True)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss = torch.nn.functional.mse_loss(model(xt), torch.tensor(targets.astype(np.float64)))
    loss.backward()
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k]), k  # eval mode: nothing changes
    gradient = []
    for m in model.body:
        if isinstance(m, torch.nn.Linear):
            gradient += m.weight.grad.numpy().T.ravel().tolist() + m.bias.grad.numpy().tolist()
    CASES.append({"file": "torch_bn_first_mid_last_op11.onnx", "kind": "training", "loss_name": "mse",
                  "inputs": x.astype(np.float64).tolist(), "targets": targets.astype(np.float64).tolist(),
                  "loss": float(loss.item()), "parameter_gradient": gradient, "input_gradient": xt.grad.numpy().ravel().tolist()})


# ---- Keras ----------------------------------------------------------------------------------------------------------

def act(name, h):
    return mk.act(name, h)


class KerasNet:
    """A layer list: ("dense", units, activation), ("bn", center, scale, epsilon), ("norm",) adapted, ("norm_config",),
    ("rescale", scale, offset), ("act", activation); with float32 weights drawn from the name."""

    def __init__(self, name, inputs, spec):
        rng = mk.rng_for(name)
        self.name, self.inputs, self.layers = name, inputs, []
        width = inputs
        for s in spec:
            kind = s[0]
            if kind == "dense":
                w = {"kernel": rng.uniform(-1, 1, (width, s[1])).astype(np.float32), "bias": rng.uniform(-0.5, 0.5, (s[1],)).astype(np.float32)}
                self.layers.append((kind, s, w))
                width = s[1]
            elif kind == "bn":
                _, center, scale, eps = s
                w = {}
                if scale:
                    w["gamma"] = rng.uniform(0.5, 1.5, width).astype(np.float32)
                if center:
                    w["beta"] = rng.uniform(-0.5, 0.5, width).astype(np.float32)
                w["moving_mean"] = rng.uniform(-1, 1, width).astype(np.float32)
                w["moving_variance"] = rng.uniform(0.2, 2.0, width).astype(np.float32)
                self.layers.append((kind, s, w))
            elif kind in ("norm", "norm_config"):
                w = {"mean": rng.uniform(-1, 1, width).astype(np.float32), "variance": rng.uniform(0.3, 3.0, width).astype(np.float32)}
                if kind == "norm":
                    w["count"] = np.array(1000, dtype=np.int64)
                self.layers.append((kind, s, w))
            else:
                self.layers.append((kind, s, {}))
        self.width = width
        self.x = rng.uniform(-2, 2, (ROWS, inputs)).astype(np.float32)

    def forward(self):
        h = self.x.astype(np.float64)
        for kind, s, w in self.layers:
            d = {k: v.astype(np.float64) for k, v in w.items()}
            if kind == "dense":
                h = act(s[2], h @ d["kernel"] + d["bias"])
            elif kind == "bn":
                h = (h - d["moving_mean"]) / np.sqrt(d["moving_variance"] + s[3]) * d.get("gamma", 1.0) + d.get("beta", 0.0)
            elif kind in ("norm", "norm_config"):
                h = (h - d["mean"]) / np.maximum(np.sqrt(d["variance"]), 1e-7)
            elif kind == "rescale":
                h = h * s[1] + s[2]
            elif kind == "act":
                h = act(s[1], h)
        return h

    def forward_torch(self):
        h = torch.tensor(self.x, dtype=torch.float64)
        for kind, s, w in self.layers:
            d = {k: torch.tensor(v.astype(np.float64)) for k, v in w.items()}
            if kind == "dense":
                h = torch.tensor(act(s[2], (h @ d["kernel"] + d["bias"]).numpy()))
            elif kind == "bn":
                bn = torch.nn.BatchNorm1d(h.shape[1], eps=s[3], affine=True).double().eval()
                with torch.no_grad():
                    bn.running_mean.copy_(d["moving_mean"])
                    bn.running_var.copy_(d["moving_variance"])
                    bn.weight.copy_(d.get("gamma", torch.ones(h.shape[1], dtype=torch.float64)))
                    bn.bias.copy_(d.get("beta", torch.zeros(h.shape[1], dtype=torch.float64)))
                    h = bn(h)
            elif kind in ("norm", "norm_config"):
                h = (h - d["mean"]) / torch.clamp(torch.sqrt(d["variance"]), min=1e-7)
            elif kind == "rescale":
                h = h * s[1] + s[2]
            elif kind == "act":
                h = torch.tensor(act(s[1], h.numpy()))
        return h.numpy()

    def names(self):
        counts, out = {}, []
        for kind, _, _ in self.layers:
            key = {"dense": "dense", "bn": "batch_normalization", "norm": "normalization", "norm_config": "normalization",
                   "rescale": "rescaling", "act": "activation"}[kind]
            n = counts.get(key, 0)
            counts[key] = n + 1
            out.append(key if n == 0 else f"{key}_{n}")
        return out


def layer_config_k3(kind, s, w, name, width):
    base = {"name": name, "trainable": True, "dtype": mk.dtype_policy()}
    init = lambda cls: {"module": "keras.initializers", "class_name": cls, "config": {}, "registered_name": None}
    if kind == "dense":
        base.update({"units": s[1], "activation": s[2], "use_bias": True,
                     "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None}, "registered_name": None},
                     "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None})
        cls = "Dense"
    elif kind == "bn":
        base.update({"axis": -1, "momentum": 0.99, "epsilon": s[3], "center": s[1], "scale": s[2], "beta_initializer": init("Zeros"),
                     "gamma_initializer": init("Ones"), "moving_mean_initializer": init("Zeros"), "moving_variance_initializer": init("Ones"),
                     "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None, "synchronized": False})
        cls = "BatchNormalization"
    elif kind in ("norm", "norm_config"):
        given = kind == "norm_config"
        base.update({"axis": [-1], "invert": False,
                     "mean": w["mean"].astype(np.float64).tolist() if given else None,
                     "variance": w["variance"].astype(np.float64).tolist() if given else None})
        cls = "Normalization"
    elif kind == "rescale":
        base.update({"scale": s[1], "offset": s[2]})
        cls = "Rescaling"
    else:
        base.update({"activation": s[1]})
        cls = "Activation"
    return {"module": "keras.layers", "class_name": cls, "config": base, "registered_name": None, "build_config": {"input_shape": [None, width]}}


def config_k3(net, names):
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, net.inputs], "dtype": "float32", "sparse": False,
                                                                                "name": "input_layer"}, "registered_name": None}]
    width = net.inputs
    for (kind, s, w), name in zip(net.layers, names):
        layers.append(layer_config_k3(kind, s, w, name, width))
        if kind == "dense":
            width = s[1]
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": mk.dtype_policy(), "layers": layers},
            "registered_name": None, "build_config": {"input_shape": [None, net.inputs]}}


STORED = {"dense": ["kernel", "bias"], "bn": ["gamma", "beta", "moving_mean", "moving_variance"], "norm": ["mean", "variance", "count"]}


def stored(kind, w):
    return [k for k in STORED.get(kind, []) if k in w]


def write_keras3(path, net, names, version="3.9.2"):
    buffer = io.BytesIO()
    with mk.open_h5(buffer, "earliest") as f:
        layers = mk.new_group(f, "layers")
        for (kind, s, w), name in zip(net.layers, names):
            v = mk.new_group(layers, name + "/vars")  # names are the class keys here (dense, batch_normalization_1, ...)
            v.attrs["name"] = name
            for i, key in enumerate(stored(kind, w)):
                v.create_dataset(str(i), data=w[key], track_times=False)
        top = mk.new_group(f, "vars")
        top.attrs["name"] = "sequential"
        opt = mk.new_group(f, "optimizer/vars")
        opt.attrs["name"] = "adam"
        opt.create_dataset("0", data=np.array(3, dtype=np.int64), track_times=False)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("metadata.json", (2024, 1, 1, 0, 0, 0)), json.dumps({"keras_version": version, "date_saved": "2024-01-01@00:00:00"}))
        z.writestr(zipfile.ZipInfo("config.json", (2024, 1, 1, 0, 0, 0)), json.dumps(config_k3(net, names)))
        z.writestr(zipfile.ZipInfo("model.weights.h5", (2024, 1, 1, 0, 0, 0)), buffer.getvalue())


def config_k2(net, names, version):
    """tf.keras 2 / Keras 2.2+ Sequential config; BatchNormalization's axis as the built list [1]."""
    layers, first, width = [], True, net.inputs
    for (kind, s, w), name in zip(net.layers, names):
        if kind == "dense":
            layer = mk.dense_k2(name, s[1], s[2], [None, width] if first else None)
            width = s[1]
        elif kind == "bn":
            c = {"name": name, "trainable": True, "dtype": "float32", "axis": [1], "momentum": 0.99, "epsilon": s[3], "center": s[1], "scale": s[2],
                 "beta_initializer": {"class_name": "Zeros", "config": {}}, "gamma_initializer": {"class_name": "Ones", "config": {}},
                 "moving_mean_initializer": {"class_name": "Zeros", "config": {}}, "moving_variance_initializer": {"class_name": "Ones", "config": {}},
                 "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None}
            if first:
                c["batch_input_shape"] = [None, width]
            layer = {"class_name": "BatchNormalization", "config": c}
        elif kind == "act":
            layer = {"class_name": "Activation", "config": {"name": name, "trainable": True, "dtype": "float32", "activation": s[1]}}
        else:
            raise ValueError(kind)
        layers.append(layer)
        first = False
    return {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}, "keras_version": version, "backend": "tensorflow"}


def write_legacy_group(group, net, names, style):
    mk.put_list(group, "layer_names", names, style)
    for (kind, s, w), name in zip(net.layers, names):
        g = mk.new_group(group, name)
        keys = stored(kind, w)
        wn = [f"{name}/{k}:0" for k in keys]
        mk.put_list(g, "weight_names", wn, style)
        for n, k in zip(wn, keys):
            mk.dataset(g, n, w[k], "contiguous")


def write_legacy_full(path, net, names, version, style):
    with mk.open_h5(path, "earliest") as f:
        f.attrs["keras_version"] = version
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config_k2(net, names, version))
        f.attrs["training_config"] = json.dumps({"loss": "mse", "optimizer_config": {"class_name": "Adam", "config": {"lr": 0.001}}})
        mw = mk.new_group(f, "model_weights")
        mw.attrs["backend"] = "tensorflow"
        mw.attrs["keras_version"] = version
        write_legacy_group(mw, net, names, style)


def write_legacy_weights(path, net, names, version, style):
    with mk.open_h5(path, "earliest") as f:
        write_legacy_group(f, net, names, style)
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = version


def record_keras(file, net, names, extra=None):
    out = net.forward()
    assert np.max(np.abs(out - net.forward_torch())) < 1e-12, file
    entry = {"file": file, "kind": "keras", "inputs": net.x.astype(np.float64).tolist(), "outputs": out.tolist(), "layers": names}
    # The non-trainable state ModelGen keeps, in its layout (per BatchNormalization / adapted Normalization layer).
    state = []
    for kind, s, w in net.layers:
        if kind in ("bn", "norm"):
            state += np.concatenate([w[k].astype(np.float64).ravel() for k in stored(kind, w) if k != "count"]).tolist()
    entry["state"] = state
    if extra:
        entry.update(extra)
    CASES.append(entry)


def keras_files():
    # Keras 3 .keras: adapted Normalization first, Dense -> BN -> Activation, Dense(relu) -> BN(center False) -> Dense.
    net = KerasNet("k3_bn", 6, [("norm",), ("dense", 8, "linear"), ("bn", True, True, 1e-3), ("act", "relu"), ("dense", 5, "relu"),
                                 ("bn", False, True, 0.01), ("dense", 3, "softmax")])
    names = net.names()
    write_keras3(os.path.join(OUT, "keras3_bn.keras"), net, names)
    record_keras("keras3_bn.keras", net, names)

    # Keras 3 .keras: Rescaling first, then a Normalization given mean and variance in its config (no stored weights).
    net = KerasNet("k3_rescale", 4, [("rescale", 0.5, -1.0), ("norm_config",), ("dense", 6, "tanh"), ("dense", 2, "linear")])
    names = net.names()
    write_keras3(os.path.join(OUT, "keras3_rescaling.keras"), net, names, version="3.5.0")
    record_keras("keras3_rescaling.keras", net, names)

    # Keras 2 legacy full-model .h5 (tf.keras 2.x, variable-length strings): Dense -> BN -> Activation, Dense(relu) -> BN -> Dense.
    spec = [("dense", 8, "linear"), ("bn", True, True, 1e-3), ("act", "relu"), ("dense", 6, "relu"), ("bn", True, False, 1e-3), ("dense", 3, "softmax")]
    net = KerasNet("k2_bn", 5, spec)
    names = net.names()
    write_legacy_full(os.path.join(OUT, "keras2_bn_full.h5"), net, names, "2.12.0", "vlen")
    record_keras("keras2_bn_full.h5", net, names)

    # Keras 2.2.4 save_weights (fixed-length strings) + model.to_json(); a BatchNormalization first.
    net = KerasNet("k2_bn_weights", 5, [("bn", True, True, 1e-3)] + spec)
    names = net.names()
    write_legacy_weights(os.path.join(OUT, "keras2_bn_weights.h5"), net, names, "2.2.4", "fixed")
    with open(os.path.join(OUT, "keras2_bn_weights.arch.json"), "w") as fh:
        json.dump(config_k2(net, names, "2.2.4"), fh)
    record_keras("keras2_bn_weights.h5", net, names, {"arch": "keras2_bn_weights.arch.json"})

    # To be refused (MGEN056 at build time, InvalidDataException at run time): a moving_variance of -1 with epsilon 1e-3.
    net = KerasNet("neg_bn_variance", 3, [("dense", 4, "linear"), ("bn", True, True, 1e-3), ("dense", 2, "linear")])
    net.layers[1][2]["moving_variance"][2] = -1.0
    names = net.names()
    write_keras3(os.path.join(OUT, "neg_bn_variance.keras"), net, names)
    CASES.append({"file": "neg_bn_variance.keras", "kind": "refuse", "error_contains": "moving_variance + epsilon"})


def benchmark_onnx():
    """The mnist-size (784-128-64-10) ONNX file of the generator benchmarks (tests/ModelGen.Benchmarks/keras/mnist.onnx)."""
    torch.manual_seed(784)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(),
                                torch.nn.Linear(64, 10), torch.nn.Softmax(dim=1)).eval()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ModelGen.Benchmarks", "keras", "mnist.onnx")
    torch.onnx.export(model, torch.zeros(1, 784), path, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})


def main():
    os.makedirs(OUT, exist_ok=True)
    benchmark_onnx()
    onnx_files()
    keras_files()
    with open(os.path.join(OUT, "references.json"), "w") as f:
        json.dump({"generator": "tests/reference/make_affine_files.py", "torch": torch.__version__, "cases": CASES}, f, indent=1)
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):8d}  {name}")


if __name__ == "__main__":
    main()
