#!/usr/bin/python3
"""Writes the Keras test files of tests/ModelGen.Tests/Data/keras/ with h5py and zipfile, in exactly the layouts that the
Keras writers produce (taken from their saving code, and checked against files those writers made), plus the float64
reference outputs of each network (numpy forward pass, cross-checked with torch float64).

Run with /usr/bin/python3 (needs h5py, numpy, torch): python3 tests/reference/make_keras_files.py
Deterministic: the same run writes the same weights, inputs and outputs (HDF5 files carry no timestamps: track_times off).

Layouts (writer -> what it writes):
- Keras 1.2.2 engine/topology.py save_weights_to_hdf5_group / models.save_model: root attrs keras_version, model_config,
  training_config (no backend); model_weights attr layer_names (fixed-length bytes); per layer group attr weight_names
  (fixed-length bytes, "dense_1_W:0"), datasets directly in the layer group; config a bare list with output_dim/init/bias.
- Keras 2.x hdf5_format / topology.py: model_weights attrs layer_names (fixed bytes up to 2.2.4), backend, keras_version;
  weight names "dense_1/kernel:0" (a subgroup per layer scope); empty weight_names (Dropout) an empty float64 array.
- tf.keras 2.5+ and Keras 3 legacy_h5_format.py: the same with variable-length UTF-8 strings; Keras 3 adds an empty
  top_level_model_weights group; Keras 3.8 weight names are variable paths "sequential/dense/kernel" (no ":0").
- Keras 3 saving_lib.py (.keras zip and .weights.h5): metadata.json, config.json, model.weights.h5 (stored); weights at
  layers/<snake_case(class)>[_n]/vars/<i> deduplicated by class in layer order, vars groups carry a "name" attr (3.9+),
  a root "vars" group, an "optimizer/vars" group.
- tf.keras 2.13 saving_lib.py (.keras zip): the same under _layer_checkpoint_dependencies/, whose dict lists each layer
  with weights twice ("layer_with_weights-i" and "layer-i"), so the class counter skips one name per such layer
  (dense, dense_2, ...).
HDF5 variants: superblock 0 (libver earliest, symbol-table groups), 2 (v108) and 3 (latest: link messages, dense link
storage beyond 8 links), forced dense attribute storage, chunked + shuffle + deflate datasets (v1 B-tree chunk index with
earliest, fixed-array / single-chunk index with latest), compact datasets, layer_names split into layer_names0/1 as Keras
does for attributes over 64512 bytes, and float64 weights (to be refused).
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ModelGen.Tests", "Data", "keras")
ROWS = 4


def rng_for(name):
    return np.random.default_rng(sum(ord(c) * (i + 1) for i, c in enumerate(name)))


def act(name, x):
    if name == "linear":
        return x
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if name == "softmax":
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError(name)


class Net:
    """A stack of Dense layers (with optional Dropout after some) and its float32 weights."""

    def __init__(self, name, inputs, layers, dtype=np.float32):
        self.name = name
        self.inputs = inputs
        self.layers = []  # (kind, units, activation, kernel, bias)
        rng = rng_for(name)
        width = inputs
        for spec in layers:
            if spec[0] == "dropout":
                self.layers.append(("dropout", None, None, None, None))
                continue
            _, units, activation = spec
            kernel = rng.uniform(-1, 1, (width, units)).astype(dtype)
            bias = rng.uniform(-0.5, 0.5, (units,)).astype(dtype)
            self.layers.append(("dense", units, activation, kernel, bias))
            width = units
        self.x = rng.uniform(-2, 2, (ROWS, inputs)).astype(np.float32)

    def forward(self):
        h = self.x.astype(np.float64)
        for kind, _, activation, kernel, bias in self.layers:
            if kind == "dense":
                h = act(activation, h @ kernel.astype(np.float64) + bias.astype(np.float64))
        return h

    def forward_torch(self):
        import torch
        h = torch.tensor(self.x, dtype=torch.float64)
        for kind, _, activation, kernel, bias in self.layers:
            if kind != "dense":
                continue
            lin = torch.nn.Linear(kernel.shape[0], kernel.shape[1]).double()
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(kernel.T.astype(np.float64)))
                lin.bias.copy_(torch.tensor(bias.astype(np.float64)))
            h = lin(h)
            h = {"linear": lambda t: t, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                 "softmax": lambda t: torch.softmax(t, dim=1)}[activation](h)
        return h.detach().numpy()

    def names(self, style):
        """Layer names as the writer would number them."""
        out, dense, drop = [], 0, 0
        for kind, *_ in self.layers:
            if kind == "dense":
                dense += 1
                if style == "k1k2":
                    out.append(f"dense_{dense}")
                else:
                    out.append("dense" if dense == 1 else f"dense_{dense - 1}")
            else:
                drop += 1
                if style == "k1k2":
                    out.append(f"dropout_{drop}")
                else:
                    out.append("dropout" if drop == 1 else f"dropout_{drop - 1}")
        return out


# ---------------------------------------------------------------- configs, as each writer serializes them

def config_keras1(net, names):
    layers, first = [], True
    for (kind, units, activation, kernel, _), name in zip(net.layers, names):
        if kind == "dense":
            c = {"W_constraint": None, "b_constraint": None, "name": name, "output_dim": units, "activity_regularizer": None,
                 "trainable": True, "init": "glorot_uniform", "bias": True, "input_dim": kernel.shape[0], "b_regularizer": None,
                 "W_regularizer": None, "activation": activation}
            if first:
                c["batch_input_shape"] = [None, net.inputs]
                c["input_dtype"] = "float32"
            layers.append({"class_name": "Dense", "config": c})
        else:
            layers.append({"class_name": "Dropout", "config": {"p": 0.5, "trainable": True, "name": name}})
        first = False
    return {"class_name": "Sequential", "config": layers}


def dense_k2(name, units, activation, first_shape=None):
    c = {"name": name, "trainable": True}
    if first_shape is not None:
        c["batch_input_shape"] = first_shape
    c.update({"dtype": "float32", "units": units, "activation": activation, "use_bias": True,
              "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
              "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None, "bias_regularizer": None,
              "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None})
    return {"class_name": "Dense", "config": c}


def config_keras2(net, names, bare_list):
    layers, first = [], True
    for (kind, units, activation, _, _), name in zip(net.layers, names):
        if kind == "dense":
            layers.append(dense_k2(name, units, activation, [None, net.inputs] if first else None))
        else:
            layers.append({"class_name": "Dropout", "config": {"name": name, "trainable": True, "rate": 0.5, "noise_shape": None, "seed": None}})
        first = False
    return {"class_name": "Sequential", "config": layers if bare_list else {"name": "sequential_1", "layers": layers}}


def config_functional_tf25(net, names):
    layers = [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, net.inputs], "dtype": "float32", "sparse": False,
                                                      "ragged": False, "name": "input_1"}, "name": "input_1", "inbound_nodes": []}]
    previous = "input_1"
    for (kind, units, activation, _, _), name in zip(net.layers, names):
        layer = dense_k2(name, units, activation) if kind == "dense" else \
            {"class_name": "Dropout", "config": {"name": name, "trainable": True, "dtype": "float32", "rate": 0.5, "noise_shape": None, "seed": None}}
        layer["name"] = name
        layer["inbound_nodes"] = [[[previous, 0, 0, {}]]]
        layers.append(layer)
        previous = name
    return {"class_name": "Functional", "config": {"name": "model", "layers": layers, "input_layers": [["input_1", 0, 0]],
                                                   "output_layers": [[previous, 0, 0]]}}


def dtype_policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def config_keras3(net, names, tf213=False):
    if tf213:
        layers = [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_input_shape": [None, net.inputs], "dtype": "float32",
                                                                                    "sparse": False, "ragged": False, "name": "dense_input"}, "registered_name": None}]
    else:
        layers = [{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [None, net.inputs], "dtype": "float32",
                                                                                    "sparse": False, "name": "input_layer"}, "registered_name": None}]
    width = net.inputs
    for (kind, units, activation, _, _), name in zip(net.layers, names):
        if kind == "dense":
            c = {"name": name, "trainable": True, "dtype": "float32" if tf213 else dtype_policy(), "units": units, "activation": activation,
                 "use_bias": True,
                 "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": None}, "registered_name": None},
                 "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None},
                 "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
            layers.append({"module": "keras.layers", "class_name": "Dense", "config": c, "registered_name": None,
                           "build_config": {"input_shape": [None, width]}})
            width = units
        else:
            layers.append({"module": "keras.layers", "class_name": "Dropout", "config": {"name": name, "trainable": True,
                           "dtype": "float32" if tf213 else dtype_policy(), "rate": 0.5, "seed": None, "noise_shape": None}, "registered_name": None})
    return {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": True,
            "dtype": "float32" if tf213 else dtype_policy(), "layers": layers}, "registered_name": None,
            "build_config": {"input_shape": [None, net.inputs]}}


# ---------------------------------------------------------------- writers

def vlen(strings):
    return np.array(strings, dtype=h5py.string_dtype("utf-8"))


def fixed(strings):
    return np.array([s.encode("utf8") for s in strings])


def put_list(group, name, strings, style):
    """Keras's save_attributes_to_hdf5_group: split into name0, name1, ... past 64512 bytes."""
    data = fixed(strings) if style == "fixed" else vlen(strings)
    if len(strings) == 0:
        group.attrs[name] = np.array([], dtype=np.float64)  # h5py's encoding of an empty Python list
        return
    nbytes = fixed(strings).nbytes
    if nbytes > 64512:
        chunks = int(np.ceil(nbytes / 64512))
        for i, part in enumerate(np.array_split(np.arange(len(strings)), chunks)):
            sub = [strings[j] for j in part]
            group.attrs[f"{name}{i}"] = fixed(sub) if style == "fixed" else vlen(sub)
    else:
        group.attrs[name] = data


def dataset(group, path, value, mode):
    kwargs = {"track_times": False}
    if "/" in path:  # intermediate groups made here, without timestamps (h5py would make them with)
        group, path = new_group(group, path.rsplit("/", 1)[0]), path.rsplit("/", 1)[1]
    if mode == "chunked":
        kwargs.update(chunks=tuple(max(1, (d + 1) // 2) for d in value.shape), compression="gzip", compression_opts=4, shuffle=True)
        return group.create_dataset(path, data=value, **kwargs)
    if mode == "compact":
        parent, leaf = group, path
        space = h5py.h5s.create_simple(value.shape)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        dcpl.set_obj_track_times(False)
        dsid = h5py.h5d.create(parent.id, leaf.encode(), h5py.h5t.py_create(value.dtype), space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(value))
        return parent[leaf]
    return group.create_dataset(path, data=value, **kwargs)


LIBVER = {"earliest": h5py.h5f.LIBVER_EARLIEST, "v108": h5py.h5f.LIBVER_V18, "latest": h5py.h5f.LIBVER_LATEST}


def open_h5(target, libver):
    """A new file whose objects carry no timestamps, so that the script writes the same bytes every run."""
    if not isinstance(target, str):
        return h5py.File(target, "w", libver=libver, track_order=False)
    low, high = (libver, "latest") if isinstance(libver, str) else libver  # as h5py maps libver="earliest"
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(LIBVER[low], LIBVER[high])
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    return h5py.File(h5py.h5f.create(target.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl))


def new_group(parent, name, dense_attributes=False):
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    if dense_attributes:
        gcpl.set_attr_phase_change(0, 0)
    group = parent
    parts = name.split("/")
    for part in parts:
        if part in group:
            group = group[part]
        else:
            group = h5py.Group(h5py.h5g.create(group.id, part.encode(), gcpl=gcpl))
    return group


def write_legacy_weights(group, net, names, style, weight_path, mode="contiguous", top_level=False):
    """save_weights_to_hdf5_group of Keras 1/2/tf.keras/Keras 3 legacy."""
    put_list(group, "layer_names", names, style)
    for (kind, _, _, kernel, bias), name in zip(net.layers, names):
        g = new_group(group, name)
        if kind != "dense":
            put_list(g, "weight_names", [], style)
            continue
        wn = [weight_path(name, "kernel"), weight_path(name, "bias")]
        put_list(g, "weight_names", wn, style)
        dataset(g, wn[0], kernel, mode)
        dataset(g, wn[1], bias, mode)
    if top_level:
        t = new_group(group, "top_level_model_weights")
        put_list(t, "weight_names", [], style)


def write_legacy_full(path, net, names, config, version, style, weight_path, libver="earliest", mode="contiguous", backend=True, top_level=False, force_dense_attributes=False):
    with open_h5(path, libver) as f:
        f.attrs["keras_version"] = version
        if backend:
            f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config)
        f.attrs["training_config"] = json.dumps({"loss": "mse", "optimizer_config": {"class_name": "Adam", "config": {"lr": 0.001}}})
        mw = new_group(f, "model_weights", dense_attributes=force_dense_attributes)
        if backend:
            mw.attrs["backend"] = "tensorflow"
        mw.attrs["keras_version"] = version
        write_legacy_weights(mw, net, names, style, weight_path, mode, top_level)


def write_legacy_weights_only(path, net, names, version, style, weight_path):
    with open_h5(path, "earliest") as f:
        write_legacy_weights(f, net, names, style, weight_path)
        f.attrs["backend"] = "tensorflow"
        f.attrs["keras_version"] = version


def write_class_layout(target, net, names, container="layers", tf213=False, name_attrs=True, libver="earliest"):
    """H5IOStore of saving_lib: <container>/<class>[_n]/vars/<i>."""
    with open_h5(target, libver) as f:
        layers = new_group(f, container)
        counter = {}
        for (kind, _, _, kernel, bias), name in zip(net.layers, names):
            key = "dense" if kind == "dense" else "dropout"
            visits = 2 if (tf213 and kind == "dense") else 1  # layer_with_weights-i and layer-i both list it
            n = counter.get(key, -1) + 1
            counter[key] = n + visits - 1
            group_name = key if n == 0 else f"{key}_{n}"
            v = new_group(layers, group_name + "/vars")
            if name_attrs:
                v.attrs["name"] = name
            if kind == "dense":
                v.create_dataset("0", data=kernel, track_times=False)
                v.create_dataset("1", data=bias, track_times=False)
        top = new_group(f, "vars")
        opt = new_group(f, "optimizer/vars")
        opt.create_dataset("0", data=np.array(3, dtype=np.int64), track_times=False)
        if name_attrs:
            top.attrs["name"] = "sequential"
            opt.attrs["name"] = "adam"


def write_keras_zip(path, net, names, version, tf213=False, name_attrs=True):
    buffer = io.BytesIO()
    write_class_layout(buffer, net, names, "_layer_checkpoint_dependencies" if tf213 else "layers", tf213, name_attrs)
    with zipfile.ZipFile(path, "w") as z:  # ZIP_STORED, as saving_lib writes
        z.writestr(zipfile.ZipInfo("metadata.json", (2024, 1, 1, 0, 0, 0)), json.dumps({"keras_version": version, "date_saved": "2024-01-01@00:00:00"}))
        z.writestr(zipfile.ZipInfo("config.json", (2024, 1, 1, 0, 0, 0)), json.dumps(config_keras3(net, names, tf213)))
        z.writestr(zipfile.ZipInfo("model.weights.h5", (2024, 1, 1, 0, 0, 0)), buffer.getvalue())


def main():
    os.makedirs(OUT, exist_ok=True)
    small = [("dense", 5, "relu"), ("dropout",), ("dense", 3, "softmax")]
    manifest = {}

    def record(file, net, names, kind, extra=None):
        out = net.forward()
        torch_out = net.forward_torch()
        assert np.max(np.abs(out - torch_out)) < 1e-12, file
        entry = {"kind": kind, "inputs": net.x.astype(np.float64).tolist(), "outputs": out.tolist(), "layers": []}
        for (k, units, activation, kernel, bias), name in zip(net.layers, names):
            layer = {"name": name, "class": "Dense" if k == "dense" else "Dropout"}
            if k == "dense":
                layer.update(units=units, activation=activation, kernel=kernel.astype(np.float64).ravel().tolist(), kernel_shape=list(kernel.shape),
                             bias=bias.astype(np.float64).tolist())
            entry["layers"].append(layer)
        if extra:
            entry.update(extra)
        manifest[file] = entry

    # Keras 1.2.2 full model: fixed-length names, dense_1_W:0 paths, no backend.
    net = Net("keras1", 4, small)
    names = net.names("k1k2")
    write_legacy_full(os.path.join(OUT, "keras1_full.h5"), net, names, config_keras1(net, names), "1.2.2", "fixed",
                      lambda layer, w: f"{layer}_{'W' if w == 'kernel' else 'b'}:0", backend=False)
    record("keras1_full.h5", net, names, "h5-full")

    # Keras 2.2.4 full model: fixed-length names, {"name", "layers"} config.
    net = Net("keras2", 4, small)
    names = net.names("k1k2")
    write_legacy_full(os.path.join(OUT, "keras2_full.h5"), net, names, config_keras2(net, names, bare_list=False), "2.2.4", "fixed",
                      lambda layer, w: f"{layer}/{w}:0")
    record("keras2_full.h5", net, names, "h5-full")

    # Keras 2 chunked + shuffle + deflate datasets (v1 B-tree chunk index).
    net = Net("keras2_chunked", 6, [("dense", 9, "tanh"), ("dense", 4, "linear")])
    names = net.names("k1k2")
    write_legacy_full(os.path.join(OUT, "keras2_chunked_deflate.h5"), net, names, config_keras2(net, names, bare_list=True), "2.0.8", "fixed",
                      lambda layer, w: f"{layer}/{w}:0", mode="chunked")
    record("keras2_chunked_deflate.h5", net, names, "h5-full")

    # Compact datasets.
    net = Net("keras2_compact", 3, [("dense", 4, "sigmoid"), ("dense", 2, "linear")])
    names = net.names("k1k2")
    write_legacy_full(os.path.join(OUT, "keras2_compact.h5"), net, names, config_keras2(net, names, bare_list=False), "2.1.6", "fixed",
                      lambda layer, w: f"{layer}/{w}:0", mode="compact")
    record("keras2_compact.h5", net, names, "h5-full")

    # tf.keras 2.5 functional: variable-length strings.
    net = Net("tfkeras25", 5, [("dense", 6, "tanh"), ("dropout",), ("dense", 2, "linear")])
    names = net.names("tf")
    write_legacy_full(os.path.join(OUT, "tfkeras25_functional.h5"), net, names, config_functional_tf25(net, names), "2.5.0", "vlen",
                      lambda layer, w: f"{layer}/{w}:0")
    record("tfkeras25_functional.h5", net, names, "h5-full")

    # Keras 3.8 legacy .h5: "dense/sequential/dense/kernel" paths, top_level_model_weights.
    net = Net("keras38", 4, small)
    names = net.names("tf")
    write_legacy_full(os.path.join(OUT, "keras38_legacy.h5"), net, names, config_keras3(net, names), "3.8.0", "vlen",
                      lambda layer, w: f"sequential/{layer}/{w}", top_level=True)
    record("keras38_legacy.h5", net, names, "h5-full")

    # Superblock 2 (libver v108) and 3 (latest), with many layers: link messages, dense link storage past 8 links,
    # chunked datasets under the fixed-array / single-chunk indexes, and forced dense attribute storage.
    many = [("dense", 3, "relu") for _ in range(11)] + [("dense", 2, "linear")]
    net = Net("latest_many", 3, many)
    names = net.names("tf")
    write_legacy_full(os.path.join(OUT, "latest_many_layers.h5"), net, names, config_keras2(net, names, bare_list=False), "2.12.0", "vlen",
                      lambda layer, w: f"{layer}/{w}:0", libver="latest", mode="chunked", top_level=True, force_dense_attributes=True)
    record("latest_many_layers.h5", net, names, "h5-full")
    net = Net("v108", 4, small)
    names = net.names("tf")
    write_legacy_full(os.path.join(OUT, "superblock2.h5"), net, names, config_keras2(net, names, bare_list=False), "2.9.0", "vlen",
                      lambda layer, w: f"{layer}/{w}:0", libver=("v108", "v108"))
    record("superblock2.h5", net, names, "h5-full")

    # Many layers whose names pass 64512 bytes: layer_names split into layer_names0, layer_names1 (Keras's chunking).
    long_net = Net("split_names", 2, [("dense", 2, "relu") for _ in range(9)] + [("dense", 1, "linear")])
    long_names = [f"dense_{i}_" + "x" * 7000 for i in range(10)]
    write_legacy_full(os.path.join(OUT, "split_layer_names.h5"), long_net, long_names, config_keras2(long_net, long_names, bare_list=False), "2.3.1", "fixed",
                      lambda layer, w: f"{layer[:12]}/{w}:0")
    record("split_layer_names.h5", long_net, long_names, "h5-full")

    # Weights-only legacy .h5 (Keras 2.0 save_weights) + architecture JSON (model.to_json()).
    net = Net("keras2_weights", 4, small)
    names = net.names("k1k2")
    write_legacy_weights_only(os.path.join(OUT, "keras2_weights.h5"), net, names, "2.0.5", "fixed", lambda layer, w: f"{layer}/{w}:0")
    with open(os.path.join(OUT, "keras2_weights.arch.json"), "w") as fh:
        arch = config_keras2(net, names, bare_list=True)
        arch["keras_version"] = "2.0.5"
        arch["backend"] = "tensorflow"
        json.dump(arch, fh)
    record("keras2_weights.h5", net, names, "h5-weights", {"arch": "keras2_weights.arch.json"})

    # Keras 3 .weights.h5 (save_weights) + architecture JSON.
    net = Net("keras3_weights", 4, small)
    names = net.names("tf")
    write_class_layout(os.path.join(OUT, "keras3.weights.h5"), net, names)
    with open(os.path.join(OUT, "keras3.arch.json"), "w") as fh:
        json.dump(config_keras3(net, names), fh)
    record("keras3.weights.h5", net, names, "h5-weights", {"arch": "keras3.arch.json"})

    # Keras 3 .keras zips: 3.5 (no name attrs) and 3.9 (name attrs); layer names unrelated to the class paths.
    net = Net("keras3_zip", 4, [("dense", 6, "relu"), ("dropout",), ("dense", 5, "tanh"), ("dense", 3, "softmax")])
    names = ["hidden_a", "drop", "hidden_b", "probabilities"]
    write_keras_zip(os.path.join(OUT, "keras35.keras"), net, names, "3.5.0", name_attrs=False)
    record("keras35.keras", net, names, "keras-zip")
    net = Net("keras39_zip", 4, small)
    names = net.names("tf")
    write_keras_zip(os.path.join(OUT, "keras39.keras"), net, names, "3.9.2")
    record("keras39.keras", net, names, "keras-zip")

    # tf.keras 2.13 .keras zip: _layer_checkpoint_dependencies with the doubled counter.
    net = Net("tfkeras213", 4, [("dense", 6, "relu"), ("dropout",), ("dense", 5, "relu"), ("dense", 3, "softmax")])
    names = net.names("tf")
    write_keras_zip(os.path.join(OUT, "tfkeras213.keras"), net, names, "2.13.1", tf213=True, name_attrs=False)
    record("tfkeras213.keras", net, names, "keras-zip")

    # A float64 model (to be refused: ModelGen computes in float32).
    net = Net("float64", 4, small, dtype=np.float64)
    names = net.names("tf")
    write_legacy_full(os.path.join(OUT, "float64_weights.h5"), net, names, config_keras2(net, names, bare_list=False), "2.12.0", "vlen",
                      lambda layer, w: f"{layer}/{w}:0")
    manifest["float64_weights.h5"] = {"kind": "refuse", "error_contains": "float64"}

    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
    for name in sorted(os.listdir(OUT)):
        print(f"{os.path.getsize(os.path.join(OUT, name)):8d}  {name}")


if __name__ == "__main__":
    main()
