#!/usr/bin/env python3
"""Float64 references for NaN and +/-infinity inputs, per activation.

Run from the repository root:

    /usr/bin/python3 tests/reference/make_nonfinite.py

Writes tests/ModelGen.Tests/Data/nonfinite.json: for every activation case of activations.json
(make_reference.py's ACT_CASES, Linear and Sparsemax excepted: Linear's test model is a Dense
layer, and sparsemax's sort has no defined order with NaN), rows of inputs
holding NaN, +infinity and -infinity among finite values, and the outputs of the activation in
torch.float64 as Keras 3 computes it on its torch backend: torch's own functions (torch.relu,
F.elu, torch.softmax, ...) where Keras calls them, Keras's formulas (keras/src/backend/torch/nn.py)
where it writes its own.  Two exceptions, where Keras's backends disagree on NaN: hard_shrink and
threshold follow the JAX/TensorFlow/NumPy backends' where(...) (NaN gives 0 or the default value).  Non-finite numbers are written as the strings "NaN", "Infinity" and
"-Infinity" (the file is strict JSON).  Deterministic.
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_reference as ref  # noqa: E402  (its main() is guarded)

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

NAN, INF = math.nan, math.inf


def keras_torch(name, x, p):
    """The activation as Keras 3's torch backend computes it."""
    if name == "Relu":
        return torch.relu(x)
    if name == "Relu6":
        return F.relu6(x)
    if name == "LeakyRelu":
        return F.leaky_relu(x, p["NegativeSlope"])
    if name == "Elu":
        return F.elu(x, p["Alpha"])
    if name == "Selu":
        return F.selu(x)
    if name == "Celu":
        return F.celu(x, p["Alpha"])
    if name == "Gelu":
        return F.gelu(x)
    if name == "GeluTanh":
        return F.gelu(x, approximate="tanh")
    if name == "Sigmoid":
        return torch.sigmoid(x)
    if name == "HardSigmoid":
        return F.hardsigmoid(x)
    if name == "HardSigmoidKeras2":  # keras 2: clip(0.2 x + 0.5, 0, 1)
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)
    if name == "LogSigmoid":
        return F.logsigmoid(x)
    if name == "Silu":
        return F.silu(x)
    if name == "HardSilu":
        return F.hardswish(x)
    if name == "Tanh":
        return torch.tanh(x)
    if name == "HardTanh":
        return F.hardtanh(x)
    if name == "TanhShrink":
        return F.tanhshrink(x)
    if name == "SoftShrink":
        return F.softshrink(x, p["Threshold"])
    if name == "HardShrink":
        # Keras's backends disagree on NaN here: torch's F.hardshrink keeps it, the JAX, TensorFlow and NumPy backends
        # write where(|x| > t, x, 0) and give 0. ModelGen follows the latter (docs/reliability.md); so does this reference.
        return torch.where(x.abs() > p["Threshold"], x, torch.zeros_like(x))
    if name == "Softmax":
        return torch.softmax(x, dim=-1)
    if name == "LogSoftmax":
        return torch.log_softmax(x, dim=-1)
    if name == "Softplus":
        return F.softplus(x)
    if name == "Softsign":
        return F.softsign(x)
    if name == "SparsePlus":  # keras: where(x <= -1, 0, where(x >= 1, x, (x + 1)^2 / 4))
        return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, 0.25 * (x + 1) ** 2))
    if name == "SparseSigmoid":  # keras: where(x <= -1, 0, where(x >= 1, 1, (x + 1) / 2))
        return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, torch.ones_like(x), 0.5 * (x + 1)))
    if name == "Squareplus":  # keras: (x + sqrt(x^2 + b)) / 2
        return (x + torch.sqrt(x * x + p["B"])) / 2
    if name == "Exponential":
        return torch.exp(x)
    if name == "Mish":
        return F.mish(x)
    if name == "Glu":
        return F.glu(x, dim=-1)
    if name == "Threshold":
        # As HardShrink: torch's F.threshold keeps NaN, the other backends' where(x > t, x, default) give the default.
        return torch.where(x > p["Threshold"], x, torch.zeros_like(x) + p["DefaultValue"])
    raise KeyError(name)


ELEMENTWISE_ROWS = [
    [NAN, INF, -INF, 0.0, 1.0, -1.0, 2.0],
    [-INF, NAN, 3.0, INF, -0.5, NAN, -INF],
    [0.25, -3.0, INF, -INF, NAN, 20.0, -20.0],
    [INF, INF, -INF, -INF, NAN, NAN, 0.5],
]

VECTOR_ROWS = [
    [1.0, 2.0, NAN, 0.0, -1.0, 0.5, 3.0],
    [1.0, 2.0, INF, 0.0, -1.0, 0.5, 3.0],
    [1.0, 2.0, -INF, 0.0, -1.0, 0.5, 3.0],
    [INF, INF, 0.0, 0.0, 0.0, 0.0, 0.0],
    [-INF, -INF, -INF, -INF, -INF, -INF, -INF],
    [-INF, 0.0, 1.0, -INF, 2.0, -INF, 0.5],
    [INF, -INF, 0.0, 1.0, 2.0, 3.0, 4.0],
]

GLU_ROWS = [  # a = x[:4], b = x[4:]: out = a * sigmoid(b)
    [NAN, INF, -INF, 1.0, 0.0, 0.0, 0.0, 0.0],
    [1.0, 1.0, 1.0, 1.0, INF, -INF, NAN, 0.0],
    [INF, -INF, INF, 0.0, -INF, INF, 0.0, INF],
    [0.0, 0.0, INF, -INF, -INF, -INF, 30.0, -30.0],
]


def enc(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def main():
    cases = []
    for case_id, name, params in ref.ACT_CASES:
        if name in ("Linear", "Sparsemax"):
            continue  # Linear's test model is a Dense layer; sparsemax's sort has no defined order with NaN (not compared)
        p = dict(ref.ACT[name][1])
        p.update(params)
        rows = GLU_ROWS if name == "Glu" else VECTOR_ROWS if ref.ACT[name][3] else ELEMENTWISE_ROWS
        x = torch.tensor(rows)
        y = keras_torch(name, x, p)
        cases.append({
            "id": case_id,
            "activation": name,
            "params": {k: v for k, v in params.items()},
            "inputs": [[enc(float(v)) for v in row] for row in rows],
            "outputs": [[enc(float(v)) for v in row] for row in y.tolist()],
        })
    path = os.path.join(ref.DATA, "nonfinite.json")
    with open(path, "w") as f:
        json.dump({"source": "tests/reference/make_nonfinite.py", "cases": cases}, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path, ref.ROOT)} ({os.path.getsize(path)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
