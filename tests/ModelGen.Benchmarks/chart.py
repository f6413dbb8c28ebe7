#!/usr/bin/env python3
"""Draws ns/sample per model for ModelGen and the three baselines from a BenchmarkDotNet CSV report.

Usage: python3 tests/ModelGen.Benchmarks/chart.py results/ModelGen.Benchmarks.ModelBenchmarks-report.csv docs/benchmarks.svg
Standard library only. One panel per category (batch-1 forward, batch-256 forward per sample, training step), log scale.
"""
import csv
import math
import re
import sys

UNITS = {"ns": 1.0, "us": 1e3, "μs": 1e3, "µs": 1e3, "ms": 1e6, "s": 1e9}
VARIANTS = [("ModelGen", "#1f77b4"), ("Vector", "#2ca02c"), ("TensorPrimitives", "#ff7f0e"), ("Naive", "#d62728")]
PANELS = [("Forward1", "batch-1 forward (ns per sample)"), ("Forward256", "batch-256 forward (ns per sample)"), ("TrainStep32", "training step, batch 32, Adam (ns per step)")]
MODELS = ["xor", "iris", "digits", "regress", "mnist", "wide"]


def nanoseconds(text):
    m = re.match(r"\s*([\d,.]+)\s*(\S+)", text)
    if not m:
        return None
    return float(m.group(1).replace(",", "")) * UNITS[m.group(2)]


def load(path):
    data = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            method = row["Method"]
            variant, category = method.rsplit("_", 1)
            value = nanoseconds(row.get("Median") or row["Mean"])
            if value is not None:
                data[(category, row["Model"], variant)] = value
    return data


def svg(data):
    width, panel_h, top, left = 980, 250, 40, 70
    top = 56
    height = top + len(PANELS) * (panel_h + 50)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           '<text x="10" y="22" font-size="15" font-weight="bold">ModelGen vs hand-written baselines (median, log scale; lower is faster)</text>']
    for i, (name, _) in enumerate(VARIANTS):
        out.append(f'<rect x="{10 + i * 150}" y="32" width="12" height="12" fill="{VARIANTS[i][1]}"/><text x="{26 + i * 150}" y="43">{name}</text>')
    for p, (category, title) in enumerate(PANELS):
        y0 = top + p * (panel_h + 50) + 20
        values = [v for (c, _, _), v in data.items() if c == category]
        if not values:
            continue
        lo = 10 ** math.floor(math.log10(min(values)))
        hi = 10 ** math.ceil(math.log10(max(values)))
        plot_w = width - left - 20
        out.append(f'<text x="{left}" y="{y0 - 6}" font-weight="bold">{title}</text>')
        def ypos(v):
            return y0 + panel_h - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * panel_h
        decade = lo
        while decade <= hi:
            yy = ypos(decade)
            out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
            label = f"{decade:g}"
            out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{label}</text>')
            decade *= 10
        group = plot_w / len(MODELS)
        bar = group / (len(VARIANTS) + 1)
        for m, model in enumerate(MODELS):
            gx = left + m * group
            out.append(f'<text x="{gx + group / 2:.1f}" y="{y0 + panel_h + 16}" text-anchor="middle">{model}</text>')
            for v, (variant, color) in enumerate(VARIANTS):
                value = data.get((category, model, variant))
                if value is None:
                    continue
                x = gx + bar / 2 + v * bar
                yy = ypos(value)
                out.append(f'<rect x="{x:.1f}" y="{yy:.1f}" width="{bar * 0.9:.1f}" height="{y0 + panel_h - yy:.1f}" fill="{color}"><title>{model} {variant}: {value:,.1f} ns</title></rect>')
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(svg(load(sys.argv[1])))
