"""Read weights written by real Keras, safely: arrays only, through h5py; nothing in the file is run.

Three formats:

* Keras 3 ``.weights.h5``: ``layers/<class-based name>/vars/<i>``, where the name is the layer's class in
  snake case with a per-class counter (``conv2d``, ``conv2d_1``, ``dense``) in the model's layer order;
* Keras 3 ``.keras``: a zip holding ``config.json`` and ``model.weights.h5`` (the config is read as JSON; a
  ``Lambda`` layer, which would carry code, is refused by name);
* legacy Keras 2 HDF5 (``model.save_weights('w.h5')`` or ``model.save('m.h5')``): ``layer_names`` and, per layer,
  ``weight_names`` in order.

Example:
    >>> import tempfile, os
    >>> is_keras_file(__file__)
    False
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any, Iterator

import inspect

import h5py
import numpy as np

from convlens import layers as layer_lib
from convlens.layers.base import Layer, snake_case

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
# Keras config keys that only matter for building fresh weights or for other backends; the weights come from the file.
_DROPPED_KEYS = ("dtype", "build_config", "activity_regularizer", "kernel_constraint", "bias_constraint",
                 "depthwise_constraint", "pointwise_constraint", "beta_constraint", "gamma_constraint",
                 "synchronized", "seed", "noise_shape")
# Keras options convlens lacks, dropped only when they hold Keras's default (so the meaning is unchanged).
_DEFAULT_ONLY = {"renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99, "lora_rank": None,
                 "lora_alpha": None, "quantization_config": None}


def is_keras_file(path: str | os.PathLike) -> bool:
    """True for an HDF5 file or a zip holding ``config.json`` (a ``.keras`` archive)."""
    path = Path(path)
    if not path.is_file():
        return False
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head == HDF5_MAGIC:
        return True
    if head[:2] == b"PK" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return "config.json" in archive.namelist()
    return False


def read_keras_weights(path: str | os.PathLike, model: Any) -> None:
    """Load a Keras weights file (any of the three formats) into the equivalent convlens ``model``.

    The convlens model must have the same layers with weights in the same order (as ``keras.Sequential`` or
    ``keras.applications`` built them); a missing layer or a shape that differs is a ``ValueError`` naming it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    if zipfile.is_zipfile(path):
        config, weights = _read_archive(path)
        refuse_code(config, path)
        with h5py.File(io.BytesIO(weights), "r") as handle:
            _load_keras3(handle, model, path)
        return
    with h5py.File(path, "r") as handle:
        if "layers" in handle or "vars" in handle:
            _load_keras3(handle, model, path)
        elif "model_weights" in handle:
            _load_legacy(handle["model_weights"], model, path)
        elif "layer_names" in handle.attrs:
            _load_legacy(handle, model, path)
        else:
            raise ValueError(f"{path} is an HDF5 file but not one Keras wrote (no 'layers' group, no layer_names)")


def read_keras_config(path: str | os.PathLike) -> dict[str, Any]:
    """The ``config.json`` of a ``.keras`` archive, or the ``model_config`` of a legacy ``.h5`` model file, as
    JSON data (``Lambda`` layers refused)."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        config, _ = _read_archive(path)
    else:
        with h5py.File(path, "r") as handle:
            raw = handle.attrs.get("model_config")
            if raw is None:
                raise ValueError(f"{path} holds weights only (no model_config); build the model and load_weights()")
            config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    refuse_code(config, path)
    return config


def keras_sequential_config(path: str | os.PathLike) -> dict[str, Any]:
    """A Keras ``Sequential`` config (from a ``.keras`` or legacy ``.h5`` file) as the config
    ``convlens.Sequential.from_config`` takes: ``{"name", "input_shape", "layers": [{class_name, config}]}``.

    Keras-only keys (initializers, dtype policies, constraints) are dropped; the weights come from the file.
    """
    config = read_keras_config(path)
    if config.get("class_name") != "Sequential":
        raise ValueError(f"{path}: only Keras Sequential models can be rebuilt from their config so far "
                         f"(this is a {config.get('class_name')}); build the convlens model and call load_weights()")
    input_shape, layers = None, []
    for entry in config["config"]["layers"]:
        cls, cfg = entry["class_name"], dict(entry["config"])
        if cls == "InputLayer":
            input_shape = list((cfg.get("batch_shape") or cfg.get("batch_input_shape"))[1:])
            continue
        if cfg.get("data_format") not in (None, "channels_last"):
            raise ValueError(f"{path}: layer {cfg.get('name')!r} uses data_format={cfg['data_format']!r}; convlens "
                             f"models are channels-last")
        if "batch_shape" in cfg:
            input_shape = list(cfg.pop("batch_shape")[1:])
        cfg = {k: v for k, v in cfg.items() if k not in _DROPPED_KEYS and not k.endswith("_initializer")
               and not k.endswith("_regularizer") and k != "data_format"}
        layers.append({"class_name": cls, "config": _convlens_arguments(cls, cfg, path)})
    return {"name": config["config"].get("name"), "input_shape": input_shape, "layers": layers}


def _convlens_arguments(class_name: str, config: dict[str, Any], path: str | os.PathLike) -> dict[str, Any]:
    """The Keras layer config restricted to what the convlens layer takes; a non-default option it lacks is an
    error rather than a silent change of meaning."""
    try:
        cls = layer_lib.get(class_name)
    except ValueError:
        raise ValueError(f"{path}: Keras layer class {class_name!r} has no convlens equivalent yet") from None
    accepted = set()
    for klass in (cls, *[k for k in cls.__mro__ if issubclass(k, Layer)]):
        accepted |= set(inspect.signature(klass.__init__).parameters)
    kept = {}
    for key, value in config.items():
        if key in accepted:
            kept[key] = value
        elif key in _DEFAULT_ONLY and value == _DEFAULT_ONLY[key]:
            continue
        else:
            raise ValueError(f"{path}: layer {config.get('name')!r} ({class_name}) sets {key}={value!r}, which "
                             f"convlens's {class_name} does not support")
    return kept


def refuse_code(config: Any, path: str | os.PathLike) -> None:
    """Raise if a Keras config holds a ``Lambda`` layer (its code would have to be run to rebuild the model)."""
    for entry in _walk(config):
        if entry.get("class_name") in ("Lambda", "TFOpLambda"):
            name = (entry.get("config") or {}).get("name", "?")
            raise ValueError(f"{path}: layer {name!r} is a {entry['class_name']} layer, which holds Python code; "
                             f"convlens never runs code from a file. Rebuild that layer in convlens and load the "
                             f"weights with load_weights().")


def _walk(node: Any) -> Iterator[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _read_archive(path: Path) -> tuple[dict, bytes]:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        if "config.json" not in names or "model.weights.h5" not in names:
            raise ValueError(f"{path} is a zip but not a .keras archive (needs config.json and model.weights.h5)")
        return json.loads(archive.read("config.json")), archive.read("model.weights.h5")


def _weighted(model: Any) -> list[Any]:
    return [layer for layer in model.layers if hasattr(layer, "get_weights") and layer.get_weights()]


def _check(layer: Any, arrays: list[np.ndarray], where: str, path: Path) -> None:
    expected = [w.shape for w in layer.get_weights()]
    got = [a.shape for a in arrays]
    if expected != got:
        raise ValueError(f"{path}: {where} holds weights of shapes {got} but convlens layer {layer.name!r} "
                         f"({type(layer).__name__}) has {expected}")


def _load_keras3(handle: h5py.Group, model: Any, path: Path) -> None:
    counters: dict[str, int] = {}
    pairs, used = [], set()
    for layer in model.layers:
        base = snake_case(type(layer).__name__)
        number = counters.get(base, -1) + 1
        counters[base] = number
        key = base if number == 0 else f"{base}_{number}"
        if not hasattr(layer, "get_weights"):
            raise ValueError(f"{path}: convlens layer {layer.name!r} ({type(layer).__name__}) has no Keras "
                             f"equivalent to read weights into")
        arrays = _vars(handle, f"layers/{key}")
        mine = layer.get_weights()
        if arrays is None:
            if mine:
                raise ValueError(f"{path} has no weights for convlens layer {layer.name!r} (looked for "
                                 f"'layers/{key}'); is the Keras model built from the same layers?")
            continue
        used.add(key)
        _check(layer, arrays, f"'layers/{key}'", path)
        pairs.append((layer, arrays))
    extra = sorted(k for k in handle.get("layers", {}) if k not in used and _vars(handle, f"layers/{k}"))
    if extra:
        raise ValueError(f"{path} has weights for layers the convlens model lacks: {', '.join(extra)}")
    for layer, arrays in pairs:  # set only once every layer fits: a refused file leaves the model untouched
        if arrays:
            layer.set_weights(arrays)


def _vars(handle: h5py.Group, key: str) -> list[np.ndarray] | None:
    if key not in handle:
        return None
    group = handle[key].get("vars")
    if group is None:
        return []
    return [np.asarray(group[str(i)]) for i in range(len(group))]


def _load_legacy(handle: h5py.Group, model: Any, path: Path) -> None:
    names = [n.decode() if isinstance(n, bytes) else str(n) for n in handle.attrs["layer_names"]]
    saved = []
    for name in names:
        group = handle[name]
        weight_names = [w.decode() if isinstance(w, bytes) else str(w) for w in group.attrs.get("weight_names", [])]
        if weight_names:
            saved.append((name, [np.asarray(group[w]) for w in weight_names]))
    targets = _weighted(model)
    if len(saved) != len(targets):
        raise ValueError(f"{path} holds weights for {len(saved)} layers ({', '.join(n for n, _ in saved)}) but the "
                         f"convlens model has {len(targets)} layers with weights")
    for layer, (name, arrays) in zip(targets, saved):
        _check(layer, arrays, f"layer {name!r}", path)
    for layer, (_, arrays) in zip(targets, saved):
        layer.set_weights(arrays)
