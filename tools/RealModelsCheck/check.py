#!/usr/bin/python3
"""Outside check of the saved-model path against a folder of real model files (default: $MODELGEN_REAL_MODELS).

Builds a throwaway project (in a temporary folder, never in the repository) that declares every h5_/h5w_/keras_ case as
[Model("...")] (or [Model(Json=..., Weights=...)] for h5w_), runs Predict on each case's 8 input rows and compares with the
expected outputs within the case's tolerance; then builds one project per neg_h5_/neg_keras_ case and reports the
generator's errors. Cases that do not compile are reported with their diagnostics and left out of the run.

Usage: python3 tools/RealModelsCheck/check.py [folder]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MODELGEN_REAL_MODELS")
if not folder or not os.path.isdir(folder):
    print("NOT RUN: give the real-models folder as an argument or in MODELGEN_REAL_MODELS")
    sys.exit(1)

CSPROJ = """<Project Sdk="Microsoft.NET.Sdk">
  <Import Project="{repo}/src/ModelGen/build/ModelGen.targets" />
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="{repo}/src/ModelGen/ModelGen.csproj" />
    <ProjectReference Include="{repo}/generator/ModelGen.Generator/ModelGen.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
{items}
  </ItemGroup>
</Project>
"""


def case_files(case):
    d = os.path.join(folder, case)
    files = sorted(f for f in os.listdir(d) if not f.endswith(".io.json"))
    return d, files


def declaration(case, cls):
    d, files = case_files(case)
    models = [f for f in files if f.endswith((".h5", ".keras"))]
    if case.startswith("h5w_"):
        arch = [f for f in files if f.endswith(".json")][0]
        return f'[Model(Json = "{d}/{arch}", Weights = "{d}/{models[0]}")] public partial class {cls} {{ }}', [f"{d}/{arch}", f"{d}/{models[0]}"]
    return f'[Model("{d}/{models[0]}")] public partial class {cls} {{ }}', [f"{d}/{models[0]}"]


def build(directory, classes, body):
    items = "\n".join(f'    <AdditionalFiles Include="{f}" />' for _, _, files in classes for f in files)
    with open(os.path.join(directory, "Check.csproj"), "w") as fh:
        fh.write(CSPROJ.format(repo=REPO, items=items))
    with open(os.path.join(directory, "Program.cs"), "w") as fh:
        fh.write("using ModelGen;\n" + body + "\n" + "\n".join(decl for _, decl, _ in classes) + "\n")
    r = subprocess.run(["dotnet", "build", "-c", "Release", directory], capture_output=True, text=True, timeout=900)
    errors = sorted(set(re.findall(r"error (MGEN\d+|CS\d+): (.*?) \[", r.stdout)))
    return r.returncode == 0, errors


cases = sorted(c for c in os.listdir(folder) if c.startswith(("h5_", "h5w_", "keras_")))
negatives = sorted(c for c in os.listdir(folder) if c.startswith(("neg_h5_", "neg_keras_")))
cls_of = {c: "C" + re.sub(r"\W", "_", c) for c in cases + negatives}

results = {}
with tempfile.TemporaryDirectory() as tmp:
    remaining = list(cases)
    for attempt in range(len(cases) + 1):
        classes = [(c, *declaration(c, cls_of[c])) for c in remaining]
        body = "var io = new Dictionary<string, Action<float[], float[]>> {\n" + "".join(
            f'  ["{c}"] = (i, o) => {cls_of[c]}.Predict(i, o),\n' for c in remaining) + "};\n" + """
foreach (var (name, predict) in io) {
    var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(args[0], name, name + ".io.json"))).RootElement;
    var input = doc.GetProperty("inputs").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => (float)v.GetDouble()).ToArray();
    var expected = doc.GetProperty("outputs").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
    double rel = doc.GetProperty("tolerance").GetProperty("rel").GetDouble(), abs = doc.GetProperty("tolerance").GetProperty("abs").GetDouble();
    var output = new float[expected.Length];
    predict(input, output);
    double worst = 0; int bad = 0;
    for (int k = 0; k < expected.Length; k++) { double d = Math.Abs(output[k] - expected[k]); worst = Math.Max(worst, d); if (d > abs + rel * Math.Abs(expected[k])) bad++; }
    Console.WriteLine($"RESULT {name} {(bad == 0 ? "MATCH" : "MISMATCH")} max|diff|={worst:G3} ({bad} of {expected.Length} outside rel {rel:G2} / abs {abs:G2})");
}
"""
        ok, errors = build(tmp, classes, body)
        if ok:
            r = subprocess.run(["dotnet", os.path.join(tmp, "bin", "Release", "net10.0", "Check.dll"), folder], capture_output=True, text=True, timeout=600)
            if "RESULT " not in r.stdout:
                print("the run printed no results:", r.stdout[-3000:], r.stderr[-3000:])
            for line in r.stdout.splitlines():
                if line.startswith("RESULT "):
                    _, name, rest = line.split(" ", 2)
                    results[name] = rest
            break
        failed = {c for c in remaining for code, msg in errors if f"'{cls_of[c]}'" in msg}
        for c in failed:
            results[c] = "REFUSED " + "; ".join(f"{code}: {msg}" for code, msg in errors if f"'{cls_of[c]}'" in msg)
        if not failed:
            print("build failed without a model error:", errors)
            break
        remaining = [c for c in remaining if c not in failed]

    for c in negatives:
        with tempfile.TemporaryDirectory() as one:
            ok, errors = build(one, [(c, *declaration(c, cls_of[c]))], "")
            results[c] = "COMPILED (not refused!)" if ok else "REFUSED " + "; ".join(f"{code}: {msg}" for code, msg in errors)

for c in cases + negatives:
    print(f"{c}: {results.get(c, 'not run')}")
