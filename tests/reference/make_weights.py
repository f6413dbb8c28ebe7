#!/usr/bin/env python3
"""Writes the reference networks' parameters (from models.json, made by make_reference.py with torch) as weights files, in
the three formats [Model(Weights = ...)] reads, for the embedded-weights tests:

  IrisLike -> iris_like.safetensors  one F32 tensor per Keras weight (dense/kernel [4,16], dense/bias [16], ...), as a
                                     Keras/safetensors export lays them out, with a __metadata__ entry and header padding
  Scorer   -> scorer.bin             raw little-endian float32 (a TensorFlow.js weights.bin)
  Deep     -> deep.mgw               ModelGen's MGW1 format, its CRC-32 from zlib (independent of ModelGen's own)

Standard library only. Run from the repository root: python3 tests/reference/make_weights.py
"""
import json
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "ModelGen.Tests", "Data")
OUT = os.path.join(DATA, "weights")


def floats(values):
    return struct.pack("<%df" % len(values), *values)


def tensors(model):
    """Kernel then bias of each dense layer, named as Keras names them."""
    width, offset, index, out = model["inputSize"], 0, 0, []
    for layer in model["layers"]:
        if layer["type"] != "dense":
            continue
        units = layer["units"]
        name = "dense" if index == 0 else "dense_%d" % index
        kernel = model["parameters"][offset:offset + width * units]
        out.append((name + "/kernel", [width, units], kernel))
        offset += width * units
        if layer["useBias"]:
            out.append((name + "/bias", [units], model["parameters"][offset:offset + units]))
            offset += units
        width, index = units, index + 1
    assert offset == model["parameterCount"], (model["name"], offset)
    return out


def safetensors(model):
    header, data, offset = {}, b"", 0
    for name, shape, values in tensors(model):
        blob = floats(values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        data += blob
        offset += len(blob)
    header["__metadata__"] = {"format": "keras", "source": "tests/reference/make_weights.py"}
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def mgw(model, outputs):
    data = floats(model["parameters"])
    header = b"MGW1" + struct.pack("<5I", 1, model["parameterCount"], model["inputSize"], outputs, zlib.crc32(data) & 0xFFFFFFFF)
    return header + data


def main():
    with open(os.path.join(DATA, "models.json")) as f:
        models = {m["name"]: m for m in json.load(f)["models"]}
    os.makedirs(OUT, exist_ok=True)
    files = {
        "iris_like.safetensors": safetensors(models["IrisLike"]),
        "scorer.bin": floats(models["Scorer"]["parameters"]),
        "deep.mgw": mgw(models["Deep"], models["Deep"]["layers"][-1]["units"]),
    }
    for name, blob in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)
        print(name, len(blob), "bytes")


if __name__ == "__main__":
    main()
