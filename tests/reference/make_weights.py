#!/usr/bin/env python3
"""Writes the reference networks' parameters (from models.json, made by make_reference.py with torch) as weights files, in
the three formats [Model(Weights = ...)] reads, for the embedded-weights tests:

  IrisLike -> iris_like.safetensors  one F32 tensor per Keras weight (dense/kernel [4,16], dense/bias [16], ...), as a
                                     Keras/safetensors export lays them out, with a __metadata__ entry and header padding
  Scorer   -> scorer.bin             raw little-endian float32 (a TensorFlow.js weights.bin)
  Deep     -> deep.mgw               ModelGen's MGW1 format, its CRC-32 from zlib (independent of ModelGen's own)
  IrisLike -> iris_like.torch.safetensors  as safetensors.torch.save_file(nn.Sequential(...).state_dict()) writes it:
                                     nn.Linear weights [out, in] (the kernel transposed) named 0.weight, 2.weight, and the
                                     data sorted by name, so 0.bias comes before 0.weight

It also writes the same networks as JSON declarations, one per format family, in the exact shape those tools write:
  IrisLike -> iris_like.keras.json   Keras 3 model.to_json() (module/class_name/config/registered_name, DTypePolicy)
  Scorer   -> scorer.model.json      TensorFlow.js layers model (tf.keras 2 topology plus a weightsManifest naming scorer.bin)
  Deep     -> deep.modelgen.json     ModelGen's compact format (docs/modelgen-model.schema.json)

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


def torch_safetensors(model):
    """nn.Sequential(Linear, ReLU, Linear, ...) state_dict: index = position in the Sequential (activations take a slot)."""
    entries, position = {}, 0
    for name, shape, values in tensors(model):
        if name.endswith("/kernel"):
            rows, cols = shape
            transposed = [values[i * cols + j] for j in range(cols) for i in range(rows)]
            entries["%d.weight" % position] = ([cols, rows], transposed)
        else:
            entries["%d.bias" % position] = (shape, values)
            position += 2
    header, data, offset = {}, b"", 0
    for name in sorted(entries):  # the safetensors writer orders same-dtype tensors by name
        shape, values = entries[name]
        blob = floats(values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        data += blob
        offset += len(blob)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def mgw(model, outputs):
    data = floats(model["parameters"])
    header = b"MGW1" + struct.pack("<5I", 1, model["parameterCount"], model["inputSize"], outputs, zlib.crc32(data) & 0xFFFFFFFF)
    return header + data


KERAS_ACTIVATIONS = {"Linear": "linear", "Relu": "relu", "Softmax": "softmax", "Tanh": "tanh", "Sigmoid": "sigmoid",
                     "Elu": "elu", "Gelu": "gelu", "Selu": "selu", "LogSoftmax": "log_softmax"}


def keras3(model):
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    def initializer(name):
        return {"module": "keras.initializers", "class_name": name, "config": {} if name == "Zeros" else {"seed": None}, "registered_name": None}
    layers = [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, model["inputSize"]], "dtype": "float32", "sparse": False, "name": "input_layer"}, "registered_name": None}]
    width, index = model["inputSize"], 0
    for layer in model["layers"]:
        name = "dense" if index == 0 else "dense_%d" % index
        layers.append({"module": "keras.layers", "class_name": "Dense", "config": {
            "name": name, "trainable": True, "dtype": policy, "units": layer["units"],
            "activation": KERAS_ACTIVATIONS[layer["activation"]], "use_bias": layer["useBias"],
            "kernel_initializer": initializer("GlorotUniform"), "bias_initializer": initializer("Zeros"),
            "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None},
            "registered_name": None, "build_config": {"input_shape": [None, width]}})
        width, index = layer["units"], index + 1
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True, "dtype": policy,
            "layers": layers, "build_input_shape": [None, model["inputSize"]]}, "registered_name": None,
            "build_config": {"input_shape": [None, model["inputSize"]]}}


def tfjs(model, weights_file):
    layers, manifest, width, index, first = [], [], model["inputSize"], 0, True
    for layer in model["layers"]:
        if layer["type"] == "activation":
            layers.append({"class_name": "Activation", "config": {"name": "activation", "trainable": True, "dtype": "float32",
                                                                   "activation": KERAS_ACTIVATIONS[layer["activation"]]}})
            continue
        name = "dense_%d" % (index + 1)
        config = {"units": layer["units"], "activation": KERAS_ACTIVATIONS[layer["activation"]], "use_bias": layer["useBias"],
                  "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
                  "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None, "bias_regularizer": None,
                  "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None, "name": name, "trainable": True, "dtype": "float32"}
        if first:
            config["batch_input_shape"] = [None, width]
            first = False
        layers.append({"class_name": "Dense", "config": config})
        manifest.append({"name": name + "/kernel", "shape": [width, layer["units"]], "dtype": "float32"})
        if layer["useBias"]:
            manifest.append({"name": name + "/bias", "shape": [layer["units"]], "dtype": "float32"})
        width, index = layer["units"], index + 1
    return {"format": "layers-model", "generatedBy": "TensorFlow.js tfjs-layers v4.22.0", "convertedBy": None,
            "modelTopology": {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": layers},
                              "keras_version": "tfjs-layers 4.22.0", "backend": "tensor_flow.js"},
            "weightsManifest": [{"paths": [weights_file], "weights": manifest}]}


def modelgen(model):
    layers = []
    for layer in model["layers"]:
        entry = {"dense": layer["units"], "activation": KERAS_ACTIVATIONS[layer["activation"]]}
        if not layer["useBias"]:
            entry["use_bias"] = False
        layers.append(entry)
    return {"$schema": "../../../../docs/modelgen-model.schema.json", "format": "modelgen", "inputs": model["inputSize"], "layers": layers}


def main():
    with open(os.path.join(DATA, "models.json")) as f:
        models = {m["name"]: m for m in json.load(f)["models"]}
    os.makedirs(OUT, exist_ok=True)
    files = {
        "iris_like.safetensors": safetensors(models["IrisLike"]),
        "scorer.bin": floats(models["Scorer"]["parameters"]),
        "deep.mgw": mgw(models["Deep"], models["Deep"]["layers"][-1]["units"]),
        "iris_like.torch.safetensors": torch_safetensors(models["IrisLike"]),
    }
    for name, blob in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)
        print(name, len(blob), "bytes")
    json_dir = os.path.join(DATA, "json")
    os.makedirs(json_dir, exist_ok=True)
    declarations = {
        "iris_like.keras.json": keras3(models["IrisLike"]),
        "scorer.model.json": tfjs(models["Scorer"], "../weights/scorer.bin"),
        "deep.modelgen.json": modelgen(models["Deep"]),
    }
    for name, value in declarations.items():
        with open(os.path.join(json_dir, name), "w") as f:
            json.dump(value, f, indent=None if name.endswith(".keras.json") else 1)
        print(name)


if __name__ == "__main__":
    main()
