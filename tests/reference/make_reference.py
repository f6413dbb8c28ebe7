#!/usr/bin/env python3
"""Float64 reference data for ModelGen's tests.

Run from the repository root:

    /usr/bin/python3 tests/reference/make_reference.py

Writes activations.json, models.json, optimizers.json, training.json and
iris.csv into tests/ModelGen.Tests/Data/ (copied to samples/data/) and digits.csv into samples/data/.

Every formula is written out from docs/KERAS.md (Keras 3 semantics), in
torch.float64, with torch.where formulations chosen so that autograd gives the
derivatives KERAS.md prescribes at kinks (the torch backend's values).  Every input,
parameter, target and hyperparameter is exactly representable in float32, because the
C# side computes in float32 from the same numbers.  The script is deterministic.
"""

import csv
import json
import math
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)  # bit-for-bit reproducible reductions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATA = os.path.join(ROOT, "tests", "ModelGen.Tests", "Data")
SAMPLES_DATA = os.path.join(ROOT, "samples", "data")

F32_MAX = float(np.finfo(np.float32).max)


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------

def f32(v):
    """The float32 value nearest to v, as a Python float (double)."""
    return float(np.float32(v))


def is_f32(t):
    t = torch.as_tensor(t, dtype=torch.float64)
    return bool((t.float().double() == t).all())


class Rng:
    """Deterministic float32 draws (returned as float64 tensors holding float32 values)."""

    def __init__(self, seed):
        self.g = torch.Generator()
        self.g.manual_seed(seed)

    def uniform(self, shape, lo, hi):
        u = torch.rand(shape, generator=self.g, dtype=torch.float32)
        lo32 = torch.tensor(lo, dtype=torch.float32)
        hi32 = torch.tensor(hi, dtype=torch.float32)
        return (lo32 + (hi32 - lo32) * u).double()  # float32 arithmetic, exact in float64

    def ints(self, n, hi):
        return torch.randint(0, hi, (n,), generator=self.g)

    def perm(self, n):
        return torch.randperm(n, generator=self.g)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def rows(t):
    return [[float(v) for v in r] for r in t.detach().tolist()]


def check_finite32(name, t):
    t = t.detach()
    assert torch.isfinite(t).all(), f"{name}: non-finite value"
    assert (t.abs() <= F32_MAX).all(), f"{name}: value overflows float32"


def write_json(name, obj):
    path = os.path.join(DATA, name)
    with open(path, "w") as f:
        json.dump(obj, f, allow_nan=False, separators=(",", ":"))
        f.write("\n")
    size = os.path.getsize(path)
    assert size < 2_100_000, f"{name} too large: {size}"
    print(f"wrote {os.path.relpath(path, ROOT)} ({size} bytes)")


def rel_err(a, b, floor=1e-2):
    """max |a - b| / max(|b|, floor), elementwise then max."""
    return float(((a - b).abs() / b.abs().clamp(min=floor)).max()) if a.numel() else 0.0


def norm_rel_err(a, b):
    """max |a - b| / max |b| (norm-wise relative error)."""
    return float((a - b).abs().max() / b.abs().max().clamp(min=1e-300))


# ----------------------------------------------------------------------------------------
# activations (KERAS.md table), float64, kink derivatives via torch.where
# ----------------------------------------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
Z = torch.zeros_like


def w(c, a, b):
    return torch.where(c, a, b)


def _neg_part(x, strict_pos):
    # x where the negative branch is selected, 0 elsewhere (keeps unselected branches finite
    # so their zero gradient is not 0 * inf = nan)
    return w(strict_pos, Z(x), x)


def a_linear(x, p):
    return x


def a_relu(x, p):
    return w(x > 0, x, Z(x))  # relu'(0) = 0


def a_relu6(x, p):
    return w(x >= 6, Z(x) + 6, w(x > 0, x, Z(x)))  # relu6'(0) = relu6'(6) = 0


def a_leaky_relu(x, p):
    s = p["NegativeSlope"]
    return w(x > 0, x, s * x)  # leaky'(0) = slope


def _elu(x, alpha):
    pos = x > 0
    return w(pos, x, alpha * torch.expm1(_neg_part(x, pos)))  # elu'(0) = alpha (torch: x <= 0 branch)


def a_elu(x, p):
    return _elu(x, p["Alpha"])


def a_selu(x, p):
    return SELU_SCALE * _elu(x, SELU_ALPHA)


def a_celu(x, p):
    alpha = p["Alpha"]
    pos = x > 0
    # max(x, 0) + alpha expm1(min(x, 0) / alpha); C1, derivative 1 at 0
    return w(pos, x, alpha * torch.expm1(_neg_part(x, pos) / alpha))


def _softplus(x):
    pos = x > 0
    xp = w(pos, x, Z(x))
    xn = w(pos, Z(x), x)
    return w(pos, x + torch.log1p(torch.exp(-xp)), torch.log1p(torch.exp(xn)))


def a_softplus(x, p):
    return _softplus(x)


def _sigmoid(x):
    pos = x >= 0
    xp = w(pos, x, Z(x))
    xn = w(pos, Z(x), x)
    en = torch.exp(xn)
    return w(pos, 1.0 / (1.0 + torch.exp(-xp)), en / (1.0 + en))


def a_sigmoid(x, p):
    return _sigmoid(x)


def a_log_sigmoid(x, p):
    return -_softplus(-x)


def a_silu(x, p):
    return x * _sigmoid(x)


def a_gelu(x, p):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def a_gelu_tanh(x, p):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def a_tanh(x, p):
    return torch.tanh(x)


def _hard_sigmoid(x):
    return a_relu6(x + 3.0, None) / 6.0  # hard_sigmoid'(+/-3) = 0


def a_hard_sigmoid(x, p):
    return _hard_sigmoid(x)


def a_hard_sigmoid_keras2(x, p):
    y = 0.2 * x + 0.5
    return w(y <= 0, Z(x), w(y >= 1, Z(x) + 1, y))  # derivative 0 at +/-2.5


def a_hard_silu(x, p):
    # Keras's torch backend computes hard_silu with F.hardswish, whose derivative on [-3, 3] is (2x + 3) / 6,
    # so 1.5 at x = 3 and -0.5 at x = -3 (KERAS.md: ModelGen uses the torch backend's values at kinks).
    return w(x < -3, Z(x), w(x > 3, x, x * (x + 3) / 6))


def a_hard_tanh(x, p):
    return w(x >= 1, Z(x) + 1, w(x <= -1, Z(x) - 1, x))  # derivative 0 at +/-1


def a_tanh_shrink(x, p):
    return x - torch.tanh(x)


def a_soft_shrink(x, p):
    t = p["Threshold"]
    return w(x > t, x - t, w(x < -t, x + t, Z(x)))  # derivative 0 at +/-t


def a_hard_shrink(x, p):
    t = p["Threshold"]
    return w((x > t) | (x < -t), x, Z(x))  # derivative 0 at +/-t


def a_softmax(x, p):
    m = x.max(dim=-1, keepdim=True).values.detach()
    e = torch.exp(x - m)
    return e / e.sum(dim=-1, keepdim=True)


def a_log_softmax(x, p):
    m = x.max(dim=-1, keepdim=True).values.detach()
    s = x - m
    return s - torch.log(torch.exp(s).sum(dim=-1, keepdim=True))


def a_softsign(x, p):
    return x / (1.0 + x.abs())


def a_sparse_plus(x, p):
    return w(x <= -1, Z(x), w(x >= 1, x, (x + 1) ** 2 / 4))  # 0 at -1, 1 at 1


def a_sparse_sigmoid(x, p):
    return w(x <= -1, Z(x), w(x >= 1, Z(x) + 1, (x + 1) / 2))  # 0 at +/-1


def a_squareplus(x, p):
    b = p["B"]
    r = torch.sqrt(x * x + b)
    nonneg = x >= 0
    # (x + r) / 2, written as b / (2 (r - x)) for x < 0 to avoid cancellation
    return w(nonneg, (x + r) / 2, b / (2 * (r - x)))


def a_exponential(x, p):
    return torch.exp(x)


def a_mish(x, p):
    return x * torch.tanh(_softplus(x))


def sparsemax_tau(x):
    """tau per row, differentiable through the cumulative sum (k is piecewise constant)."""
    zs, _ = torch.sort(x, dim=-1, descending=True)
    cs = torch.cumsum(zs, dim=-1)
    ks = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    cond = (1 + ks * zs.detach()) > cs.detach()
    # largest k satisfying the condition (the condition holds on a prefix)
    k = (cond.to(torch.int64) * torch.arange(1, x.shape[-1] + 1)).max(dim=-1, keepdim=True).values
    csk = torch.gather(cs, -1, k - 1)
    return (csk - 1) / k.to(x.dtype)


def a_sparsemax(x, p):
    tau = sparsemax_tau(x)
    return a_relu(x - tau, None)


def a_glu(x, p):
    h = x.shape[-1] // 2
    a, b = x[..., :h], x[..., h:]
    return a * _sigmoid(b)


def a_threshold(x, p):
    return w(x > p["Threshold"], x, Z(x) + p["DefaultValue"])  # derivative 0 at t


# enum name -> (function, default params (float32 values), kinks(params), vector-wise?)
ACT = {
    "Linear": (a_linear, {}, lambda p: [], False),
    "Relu": (a_relu, {}, lambda p: [0.0], False),
    "Relu6": (a_relu6, {}, lambda p: [0.0, 6.0], False),
    "LeakyRelu": (a_leaky_relu, {"NegativeSlope": f32(0.2)}, lambda p: [0.0], False),
    "Elu": (a_elu, {"Alpha": 1.0}, lambda p: [0.0], False),
    "Selu": (a_selu, {}, lambda p: [0.0], False),
    "Celu": (a_celu, {"Alpha": 1.0}, lambda p: [0.0], False),
    "Gelu": (a_gelu, {}, lambda p: [], False),
    "GeluTanh": (a_gelu_tanh, {}, lambda p: [], False),
    "Sigmoid": (a_sigmoid, {}, lambda p: [], False),
    "HardSigmoid": (a_hard_sigmoid, {}, lambda p: [-3.0, 3.0], False),
    "HardSigmoidKeras2": (a_hard_sigmoid_keras2, {}, lambda p: [-2.5, 2.5], False),
    "LogSigmoid": (a_log_sigmoid, {}, lambda p: [], False),
    "Silu": (a_silu, {}, lambda p: [], False),
    "HardSilu": (a_hard_silu, {}, lambda p: [-3.0, 3.0], False),
    "Tanh": (a_tanh, {}, lambda p: [], False),
    "HardTanh": (a_hard_tanh, {}, lambda p: [-1.0, 1.0], False),
    "TanhShrink": (a_tanh_shrink, {}, lambda p: [], False),
    "SoftShrink": (a_soft_shrink, {"Threshold": 0.5},
                   lambda p: [-p["Threshold"], p["Threshold"]], False),
    "HardShrink": (a_hard_shrink, {"Threshold": 0.5},
                   lambda p: [-p["Threshold"], p["Threshold"]], False),
    "Softmax": (a_softmax, {}, lambda p: [], True),
    "LogSoftmax": (a_log_softmax, {}, lambda p: [], True),
    "Softplus": (a_softplus, {}, lambda p: [], False),
    "Softsign": (a_softsign, {}, lambda p: [], False),
    "SparsePlus": (a_sparse_plus, {}, lambda p: [-1.0, 1.0], False),
    "SparseSigmoid": (a_sparse_sigmoid, {}, lambda p: [-1.0, 1.0], False),
    "Squareplus": (a_squareplus, {"B": 4.0}, lambda p: [], False),
    "Exponential": (a_exponential, {}, lambda p: [], False),
    "Mish": (a_mish, {}, lambda p: [], False),
    "Sparsemax": (a_sparsemax, {}, lambda p: [], True),
    "Glu": (a_glu, {}, lambda p: [], True),
    "Threshold": (a_threshold, {}, lambda p: [p["Threshold"]], False),
}


def act_apply(name, x, params=None):
    fn, defaults, _, _ = ACT[name]
    p = dict(defaults)
    p.update(params or {})
    return fn(x, p)


def vjp(fn, x, upstream):
    x = x.clone().requires_grad_(True)
    y = fn(x)
    (g,) = torch.autograd.grad((y * upstream).sum(), x)
    return y.detach(), g.detach()


def deriv_at(name, value, params=None):
    x = torch.tensor([[value]], requires_grad=True)
    y = act_apply(name, x, params)
    (g,) = torch.autograd.grad(y.sum(), x)
    return float(g)


# ----------------------------------------------------------------------------------------
# 1. activations.json
# ----------------------------------------------------------------------------------------

BASE_POINTS = [-1000.0, -20.0, -6.0, -3.0, -1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 3.0, 6.0, 20.0, 1000.0]

ACT_CASES = [
    ("Linear", "Linear", {}), ("Relu", "Relu", {}), ("Relu6", "Relu6", {}),
    ("LeakyRelu", "LeakyRelu", {}), ("LeakyRelu_0.1", "LeakyRelu", {"NegativeSlope": f32(0.1)}),
    ("Elu", "Elu", {}), ("Elu_0.5", "Elu", {"Alpha": 0.5}),
    ("Selu", "Selu", {}),
    ("Celu", "Celu", {}), ("Celu_2", "Celu", {"Alpha": 2.0}),
    ("Gelu", "Gelu", {}), ("GeluTanh", "GeluTanh", {}),
    ("Sigmoid", "Sigmoid", {}), ("HardSigmoid", "HardSigmoid", {}),
    ("HardSigmoidKeras2", "HardSigmoidKeras2", {}),
    ("LogSigmoid", "LogSigmoid", {}), ("Silu", "Silu", {}), ("HardSilu", "HardSilu", {}),
    ("Tanh", "Tanh", {}), ("HardTanh", "HardTanh", {}), ("TanhShrink", "TanhShrink", {}),
    ("SoftShrink", "SoftShrink", {}), ("SoftShrink_1", "SoftShrink", {"Threshold": 1.0}),
    ("HardShrink", "HardShrink", {}), ("HardShrink_1", "HardShrink", {"Threshold": 1.0}),
    ("Softmax", "Softmax", {}), ("LogSoftmax", "LogSoftmax", {}),
    ("Softplus", "Softplus", {}), ("Softsign", "Softsign", {}),
    ("SparsePlus", "SparsePlus", {}), ("SparseSigmoid", "SparseSigmoid", {}),
    ("Squareplus", "Squareplus", {}), ("Squareplus_1", "Squareplus", {"B": 1.0}),
    ("Exponential", "Exponential", {}), ("Mish", "Mish", {}),
    ("Sparsemax", "Sparsemax", {}), ("Glu", "Glu", {}),
    ("Threshold_0.5_-1", "Threshold", {"Threshold": 0.5, "DefaultValue": -1.0}),
]


def elementwise_inputs(rng, name, params):
    kinks = ACT[name][2]({**ACT[name][1], **params})
    pts = list(BASE_POINTS)
    if name == "Exponential":
        pts = [v for v in pts if abs(v) != 1000.0]  # exp(1000) overflows; +/-20 already present
    for k in kinks:
        if k not in pts:
            pts.append(k)
    avoid = set(pts) | set(kinks)
    while len(pts) < 21:
        v = float(rng.uniform((1,), -4.0, 4.0)[0])
        if all(abs(v - a) > 1e-2 for a in avoid):
            pts.append(v)
    assert len(pts) == 21, (name, len(pts))
    order = rng.perm(21)
    return torch.tensor([pts[i] for i in order.tolist()]).reshape(3, 7), kinks


def vector_inputs(rng, name):
    if name == "Glu":
        row0 = [1000.0, -1000.0, 1000.0, -6.0, -1000.0, 1000.0, 1000.0, -20.0]
        row1 = flat(rng.uniform((8,), -4.0, 4.0))
        row2 = [1.0, 1.0, 0.0, -3.0, 0.0, 0.0, 3.0, 3.0]
        return torch.tensor([row0, row1, row2])
    row0 = [1000.0, -1000.0, 999.25, -20.0, 20.0, 0.5, -6.0]
    row2 = [1.0, 1.0, -0.5, 3.0, 3.0, 0.0, 0.25]
    while True:
        row1 = rng.uniform((7,), -4.0, 4.0)
        if name != "Sparsemax":
            break
        tau = sparsemax_tau(row1.reshape(1, 7))
        if float((row1 - tau).abs().min()) > 1e-2 and int(((row1 - tau) > 0).sum()) >= 2:
            break
    return torch.tensor([row0, flat(row1), row2])


def reference_activations():
    rng = Rng(20240601)
    cases = []
    fd_checked = 0
    for cid, name, params in ACT_CASES:
        fn, defaults, kinkf, vector = ACT[name]
        p = {**defaults, **params}
        for v in params.values():
            assert v == f32(v), (cid, v)
        if vector:
            x = vector_inputs(rng, name)
            kinks = []
        else:
            x, kinks = elementwise_inputs(rng, name, params)
        assert is_f32(x), cid
        out_w = x.shape[1] // 2 if name == "Glu" else x.shape[1]
        up = rng.uniform((3, out_w), -1.0, 1.0)
        y, g = vjp(lambda t: fn(t, p), x, up)
        check_finite32(cid + " y", y)
        check_finite32(cid + " grad", g)

        # --- finite differences, every element not exactly at a kink
        h = 1e-6
        fd = torch.zeros_like(x)
        mask = torch.ones_like(x, dtype=torch.bool)
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                if float(x[i, j]) in kinks:
                    mask[i, j] = False
                    continue
                hh = h * max(1.0, abs(float(x[i, j])))
                xp = x.clone(); xp[i, j] += hh
                xm = x.clone(); xm[i, j] -= hh
                fd[i, j] = (up * (fn(xp, p) - fn(xm, p))).sum() / (2 * hh)
        err = rel_err(fd[mask], g[mask])
        assert err < 1e-6, (cid, err)
        fd_checked += int(mask.sum())

        # --- value cross-checks against independent formulas / torch built-ins
        ref = None
        xs = x
        if name == "Relu": ref = F.relu(xs)
        elif name == "Relu6": ref = F.hardtanh(xs, 0.0, 6.0)
        elif name == "LeakyRelu": ref = F.leaky_relu(xs, p["NegativeSlope"])
        elif name == "Elu": ref = F.elu(xs, p["Alpha"])
        elif name == "Selu": ref = F.selu(xs)
        elif name == "Celu": ref = F.celu(xs, p["Alpha"])
        elif name == "Gelu": ref = F.gelu(xs)
        elif name == "GeluTanh": ref = F.gelu(xs, approximate="tanh")
        elif name == "Sigmoid": ref = torch.sigmoid(xs)
        elif name == "HardSigmoid": ref = F.hardsigmoid(xs)
        elif name == "HardSigmoidKeras2": ref = torch.clamp(0.2 * xs + 0.5, 0.0, 1.0)
        elif name == "LogSigmoid": ref = F.logsigmoid(xs)
        elif name == "Silu": ref = F.silu(xs)
        elif name == "HardSilu": ref = F.hardswish(xs)
        elif name == "Tanh": ref = torch.tanh(xs)
        elif name == "HardTanh": ref = F.hardtanh(xs)
        elif name == "TanhShrink": ref = F.tanhshrink(xs)
        elif name == "SoftShrink": ref = F.softshrink(xs, p["Threshold"])
        elif name == "HardShrink": ref = F.hardshrink(xs, p["Threshold"])
        elif name == "Softmax": ref = torch.softmax(xs, -1)
        elif name == "LogSoftmax": ref = torch.log_softmax(xs, -1)
        elif name == "Softplus": ref = F.softplus(xs, beta=1.0, threshold=1e9)
        elif name == "Softsign": ref = F.softsign(xs)
        elif name == "Squareplus": ref = (xs + torch.sqrt(xs * xs + p["B"])) / 2
        elif name == "Exponential": ref = torch.exp(xs)
        elif name == "Mish": ref = F.mish(xs)
        elif name == "Glu": ref = F.glu(xs, -1)
        elif name == "Threshold": ref = F.threshold(xs, p["Threshold"], p["DefaultValue"])
        elif name == "SparsePlus":
            ref = torch.tensor([[0.0 if v <= -1 else (v if v >= 1 else (v + 1) ** 2 / 4) for v in r]
                                for r in xs.tolist()])
        elif name == "SparseSigmoid":
            ref = torch.tensor([[0.0 if v <= -1 else (1.0 if v >= 1 else (v + 1) / 2) for v in r]
                                for r in xs.tolist()])
        elif name == "Sparsemax":
            ref = torch.tensor([sparsemax_numpy(r) for r in xs.tolist()])
        elif name == "Linear": ref = xs
        if ref is not None:
            fin = torch.isfinite(ref)
            if name == "Squareplus":  # naive form loses digits for large negative x
                fin &= xs.abs() < 30
            if name == "Softplus":
                fin &= xs.abs() < 700
            assert torch.allclose(y[fin], ref[fin], rtol=1e-12, atol=1e-300), cid

        # --- gradient cross-check against torch's own backward where torch has the function
        tfn = {
            "Relu": F.relu, "Relu6": lambda t: F.hardtanh(t, 0.0, 6.0),
            "LeakyRelu": lambda t: F.leaky_relu(t, p["NegativeSlope"]),
            "Elu": lambda t: F.elu(t, p["Alpha"]), "Selu": F.selu,
            "Celu": lambda t: F.celu(t, p["Alpha"]), "Gelu": F.gelu,
            "Sigmoid": torch.sigmoid, "HardSigmoid": F.hardsigmoid, "LogSigmoid": F.logsigmoid,
            "Silu": F.silu, "HardTanh": F.hardtanh, "TanhShrink": F.tanhshrink,
            "SoftShrink": lambda t: F.softshrink(t, p["Threshold"]),
            "HardShrink": lambda t: F.hardshrink(t, p["Threshold"]),
            "Softmax": lambda t: torch.softmax(t, -1), "LogSoftmax": lambda t: torch.log_softmax(t, -1),
            "Softsign": F.softsign, "Mish": F.mish, "Glu": lambda t: F.glu(t, -1),
            "Threshold": lambda t: F.threshold(t, p["Threshold"], p["DefaultValue"]),
        }.get(name)
        if tfn is not None:
            _, tg = vjp(tfn, x, up)
            # torch's hardsigmoid backward multiplies by a float32 constant 1/6
            tol = 1e-7 if name == "HardSigmoid" else 1e-10
            assert torch.allclose(g, tg, rtol=tol, atol=1e-12), (cid, g, tg)

        if name == "Softmax":
            assert torch.allclose(y.sum(-1), torch.ones(3), rtol=0, atol=1e-15)
        if name == "Sparsemax":
            assert torch.allclose(y.sum(-1), torch.ones(3), rtol=0, atol=1e-13)
            assert (y >= 0).all()
            tau = sparsemax_tau(x)
            assert float((x - tau).abs().min()) > 1e-2, "sparsemax: element too close to tau"
            s = (y > 0).double()
            jg = s * (up - (up * s).sum(-1, keepdim=True) / s.sum(-1, keepdim=True))
            assert torch.allclose(g, jg, rtol=1e-12, atol=1e-15)

        cases.append({
            "id": cid, "activation": name, "params": params, "width": int(x.shape[1]),
            "x": rows(x), "y": rows(y), "upstream": rows(up), "grad": rows(g),
        })
    assert len({c["id"] for c in cases}) == len(cases)
    print(f"activations: {len(cases)} cases, {fd_checked} finite-difference checks passed")
    return {"cases": cases}


def sparsemax_numpy(row):
    z = sorted(row, reverse=True)
    cs, k, csk = 0.0, 0, 0.0
    for i, v in enumerate(z, 1):
        cs += v
        if 1 + i * v > cs:
            k, csk = i, cs
    tau = (csk - 1) / k
    return [max(v - tau, 0.0) for v in row]


def check_kink_derivatives():
    """KERAS.md: derivatives at kinks are the torch backend's values."""
    d = deriv_at
    expect = [
        ("Relu", 0.0, {}, 0.0),
        ("LeakyRelu", 0.0, {}, f32(0.2)), ("LeakyRelu", 0.0, {"NegativeSlope": f32(0.1)}, f32(0.1)),
        ("Relu6", 0.0, {}, 0.0), ("Relu6", 6.0, {}, 0.0),
        ("HardSigmoid", -3.0, {}, 0.0), ("HardSigmoid", 3.0, {}, 0.0),
        ("HardSigmoidKeras2", -2.5, {}, 0.0), ("HardSigmoidKeras2", 2.5, {}, 0.0),
        ("HardTanh", -1.0, {}, 0.0), ("HardTanh", 1.0, {}, 0.0),
        ("SoftShrink", 0.5, {}, 0.0), ("SoftShrink", -0.5, {}, 0.0),
        ("SoftShrink", 1.0, {"Threshold": 1.0}, 0.0), ("SoftShrink", -1.0, {"Threshold": 1.0}, 0.0),
        ("HardShrink", 0.5, {}, 0.0), ("HardShrink", -0.5, {}, 0.0),
        ("HardShrink", 1.0, {"Threshold": 1.0}, 0.0), ("HardShrink", -1.0, {"Threshold": 1.0}, 0.0),
        ("Threshold", 0.5, {"Threshold": 0.5, "DefaultValue": -1.0}, 0.0),
        ("SparseSigmoid", -1.0, {}, 0.0), ("SparseSigmoid", 1.0, {}, 0.0),
        ("SparsePlus", -1.0, {}, 0.0), ("SparsePlus", 1.0, {}, 1.0),
        ("Elu", 0.0, {}, 1.0), ("Elu", 0.0, {"Alpha": 0.5}, 0.5),
        ("Selu", 0.0, {}, SELU_SCALE * SELU_ALPHA),
        ("Celu", 0.0, {}, 1.0), ("Celu", 0.0, {"Alpha": 2.0}, 1.0),
        ("HardSilu", 3.0, {}, 1.5), ("HardSilu", -3.0, {}, -0.5),
        ("Softsign", 0.0, {}, 1.0), ("LogSigmoid", 0.0, {}, 0.5), ("Sigmoid", 0.0, {}, 0.25),
        ("Softplus", 0.0, {}, 0.5), ("Squareplus", 0.0, {}, 0.5),
    ]
    for name, x0, params, want in expect:
        got = d(name, x0, params)
        assert abs(got - want) <= 1e-15 * max(1.0, abs(want)), (name, x0, params, got, want)

    # the same values from torch's own kernels (the "torch backend values")
    def tder(fn, x0):
        t = torch.tensor([x0], requires_grad=True)
        (g,) = torch.autograd.grad(fn(t).sum(), t)
        return float(g)
    assert tder(F.relu, 0.0) == 0.0
    assert tder(lambda t: F.leaky_relu(t, 0.2), 0.0) == 0.2
    assert tder(F.relu6, 0.0) == 0.0 and tder(F.relu6, 6.0) == 0.0
    assert tder(F.hardsigmoid, 3.0) == 0.0 and tder(F.hardsigmoid, -3.0) == 0.0
    assert tder(F.hardtanh, 1.0) == 0.0 and tder(F.hardtanh, -1.0) == 0.0
    assert tder(lambda t: F.softshrink(t, 0.5), 0.5) == 0.0
    assert tder(lambda t: F.hardshrink(t, 0.5), 0.5) == 0.0
    assert tder(lambda t: F.threshold(t, 0.5, -1.0), 0.5) == 0.0
    assert tder(lambda t: F.elu(t, 0.5), 0.0) == 0.5
    assert abs(tder(F.selu, 0.0) - SELU_SCALE * SELU_ALPHA) < 1e-15
    # torch's fused hardswish kernel (Keras's torch backend for hard_silu) gives 1.5 and -0.5 at +/-3.
    assert tder(F.hardswish, 3.0) == 1.5 and tder(F.hardswish, -3.0) == -0.5
    print("kink derivatives: all asserted")


# ----------------------------------------------------------------------------------------
# networks and losses
# ----------------------------------------------------------------------------------------

EPS_LO = f32(1e-7)             # 1.0000000116860974e-07
EPS_HI = 1.0 - 2.0 ** -23      # float32(1 - 1e-7)
assert EPS_LO == 1.0000000116860974e-07 and EPS_HI == f32(1 - 1e-7)

KINKED = {"Relu", "Relu6", "LeakyRelu", "Elu", "Selu", "HardSigmoid", "HardSigmoidKeras2",
          "HardSilu", "HardTanh", "SoftShrink", "HardShrink", "SparsePlus", "SparseSigmoid",
          "Threshold"}


def dense(units, act="Linear", bias=True):
    return {"type": "dense", "units": units, "activation": act, "useBias": bias}


def activation_layer(act):
    return {"type": "activation", "activation": act}


def param_count(input_size, layers):
    n_in, total = input_size, 0
    for L in layers:
        if L["type"] == "dense":
            total += n_in * L["units"] + (L["units"] if L["useBias"] else 0)
            n_in = L["units"]
        elif L["activation"] == "Glu":
            n_in //= 2
    return total


def output_size(input_size, layers):
    n = input_size
    for L in layers:
        if L["type"] == "dense":
            n = L["units"]
        if L["activation"] == "Glu":
            n //= 2
    return n


def init_parameters(rng, input_size, layers, kernel_scale=1.0):
    parts, n_in = [], input_size
    for L in layers:
        if L["type"] != "dense":
            continue
        u = L["units"]
        lim = math.sqrt(6.0 / (n_in + u)) * kernel_scale
        parts.append(rng.uniform((n_in * u,), -lim, lim))
        if L["useBias"]:
            parts.append(rng.uniform((u,), -0.1, 0.1))
        n_in = u
    return torch.cat(parts)


def forward(input_size, layers, params, x, trace=None):
    """x: [n, input_size]. Returns (output, logits of the final Softmax/Sigmoid or None).
    trace (list) receives (activation name, pre-activation) pairs for margin checks."""
    h, off, n_in = x, 0, input_size
    logits, final_act = None, None
    for L in layers:
        if L["type"] == "dense":
            u = L["units"]
            k = params[off:off + n_in * u].reshape(n_in, u)
            off += n_in * u
            z = h @ k
            if L["useBias"]:
                z = z + params[off:off + u]
                off += u
            n_in = u
        else:
            z = h
        act = L["activation"]
        if trace is not None:
            trace.append((act, z.detach()))
        logits, final_act = z, act
        h = act_apply(act, z)
        if act == "Glu":
            n_in //= 2
    assert off == params.numel()
    return h, (logits if final_act in ("Softmax", "Sigmoid") else None), final_act


def loss_fn(loss, out, logits, final_act, targets, delta=None):
    """Batch-mean loss (Keras sum_over_batch_size)."""
    n = out.shape[0]
    if loss == "MeanSquaredError":
        return ((out - targets) ** 2).mean(dim=1).mean()
    if loss == "MeanAbsoluteError":
        return (out - targets).abs().mean(dim=1).mean()
    if loss == "Huber":
        e = out - targets
        ae = e.abs()
        per = w(ae <= delta, 0.5 * e * e, delta * ae - 0.5 * delta * delta)
        return per.mean(dim=1).mean()
    if loss == "CategoricalCrossentropy":
        if final_act == "Softmax":
            return -(targets * a_log_softmax(logits, None)).sum(dim=1).mean()
        p = out / out.sum(dim=1, keepdim=True)
        p = torch.clamp(p, EPS_LO, EPS_HI)
        return -(targets * torch.log(p)).sum(dim=1).mean()
    if loss == "SparseCategoricalCrossentropy":
        idx = targets.to(torch.int64).reshape(n, 1)
        if final_act == "Softmax":
            return -torch.gather(a_log_softmax(logits, None), 1, idx).mean()
        p = out / out.sum(dim=1, keepdim=True)
        p = torch.clamp(p, EPS_LO, EPS_HI)
        return -torch.log(torch.gather(p, 1, idx)).mean()
    if loss == "BinaryCrossentropy":
        if final_act == "Sigmoid":
            # max(z, 0) - z y + log1p(exp(-|z|)) = softplus(z) - z y
            return (_softplus(logits) - logits * targets).mean(dim=1).mean()
        p = torch.clamp(out, EPS_LO, EPS_HI)
        return (-(targets * torch.log(p) + (1 - targets) * torch.log(1 - p))).mean(dim=1).mean()
    raise ValueError(loss)


def loss_and_grads(m, params, x, loss, targets, delta=None):
    pr = params.clone().requires_grad_(True)
    xr = x.clone().requires_grad_(True)
    out, logits, fa = forward(m["inputSize"], m["layers"], pr, xr)
    L = loss_fn(loss, out, logits, fa, targets, delta)
    gp, gx = torch.autograd.grad(L, (pr, xr))
    return float(L), gp.detach(), gx.detach()


def margins_ok(m, params, x, what):
    """Kinked pre-activations must stay clearly away from their kinks (float32 safety)."""
    trace = []
    forward(m["inputSize"], m["layers"], params, x, trace)
    for act, z in trace:
        if act in KINKED:
            for k in ACT[act][2](ACT[act][1]):
                dist = float((z - k).abs().min())
                assert dist > 1e-3, f"{what}: pre-activation of {act} within {dist} of kink {k}"


def fd_check_loss(m, params, x, loss, targets, delta, gp, gx, subset=None, h=1e-6):
    def f(pv, xv):
        out, logits, fa = forward(m["inputSize"], m["layers"], pv, xv)
        return float(loss_fn(loss, out, logits, fa, targets, delta))
    idx = range(params.numel()) if subset is None else subset
    fdp, an = [], []
    for i in idx:
        pp = params.clone(); pp[i] += h
        pm = params.clone(); pm[i] -= h
        fdp.append((f(pp, x) - f(pm, x)) / (2 * h))
        an.append(float(gp[i]))
    e1 = norm_rel_err(torch.tensor(fdp), torch.tensor(an))
    xf = x.reshape(-1)
    fdx = []
    for i in range(xf.numel()):
        xp = xf.clone(); xp[i] += h
        xm = xf.clone(); xm[i] -= h
        fdx.append((f(params, xp.reshape(x.shape)) - f(params, xm.reshape(x.shape))) / (2 * h))
    e2 = norm_rel_err(torch.tensor(fdx), gx.reshape(-1))
    assert e1 < 1e-6 and e2 < 1e-6, (m["name"], loss, e1, e2)
    return len(fdp) + len(fdx)


def one_hot(classes, k):
    t = torch.zeros(len(classes), k)
    t[torch.arange(len(classes)), classes] = 1.0
    return t


def make_model(name, input_size, layers, n):
    return {"name": name, "inputSize": input_size, "layers": layers, "n": n}


def reference_models():
    rng = Rng(7)
    models = []
    fd_count = 0

    def finish(m, params, x, loss_specs, fd_subset=None):
        nonlocal fd_count
        I, O, n = m["inputSize"], output_size(m["inputSize"], m["layers"]), m["n"]
        P = param_count(I, m["layers"])
        assert params.numel() == P and is_f32(params) and is_f32(x)
        margins_ok(m, params, x, m["name"])
        out, _, _ = forward(I, m["layers"], params, x)
        check_finite32(m["name"] + " outputs", out)
        entry = dict(m)
        entry.update({"parameterCount": P, "parameters": flat(params), "n": n,
                      "inputs": flat(x), "outputs": flat(out), "losses": []})
        for spec in loss_specs:
            loss, targets = spec["loss"], spec["targets"]
            delta = spec.get("delta")
            assert is_f32(targets)
            _, logits, fa = forward(I, m["layers"], params, x)
            e = out - targets if targets.shape == out.shape else None
            if loss == "MeanAbsoluteError":
                assert float(e.abs().min()) > 1e-3
            if loss == "Huber":
                assert float((e.abs() - delta).abs().min()) > 1e-3
            if loss in ("CategoricalCrossentropy", "BinaryCrossentropy") and fa not in ("Softmax", "Sigmoid"):
                p = out / out.sum(1, keepdim=True) if loss == "CategoricalCrossentropy" else out
                assert float(out.sum(1).min()) > 0
                # every probability is either exactly 0 or 1 (clipped, also in float32) or
                # clearly inside the clip range
                exact = (p == 0) | (p == 1)
                assert bool((exact | ((p > 1e-4) & (p < 1 - 1e-4))).all()), (m["name"], p)
            L, gp, gx = loss_and_grads(m, params, x, loss, targets, delta)
            assert math.isfinite(L)
            check_finite32("grad", gp)
            check_finite32("grad", gx)
            if fd_subset != "skip":
                fd_count += fd_check_loss(m, params, x, loss, targets, delta, gp, gx,
                                          subset=fd_subset,
                                          h=1e-5 if m["name"].startswith("Saturated") else 1e-6)
            rec = {"loss": loss}
            if loss == "Huber":
                rec["delta"] = delta
            rec.update({"targets": flat(targets), "value": L,
                        "parameterGradient": flat(gp), "inputGradient": flat(gx)})
            entry["losses"].append(rec)
        # key order as in the brief
        order = ["name", "inputSize", "layers", "parameterCount", "parameters", "n", "inputs",
                 "outputs", "losses"]
        models.append({k: entry[k] for k in order})

    # IrisLike
    m = make_model("IrisLike", 4, [dense(16, "Relu"), dense(3, "Softmax")], 5)
    params = init_parameters(rng, 4, m["layers"])
    x = rng.uniform((5, 4), -2.0, 2.0)
    cls = rng.ints(5, 3)
    oh = one_hot(cls, 3)
    reg = rng.uniform((5, 3), -1.0, 2.0)
    finish(m, params, x, [
        {"loss": "CategoricalCrossentropy", "targets": oh},
        {"loss": "SparseCategoricalCrossentropy", "targets": cls.double()},
        {"loss": "MeanSquaredError", "targets": reg},
        {"loss": "MeanAbsoluteError", "targets": reg},
        {"loss": "Huber", "delta": 1.0, "targets": reg},
        {"loss": "Huber", "delta": 0.5, "targets": reg},
    ])

    # Scorer
    m = make_model("Scorer", 8, [dense(8, "Linear", False), activation_layer("Tanh"),
                                 dense(1, "Sigmoid")], 4)
    params = init_parameters(rng, 8, m["layers"])
    x = rng.uniform((4, 8), -2.0, 2.0)
    finish(m, params, x, [
        {"loss": "BinaryCrossentropy", "targets": torch.tensor([[1.0], [0.0], [0.0], [1.0]])},
        {"loss": "MeanSquaredError", "targets": rng.uniform((4, 1), 0.0, 1.0)},
    ])

    # Deep
    m = make_model("Deep", 6, [dense(10, "Elu"), dense(7, "Gelu"), dense(5, "Selu"),
                               dense(4, "LogSoftmax")], 3)
    params = init_parameters(rng, 6, m["layers"])
    x = rng.uniform((3, 6), -2.0, 2.0)
    t = rng.uniform((3, 4), -4.0, 0.5)
    finish(m, params, x, [
        {"loss": "MeanSquaredError", "targets": t},
        {"loss": "Huber", "delta": 1.0, "targets": t},
    ])

    # Wide
    m = make_model("Wide", 40, [dense(300, "Silu"), dense(20, "Tanh"), dense(10, "Linear")], 3)
    params = init_parameters(rng, 40, m["layers"])
    x = rng.uniform((3, 40), -2.0, 2.0)
    t = rng.uniform((3, 10), -2.0, 2.0)
    sub = sorted(set(rng.perm(params.numel())[:150].tolist()) | set(range(params.numel() - 30, params.numel())))
    finish(m, params, x, [
        {"loss": "MeanSquaredError", "targets": t},
        {"loss": "MeanAbsoluteError", "targets": t},
    ], fd_subset=sub)

    # Regress
    m = make_model("Regress", 8, [dense(64, "Silu"), dense(64, "Silu"), dense(1, "Linear")], 4)
    params = init_parameters(rng, 8, m["layers"])
    x = rng.uniform((4, 8), -2.0, 2.0)
    t = rng.uniform((4, 1), -2.0, 2.0)
    sub = sorted(set(rng.perm(params.numel())[:300].tolist()) | set(range(params.numel() - 65, params.numel())))
    finish(m, params, x, [
        {"loss": "MeanSquaredError", "targets": t},
        {"loss": "Huber", "delta": 1.0, "targets": t},
    ], fd_subset=sub)

    # SigmoidCce
    m = make_model("SigmoidCce", 3, [dense(4, "Sigmoid")], 4)
    params = init_parameters(rng, 3, m["layers"])
    x = rng.uniform((4, 3), -2.0, 2.0)
    finish(m, params, x, [
        {"loss": "CategoricalCrossentropy", "targets": one_hot(torch.tensor([0, 3, 1, 2]), 4)},
        {"loss": "BinaryCrossentropy",
         "targets": torch.tensor([[1.0, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0], [0, 0, 1, 1]])},
    ])

    # HardOut: saturated hard sigmoid outputs (exact 0 and 1)
    m = make_model("HardOut", 3, [dense(2, "HardSigmoid")], 6)
    hrng = Rng(1234)
    for attempt in range(10000):
        params = torch.cat([hrng.uniform((6,), -2.5, 2.5), hrng.uniform((2,), -0.1, 0.1)])
        x = hrng.uniform((6, 3), -2.0, 2.0)
        z = x @ params[:6].reshape(3, 2) + params[6:]
        out = a_hard_sigmoid(z, None)
        zeros, ones = int((out == 0).sum()), int((out == 1).sum())
        inner = int(((out > 0) & (out < 1)).sum())
        if (zeros >= 2 and ones >= 2 and inner >= 4 and float(out.sum(1).min()) > 0.05
                and float(torch.min((z - 3).abs().min(), (z + 3).abs().min())) > 0.05
                and bool(((out == 0).any(1) & (out > 0).any(1) & (out < 1).all(1)).any())):
            break
    else:
        raise RuntimeError("HardOut: no parameters found")
    # targets: put class 1-targets on clipped-zero entries for some rows
    # CCE targets: the first row holding a p = 0 entry targets that entry (loss -log(1e-7), zero
    # gradient); other rows alternate between their smallest and largest output.
    cls, zero_rows = [], 0
    for r in range(6):
        o = out[r]
        if (o == 0).any():
            zero_rows += 1
            cls.append(int((o == 0).nonzero()[0]) if zero_rows == 1 else int(torch.argmax(o)))
        else:
            cls.append(int(torch.argmin(o)) if r % 2 == 0 else int(torch.argmax(o)))
    assert any(float(out[r, cls[r]]) == 0.0 for r in range(6))
    bce_t = torch.tensor([[float((r + c) % 2) for c in range(2)] for r in range(6)])
    finish(m, params, x, [
        {"loss": "BinaryCrossentropy", "targets": bce_t},
        {"loss": "CategoricalCrossentropy", "targets": one_hot(torch.tensor(cls), 2)},
    ])

    # Saturated softmax: logits around +/-1000
    m = make_model("Saturated", 2, [dense(3, "Softmax")], 3)
    srng = Rng(99)
    kern = srng.uniform((6,), -500.0, 500.0)
    bias = srng.uniform((3,), -0.1, 0.1)
    params = torch.cat([kern, bias])
    x = torch.cat([srng.uniform((1, 2), -0.01, 0.01),
                   torch.tensor([[2.0, -1.5], [-1.75, 1.25]])])
    z = x @ kern.reshape(2, 3) + bias
    assert float(z[1:].abs().max()) > 700 and float(z[0].abs().max()) < 10, z
    cls = torch.tensor([int(torch.argmax(z[0])), int(torch.argmin(z[1])), int(torch.argmax(z[2]))])
    finish(m, params, x, [
        {"loss": "CategoricalCrossentropy", "targets": one_hot(cls, 3)},
        {"loss": "SparseCategoricalCrossentropy", "targets": cls.double()},
    ])

    m = make_model("SaturatedSigmoid", 2, [dense(2, "Sigmoid")], 3)
    kern = srng.uniform((4,), -500.0, 500.0)
    bias = srng.uniform((2,), -0.1, 0.1)
    params = torch.cat([kern, bias])
    x = torch.cat([srng.uniform((1, 2), -0.01, 0.01),
                   torch.tensor([[2.0, -1.5], [-1.75, 1.25]])])
    z = x @ kern.reshape(2, 2) + bias
    assert float(z[1:].abs().max()) > 700 and float(z[0].abs().max()) < 10, z
    t = torch.tensor([[1.0, 0.0], [float(z[1, 0] < 0), float(z[1, 1] > 0)],
                      [float(z[2, 0] > 0), float(z[2, 1] < 0)]])  # row 1 right/wrong, row 2 mixed
    finish(m, params, x, [{"loss": "BinaryCrossentropy", "targets": t}])

    print(f"models: {len(models)} models, {fd_count} finite-difference checks passed")
    return {"models": models}


# ----------------------------------------------------------------------------------------
# optimizers (KERAS.md "Optimizers")
# ----------------------------------------------------------------------------------------

DEFAULT_ARGS = {
    "Sgd": {"learningRate": 0.01, "momentum": 0.0, "nesterov": False},
    "Adam": {"learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7, "amsgrad": False},
    "AdamW": {"learningRate": 0.001, "weightDecay": 0.004, "beta1": 0.9, "beta2": 0.999,
              "epsilon": 1e-7, "amsgrad": False},
    "RmsProp": {"learningRate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7,
                "centered": False},
}


def full_args(opt, given):
    a = dict(DEFAULT_ARGS[opt])
    a.update(given)
    # hyperparameters as the float32 values the C# side uses
    return {k: (v if isinstance(v, bool) else f32(v)) for k, v in a.items()}


class KerasOptimizer:
    def __init__(self, opt, args):
        self.opt, self.a, self.t, self.state = opt, args, 0, {}

    def step(self, p, g):
        a, s = self.a, self.state
        p = p.clone()
        self.t += 1
        t = self.t
        lr = a["learningRate"]
        if self.opt == "AdamW" and a["weightDecay"] != 0:
            p = p - p * a["weightDecay"] * lr
        if self.opt == "Sgd":
            mu = a["momentum"]
            if mu == 0:
                return p - lr * g
            m = s.get("m", torch.zeros_like(p))
            m = mu * m - lr * g
            s["m"] = m
            return p + (mu * m - lr * g if a["nesterov"] else m)
        if self.opt in ("Adam", "AdamW"):
            b1, b2, eps = a["beta1"], a["beta2"], a["epsilon"]
            m = s.get("m", torch.zeros_like(p))
            v = s.get("v", torch.zeros_like(p))
            alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            m = m + (g - m) * (1 - b1)
            v = v + (g * g - v) * (1 - b2)
            s["m"], s["v"] = m, v
            if a["amsgrad"]:
                vh = torch.maximum(s.get("vhat", torch.zeros_like(p)), v)
                s["vhat"] = vh
                v = vh
            return p - alpha * m / (torch.sqrt(v) + eps)
        if self.opt == "RmsProp":
            rho, mu, eps = a["rho"], a["momentum"], a["epsilon"]
            v = rho * s.get("v", torch.zeros_like(p)) + (1 - rho) * g * g
            s["v"] = v
            if a["centered"]:
                ag = rho * s.get("a", torch.zeros_like(p)) + (1 - rho) * g
                s["a"] = ag
                denom = v - ag * ag + eps
            else:
                denom = v + eps
            inc = lr * g / torch.sqrt(denom)
            if mu > 0:
                mom = mu * s.get("mom", torch.zeros_like(p)) + inc
                s["mom"] = mom
                return p - mom
            return p - inc
        raise ValueError(self.opt)


def torch_optimizer_crosscheck(opt, args, initial, grads, ours):
    """With epsilon = 0 Keras's and PyTorch's update rules coincide: check ours against torch.optim."""
    a = dict(args)
    if "epsilon" in a:
        a["epsilon"] = 0.0
    mine = KerasOptimizer(opt, a)
    p = initial.clone()
    mine_steps = []
    for g in grads:
        p = mine.step(p, g)
        mine_steps.append(p)
    tp = torch.nn.Parameter(initial.clone())
    if opt == "Sgd":
        o = torch.optim.SGD([tp], lr=a["learningRate"], momentum=a["momentum"], nesterov=a["nesterov"])
    elif opt == "Adam":
        o = torch.optim.Adam([tp], lr=a["learningRate"], betas=(a["beta1"], a["beta2"]), eps=0.0,
                             amsgrad=a["amsgrad"])
    elif opt == "AdamW":
        o = torch.optim.AdamW([tp], lr=a["learningRate"], betas=(a["beta1"], a["beta2"]), eps=0.0,
                              amsgrad=a["amsgrad"], weight_decay=a["weightDecay"])
    else:
        o = torch.optim.RMSprop([tp], lr=a["learningRate"], alpha=a["rho"], eps=0.0,
                                momentum=a["momentum"], centered=a["centered"])
    for g, want in zip(grads, mine_steps):
        o.zero_grad()
        tp.grad = g.clone()
        o.step()
        assert torch.allclose(tp.detach(), want, rtol=1e-12, atol=1e-14), (opt, args)
    if "epsilon" in args:  # and epsilon really enters our result
        assert not torch.equal(mine_steps[-1], ours[-1])


OPT_CASES = [
    ("Sgd_default", "Sgd", {}),
    ("Sgd_lr0.1_momentum0.9", "Sgd", {"learningRate": 0.1, "momentum": 0.9}),
    ("Sgd_lr0.1_momentum0.9_nesterov", "Sgd", {"learningRate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam_default", "Adam", {}),
    ("Adam_lr0.01_b0.8_0.99_eps1e-6", "Adam",
     {"learningRate": 0.01, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6}),
    ("Adam_lr0.01_amsgrad", "Adam", {"learningRate": 0.01, "amsgrad": True}),
    ("AdamW_default", "AdamW", {}),
    ("AdamW_lr0.01_wd0.1", "AdamW", {"learningRate": 0.01, "weightDecay": 0.1}),
    ("RmsProp_default", "RmsProp", {}),
    ("RmsProp_lr0.01_momentum0.9", "RmsProp", {"learningRate": 0.01, "momentum": 0.9}),
    ("RmsProp_centered", "RmsProp", {"centered": True}),
    ("RmsProp_lr0.01_centered_momentum0.5", "RmsProp",
     {"learningRate": 0.01, "centered": True, "momentum": 0.5}),
]


def reference_optimizers():
    rng = Rng(31337)
    cases = []
    for cid, opt, given in OPT_CASES:
        args = full_args(opt, given)
        initial = rng.uniform((10,), -1.0, 1.0)
        if args.get("amsgrad"):
            g0 = rng.uniform((10,), 0.5, 1.0) * torch.sign(rng.uniform((10,), -1.0, 1.0))
            grads = [g0, (g0 * f32(0.01)).float().double(), (g0 * f32(0.001)).float().double()]
        else:
            grads = [rng.uniform((10,), -1.0, 1.0) for _ in range(3)]
        assert all(is_f32(g) for g in grads) and is_f32(initial)
        o = KerasOptimizer(opt, args)
        p, steps = initial, []
        for g in grads:
            p = o.step(p, g)
            steps.append(p)
        if args.get("amsgrad"):
            plain = KerasOptimizer(opt, {**args, "amsgrad": False})
            q = initial
            for g in grads:
                q = plain.step(q, g)
            assert (q - p).abs().min() > 1e-6, "amsgrad made no difference"
        torch_optimizer_crosscheck(opt, args, initial, grads, steps)
        cases.append({"id": cid, "optimizer": opt, "args": args, "initial": flat(initial),
                      "gradients": [flat(g) for g in grads], "steps": [flat(s) for s in steps]})
    print(f"optimizers: {len(cases)} cases (cross-checked against torch.optim with epsilon = 0)")
    return {"cases": cases}


# ----------------------------------------------------------------------------------------
# training
# ----------------------------------------------------------------------------------------

IRIS_LAYERS = [dense(16, "Relu"), dense(3, "Softmax")]
REGRESS_LAYERS = [dense(64, "Silu"), dense(64, "Silu"), dense(1, "Linear")]


def reference_training():
    rng = Rng(4242)
    iris = make_model("IrisLike", 4, IRIS_LAYERS, 8)
    p0 = init_parameters(rng, 4, IRIS_LAYERS)
    x = rng.uniform((8, 4), -2.0, 2.0)
    targets = one_hot(torch.tensor([0, 1, 2, 0, 1, 2, 2, 1]), 3)
    reg = make_model("Regress", 8, REGRESS_LAYERS, 8)
    rp0 = init_parameters(rng, 8, REGRESS_LAYERS)
    rx = rng.uniform((8, 8), -2.0, 2.0)
    rt = rng.uniform((8, 1), -2.0, 2.0)

    specs = [
        ("IrisLike_Adam_lr0.01", iris, "CategoricalCrossentropy", "Adam", {"learningRate": 0.01}, p0, x, targets),
        ("IrisLike_Sgd_lr0.1_momentum0.9_nesterov", iris, "CategoricalCrossentropy", "Sgd",
         {"learningRate": 0.1, "momentum": 0.9, "nesterov": True}, p0, x, targets),
        ("IrisLike_RmsProp_lr0.01_centered", iris, "CategoricalCrossentropy", "RmsProp",
         {"learningRate": 0.01, "centered": True}, p0, x, targets),
        ("IrisLike_AdamW_lr0.01", iris, "CategoricalCrossentropy", "AdamW", {"learningRate": 0.01}, p0, x, targets),
        ("Regress_MeanSquaredError_Adam_default", reg, "MeanSquaredError", "Adam", {}, rp0, rx, rt),
    ]
    cases = []
    for cid, m, loss, opt, given, init, xi, ti in specs:
        args = full_args(opt, given)
        o = KerasOptimizer(opt, args)
        p, losses, params_after = init, [], []
        for step in range(3):
            margins_ok(m, p, xi, cid + f" step {step + 1}")
            L, gp, _ = loss_and_grads(m, p, xi, loss, ti)
            losses.append(L)
            p = o.step(p, gp)
            check_finite32(cid, p)
            params_after.append(flat(p))
        cases.append({"id": cid, "model": m["name"], "loss": loss, "optimizer": opt, "args": args,
                      "initialParameters": flat(init), "inputs": flat(xi), "targets": flat(ti),
                      "n": m["n"], "losses": losses, "parameters": params_after})
    print(f"training: {len(cases)} cases")
    return {"cases": cases}


# ----------------------------------------------------------------------------------------
# data sets
# ----------------------------------------------------------------------------------------

def write_datasets():
    from sklearn.datasets import load_digits, load_iris
    iris = load_iris()
    assert iris.data.shape == (150, 4)
    path = os.path.join(DATA, "iris.csv")
    with open(path, "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["sepal_length", "sepal_width", "petal_length", "petal_width", "label"])
        for row, label in zip(iris.data, iris.target):
            wr.writerow([repr(float(v)) for v in row] + [int(label)])
    os.makedirs(SAMPLES_DATA, exist_ok=True)
    shutil.copyfile(path, os.path.join(SAMPLES_DATA, "iris.csv"))
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes) and samples/data/iris.csv")

    # The digits are sample data only (samples/Digits trains on them, samples/AotInference classifies their test split).
    digits = load_digits()
    assert digits.data.shape == (1797, 64)
    path = os.path.join(SAMPLES_DATA, "digits.csv")
    with open(path, "w", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow([f"p{i}" for i in range(64)] + ["label"])
        for row, label in zip(digits.data, digits.target):
            assert all(float(v).is_integer() and 0 <= v <= 16 for v in row)
            wr.writerow([int(v) for v in row] + [int(label)])
    print(f"wrote {os.path.relpath(path, ROOT)} ({os.path.getsize(path)} bytes)")


def main():
    os.makedirs(DATA, exist_ok=True)
    check_kink_derivatives()
    write_json("activations.json", reference_activations())
    write_json("models.json", reference_models())
    write_json("optimizers.json", reference_optimizers())
    write_json("training.json", reference_training())
    write_datasets()


if __name__ == "__main__":
    main()
