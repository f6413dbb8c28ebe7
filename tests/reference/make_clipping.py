#!/usr/bin/env python3
"""Float64 reference data for gradient clipping (Keras 3 clipnorm, global_clipnorm, clipvalue).

Run from the repository root:

    /usr/bin/python3 tests/reference/make_clipping.py

Writes tests/ModelGen.Tests/Data/clipping.json. The formulas are Keras 3's
(keras/src/optimizers/base_optimizer.py): one rule per step, clipnorm, else global_clipnorm,
else clipvalue.
- clipnorm, per weight tensor (_clip_by_norm): l2norm = sqrt(sum g^2) (0 for an all-zero
  tensor); g * c / max(l2norm, c).
- global_clipnorm (clip_by_global_norm): n = sqrt(sum over all tensors of sum g^2);
  scale = c * min(1 / n, 1 / c); g * scale.
- clipvalue: clip(g, -v, v).
Gradients are float32 values (the C# side starts from the same floats). Deterministic.
"""

import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

OUT = os.path.join("tests", "ModelGen.Tests", "Data", "clipping.json")


def f32(values):
    return torch.tensor(np.asarray(values, dtype=np.float32).astype(np.float64))


def clip_by_norm(g, c):
    l2sum = (g * g).sum()
    l2norm = torch.sqrt(l2sum) if l2sum > 0 else l2sum
    return g * c / torch.maximum(l2norm, torch.tensor(c))


def clip_by_global_norm(tensors, c):
    n = torch.sqrt(sum((g * g).sum() for g in tensors))
    scale = c * torch.minimum(1.0 / n, torch.tensor(1.0 / c))
    return [g * scale for g in tensors]


def clip(tensors, mode, c):
    if mode == "clipnorm":
        return [clip_by_norm(g, c) for g in tensors]
    if mode == "global_clipnorm":
        return clip_by_global_norm(tensors, c)
    return [torch.clamp(g, -c, c) for g in tensors]


def main():
    rng = np.random.default_rng(20261123)
    # The tensors of a 4 -> 6 -> 3 network (kernel, bias, kernel, bias), one of them all zero, one with large entries.
    sizes = [24, 6, 18, 3]
    tensors = [f32(rng.normal(0.0, 0.4, size=n)) for n in sizes]
    tensors[1] = f32(np.zeros(6))
    tensors[2] = f32(rng.normal(0.0, 3.0, size=18))
    cases = []
    for mode, c in [("clipnorm", 1.0), ("clipnorm", 0.25), ("clipnorm", 100.0),
                    ("global_clipnorm", 1.0), ("global_clipnorm", 100.0),
                    ("clipvalue", 0.5), ("clipvalue", 100.0)]:
        clipped = clip(tensors, mode, c)
        cases.append({
            "mode": mode,
            "c": c,
            "clipped": [float(v) for t in clipped for v in t.tolist()],
        })
    data = {
        "sizes": sizes,
        "gradient": [float(v) for t in tensors for v in t.tolist()],
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
