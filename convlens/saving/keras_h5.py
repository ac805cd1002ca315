"""Read weights written by real Keras, safely: arrays only, through h5py; nothing in the file is run.

Three formats:

* Keras 3 ``.weights.h5``: ``layers/<class-based name>/vars/<i>``, where the name is the layer's class in
  snake case with a per-class counter (``conv2d``, ``conv2d_1``, ``dense``) in the model's layer order (a nested
  model's layers under ``layers/functional/layers/…``);
* Keras 3 ``.keras``: a zip holding ``config.json`` and ``model.weights.h5`` (the config is read as JSON; a
  ``Lambda`` layer, which would carry code, is refused by name);
* legacy Keras 2 HDF5 (``model.save_weights('w.h5')`` or ``model.save('m.h5')``): ``layer_names`` and, per layer,
  ``weight_names`` in order.

``keras_model_config`` translates a Keras Sequential or functional config (Keras 3 ``__keras_tensor__`` nodes or
Keras 2 node lists) into convlens's config, which ``convlens.saving.deserialize`` rebuilds as the same graph.

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

from convlens import dtype_policies, layers as layer_lib
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


def keras_model_config(path: str | os.PathLike) -> dict[str, Any]:
    """The model in a ``.keras`` or legacy ``.h5`` file as the entry ``convlens.saving.deserialize`` rebuilds:
    ``{"class_name": "Sequential" | "Functional", "config": …}`` in convlens's own config format.

    Keras ``Sequential`` and functional models (``keras.Model(inputs, outputs)``, nested models included) are
    translated; Keras-only keys (initializers, dtype policies, constraints) are dropped, since the weights come
    from the file. Example: ``deserialize(keras_model_config("resnet.keras"))``.
    """
    return _model_entry(read_keras_config(path), path)


def _model_entry(entry: dict[str, Any], path: str | os.PathLike) -> dict[str, Any]:
    cls, config = entry.get("class_name"), entry.get("config") or {}
    if cls == "Sequential":
        return {"class_name": "Sequential", "config": _sequential_config(config, path)}
    if cls in ("Functional", "Model") and "layers" in config:
        return {"class_name": "Functional", "config": _functional_config(config, path)}
    raise ValueError(f"{path}: a Keras {cls} has no layer graph in its config (a subclassed model); build the "
                     f"convlens model and call load_weights()")


def _sequential_config(config: dict[str, Any], path: str | os.PathLike) -> dict[str, Any]:
    input_shape, layers = None, []
    for entry in config["layers"]:
        if entry["class_name"] == "InputLayer":
            input_shape = list(_batch_shape(entry["config"])[1:])
            continue
        cfg = entry.get("config") or {}
        if "batch_shape" in cfg or "batch_input_shape" in cfg:
            input_shape = list(_batch_shape(cfg)[1:])
        layers.append(_layer_entry(entry, path))
    return {"name": config.get("name"), "trainable": config.get("trainable", True), "input_shape": input_shape,
            "layers": layers}


def _functional_config(config: dict[str, Any], path: str | os.PathLike) -> dict[str, Any]:
    """Keras's functional config (Keras 3 ``__keras_tensor__`` nodes or Keras 2 ``[name, node, index, kwargs]``
    lists) as ``Functional.graph_from_config`` reads it."""
    layers = []
    for entry in config["layers"]:
        name = entry.get("name") or (entry.get("config") or {}).get("name")
        nodes = [] if entry["class_name"] == "InputLayer" else \
            [_node(node, name, path) for node in entry.get("inbound_nodes", [])]
        layers.append({**_layer_entry(entry, path), "name": name, "inbound_nodes": nodes})
    inputs, multi_input = _endpoints(config["input_layers"], "input_layers", path)
    outputs, multi_output = _endpoints(config["output_layers"], "output_layers", path)
    return {"name": config.get("name"), "trainable": config.get("trainable", True), "layers": layers,
            "input_layers": inputs, "output_layers": outputs, "multi_input": multi_input,
            "multi_output": multi_output}


def _endpoints(refs: Any, key: str, path: str | os.PathLike) -> tuple[list[list], bool]:
    """``[name, node, index]`` (one tensor) or a list of them (several); Keras 2 wraps even one in a list."""
    if isinstance(refs, list) and len(refs) == 3 and isinstance(refs[0], str):
        return [list(refs)], False
    if isinstance(refs, list) and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) for r in refs):
        return [list(r) for r in refs], len(refs) > 1
    raise ValueError(f"{path}: the model's {key} {str(refs)[:80]} are not [layer, node, tensor] references "
                     f"(dict-structured inputs and outputs are not supported)")


def _node(node: Any, layer: str, path: str | os.PathLike) -> dict[str, Any]:
    """One call of a layer: which tensors it read (``multi`` for a list, as a merge layer takes) and its kwargs."""
    if isinstance(node, list):  # Keras 2: [[name, node_index, tensor_index, kwargs], …]
        refs = [list(ref[:3]) for ref in node]
        kwargs = dict(node[0][3]) if node and len(node[0]) > 3 else {}
        return {"args": refs, "multi": len(refs) > 1, "kwargs": _call_kwargs(kwargs, layer, path)}
    args = node.get("args", [])
    if len(args) != 1:
        raise ValueError(f"{path}: layer {layer!r} is called with {len(args)} positional arguments; convlens "
                         f"layers take one tensor or one list of tensors")
    multi = isinstance(args[0], list)
    refs = [_tensor_ref(t, layer, path) for t in (args[0] if multi else [args[0]])]
    return {"args": refs, "multi": multi, "kwargs": _call_kwargs(node.get("kwargs", {}), layer, path)}


def _tensor_ref(tensor: Any, layer: str, path: str | os.PathLike) -> list:
    if not (isinstance(tensor, dict) and tensor.get("class_name") == "__keras_tensor__"):
        raise ValueError(f"{path}: layer {layer!r} is called on {str(tensor)[:60]}, not on a tensor of the graph")
    return list(tensor["config"]["keras_history"])


def _call_kwargs(kwargs: dict[str, Any], layer: str, path: str | os.PathLike) -> dict[str, Any]:
    """``training=`` is kept; ``mask=None`` means nothing; anything else is refused by name."""
    kept = {}
    for key, value in kwargs.items():
        if key == "training" and value in (True, False, None):
            if value is not None:
                kept[key] = value
        elif not (key == "mask" and value is None):
            raise ValueError(f"{path}: layer {layer!r} is called with {key}={str(value)[:40]}, which convlens "
                             f"does not support")
    return kept


def _batch_shape(config: dict[str, Any]) -> list:
    return config.get("batch_shape") or config["batch_input_shape"]


def _layer_entry(entry: dict[str, Any], path: str | os.PathLike) -> dict[str, Any]:
    """One Keras layer (or nested model) entry as ``{"class_name", "config"}`` for ``deserialize``."""
    cls, cfg = entry["class_name"], dict(entry.get("config") or {})
    if cls in ("Sequential", "Functional", "Model"):
        return _model_entry(entry, path)
    if cls == "InputLayer":
        if cfg.get("sparse") or cfg.get("ragged"):
            raise ValueError(f"{path}: input {cfg.get('name')!r} is sparse or ragged; convlens inputs are dense")
        return {"class_name": cls, "config": {"name": cfg.get("name"), "batch_shape": _batch_shape(cfg)}}
    if cfg.get("data_format") not in (None, "channels_last"):
        raise ValueError(f"{path}: layer {cfg.get('name')!r} uses data_format={cfg['data_format']!r}; convlens "
                         f"models are channels-last")
    policy = _mixed_policy(cfg.get("dtype"), cfg.get("name"), path)
    cfg = {k: v for k, v in cfg.items() if k not in _DROPPED_KEYS and not k.endswith("_initializer")
           and not k.endswith("_regularizer") and k not in ("data_format", "batch_shape", "batch_input_shape")}
    return {"class_name": cls, "config": {**_convlens_arguments(cls, cfg, path), **policy}}


def _mixed_policy(dtype: Any, layer: Any, path: str | os.PathLike) -> dict[str, str]:
    """``{"dtype": name}`` for a layer Keras saved under a mixed policy (float32 layers need nothing)."""
    if dtype is None:
        return {}
    try:
        policy = dtype_policies.get(dtype)
    except ValueError as error:
        raise ValueError(f"{path}: layer {layer!r}: {error}") from None
    return {"dtype": policy.name} if policy.is_mixed else {}


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
    pairs = _keras3_pairs(handle, "", model, path)
    for layer, arrays in pairs:  # set only once every layer fits: a refused file leaves the model untouched
        if arrays:
            layer.set_weights(arrays)


def _keras3_pairs(group: h5py.Group, prefix: str, model: Any, path: Path) -> list[tuple[Any, list[np.ndarray]]]:
    """``(layer, arrays)`` for every layer of ``model`` from ``<prefix>layers/<class-based name>``; a nested
    model's layers come from its own ``layers`` group."""
    counters: dict[str, int] = {}
    pairs, used = [], set()
    for layer in model.layers:
        base = snake_case(type(layer).__name__)
        number = counters.get(base, -1) + 1
        counters[base] = number
        key = base if number == 0 else f"{base}_{number}"
        where = f"{prefix}layers/{key}"
        if not hasattr(layer, "get_weights"):
            raise ValueError(f"{path}: convlens layer {layer.name!r} ({type(layer).__name__}) has no Keras "
                             f"equivalent to read weights into")
        if hasattr(layer, "layers") and f"layers/{key}/layers" in group:
            used.add(key)
            pairs += _keras3_pairs(group[f"layers/{key}"], f"{where}/", layer, path)
            continue
        arrays = _vars(group, f"layers/{key}")
        if arrays is None:
            if layer.get_weights():
                raise ValueError(f"{path} has no weights for convlens layer {layer.name!r} (looked for "
                                 f"'{where}'); is the Keras model built from the same layers?")
            continue
        used.add(key)
        _check(layer, arrays, f"'{where}'", path)
        pairs.append((layer, arrays))
    extra = sorted(f"{prefix}layers/{k}" for k in group.get("layers", {}) if k not in used
                   and (_vars(group, f"layers/{k}") or f"layers/{k}/layers" in group))
    if extra:
        raise ValueError(f"{path} has weights for layers the convlens model lacks: {', '.join(extra)}")
    return pairs


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
