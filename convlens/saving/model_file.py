"""Saving and loading models and weights, by layer path, in convlens's safe format.

Whatever the file name says (``model.weights.best.hdf5``, ``model.keras``, ``run.convlens``), convlens writes its own
safetensors file: tensors plus JSON, never pickle. ``load_model`` rebuilds any registered model from its config —
first on torch's ``meta`` device, so a config that does not match the stored tensors (or asks for a huge layer) is
refused before any memory is taken.

Example:
    >>> import tempfile, os
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(2, input_shape=(3,))])
    >>> path = os.path.join(tempfile.mkdtemp(), "m.weights.h5")
    >>> model.save_weights(path); model.load_weights(path)
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch

from convlens.saving import keras_h5
from convlens.saving.file_format import UnsafeFileError, encode, is_convlens_file, read_file
from convlens.saving.files import atomic_write_bytes
from convlens.saving.registry import deserialize, serialize
from convlens.saving.weights import assign_named_weights, named_weight_arrays, named_weight_shapes

WEIGHTS = "weights/"
RUN = "run/"


def _check_overwrite(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists and overwrite=False")


def _weight_tensors(model) -> dict[str, torch.Tensor]:
    return {WEIGHTS + path: torch.as_tensor(array).contiguous()
            for path, array in named_weight_arrays(model).items()}


def _file_weights(tensors: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    return {k[len(WEIGHTS):]: v.numpy() for k, v in tensors.items() if k.startswith(WEIGHTS)}


def _load_weights_into(model, tensors: dict[str, torch.Tensor], meta: dict[str, Any], skip_mismatch: bool,
                       source: str) -> None:
    arrays = _file_weights(tensors)
    if meta.get("_version") == "1":  # positional keys weights/0000, 0001 …
        model.set_weights([arrays[k] for k in sorted(arrays)])
    else:
        assign_named_weights(model, arrays, skip_mismatch, source)


def _read_keras(filepath: str | Path, model) -> None:
    try:
        keras_h5.read_keras_weights(filepath, model)
    except (OSError, KeyError) as err:
        raise UnsafeFileError(f"{filepath} looks like a Keras HDF5/zip file but cannot be read as one ({err})") \
            from None


def save_weights(model, filepath: str | Path, overwrite: bool = True) -> None:
    """Every weight keyed by layer path, atomically."""
    path = Path(filepath)
    _check_overwrite(path, overwrite)
    atomic_write_bytes(path, encode(_weight_tensors(model), {"kind": "weights"}))


def load_weights(model, filepath: str | Path, skip_mismatch: bool = False) -> None:
    """Load weights by layer path (files of format 1, by position, too); all or nothing unless ``skip_mismatch``.

    Weights files written by Keras (``.weights.h5``, ``.keras``, Keras 2 HDF5) are read too, arrays only."""
    if not getattr(model, "built", False):
        raise ValueError("build the model (give it an input shape) before load_weights")
    if not is_convlens_file(filepath) and keras_h5.is_keras_file(filepath):
        _read_keras(filepath, model)
        return
    tensors, meta = read_file(filepath)
    _load_weights_into(model, tensors, meta, skip_mismatch, str(filepath))


def _run_payload(model) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    meta: dict[str, Any] = {"class_names": getattr(model, "class_names", None)}
    run_tensors, run_meta = model.run_state() if hasattr(model, "run_state") else ({}, None)
    tensors.update({RUN + k: v for k, v in run_tensors.items()})
    if run_meta is not None:
        meta["run"] = run_meta
    return tensors, meta


def _output_width(model) -> int | None:
    """The last axis of a single-output model's output shape (None when it is not known)."""
    try:
        shape = model.output_shape
    except (AttributeError, ValueError, RuntimeError, TypeError):
        return None
    return shape[-1] if isinstance(shape, tuple) and shape and isinstance(shape[-1], int) else None


def _restore_run(model, tensors: dict[str, torch.Tensor], meta: dict[str, Any], path: str, hint: str = "") -> None:
    """Class names and run state back onto ``model``; a damaged run state is refused naming ``path``."""
    names = meta.get("class_names")
    if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
        raise ValueError(f"{path}: the stored class_names must be a list of strings, got {str(names)[:80]!r}")
    width = _output_width(model)
    if names is not None and width is not None and len(names) not in (width, 2 if width == 1 else width):
        raise ValueError(f"{path}: the stored class_names has {len(names)} names, but the model has {width} "
                         f"outputs; predictions would be labelled wrongly")
    model.class_names = names
    run, run_tensors = meta.get("run"), {k[len(RUN):]: v for k, v in tensors.items() if k.startswith(RUN)}
    if run is None and ("optimizer_state" in meta or "training_state" in meta):  # format 1 kept them at the top
        run = {k: meta[k] for k in ("optimizer_state", "training_state") if k in meta}
        run_tensors = {k: v for k, v in tensors.items() if k.startswith(("optimizer/", "rng/"))}
    if run is not None and hasattr(model, "load_run_state"):
        if not isinstance(run, dict):
            raise ValueError(f"{path}: the stored run state is not a JSON object")
        try:
            model.load_run_state(run_tensors, run)
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{path}: {err}{hint}") from None


def save_checkpoint(model, filepath: str | Path) -> None:
    """Everything needed to resume training exactly, for any model (no architecture config needed)."""
    tensors, meta = _run_payload(model)
    tensors.update(_weight_tensors(model))
    atomic_write_bytes(filepath, encode(tensors, {"kind": "checkpoint", **meta}))


def restore_checkpoint(model, filepath: str | Path) -> None:
    """Load a ``save_checkpoint`` file into a built, compiled model."""
    tensors, meta = read_file(filepath)
    _load_weights_into(model, tensors, meta, False, str(filepath))
    _restore_run(model, tensors, meta, str(filepath))


def save_model(model, filepath: str | Path, overwrite: bool = True) -> None:
    """Architecture (config), weights by path, compile settings, optimizer and the last fit's training state."""
    path = Path(filepath)
    _check_overwrite(path, overwrite)
    tensors, meta = _run_payload(model)
    tensors.update(_weight_tensors(model))
    meta.update({"kind": "model", "model": serialize(model)})
    compile_config = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    if compile_config is not None:
        meta["compile"] = compile_config
    atomic_write_bytes(path, encode(tensors, meta))


def _model_entry(meta: dict[str, Any]) -> dict[str, Any]:
    if "model" in meta:
        return meta["model"]
    return {"class_name": meta.get("class_name"), "config": meta.get("config")}  # format 1


def _class_name(entry: Any) -> str:
    name = entry.get("class_name") if isinstance(entry, dict) else None
    return repr(name) if isinstance(name, str) else "(none given)"


def _check_against_file(model, tensors: dict[str, torch.Tensor], meta: dict[str, Any], path: str) -> None:
    """The config's weights must be the file's weights, name for name and shape for shape."""
    expected = named_weight_shapes(model)
    stored = {k: tuple(v.shape) for k, v in _file_weights(tensors).items()}
    if meta.get("_version") == "1":
        if sorted(stored.values()) != sorted(expected.values()) and len(stored) != len(expected):
            raise ValueError(f"{path}: the stored weights do not fit the stored architecture")
        return
    if expected != stored:
        wrong = sorted(set(expected.items()) ^ set(stored.items()))[:5]
        raise ValueError(f"{path}: the architecture in the file does not match its weights (e.g. {wrong}); the file "
                         f"is damaged or was edited")


def load_model(filepath: str | Path, compile: bool = True, custom_objects: dict[str, Any] | None = None,
               safe_mode: bool = True):
    """Rebuild a model saved with ``model.save`` (architecture, weights, optimizer, training state; with
    ``compile=False`` the architecture, weights and class names only, as Keras leaves the optimizer out).

    Example: ``model = convlens.models.load_model("runs/main/model.convlens")``. A Keras ``.keras`` (or legacy
    ``.h5``) file of a Sequential or functional model is rebuilt from its config and weights (arrays only; a
    ``Lambda`` is refused by name).
    """
    if not is_convlens_file(filepath) and keras_h5.is_keras_file(filepath):
        model = deserialize(keras_h5.keras_model_config(filepath), custom_objects)
        _read_keras(filepath, model)
        return model
    tensors, meta = read_file(filepath)
    if meta.get("kind") == "checkpoint":
        raise ValueError(f"{filepath} is a training checkpoint (weights and run state, no architecture); build the "
                         f"model and call load_weights(), or resume the run with BackupAndRestore")
    if meta.get("kind") != "model":
        raise ValueError(f"{filepath} holds weights only; build the model and call load_weights() instead")
    entry = _model_entry(meta)
    try:
        with torch.device("meta"):  # no memory yet: check the config against the stored tensors first
            probe = deserialize(entry, custom_objects)
        _check_against_file(probe, tensors, meta, str(filepath))
        del probe
        model = deserialize(entry, custom_objects)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
        if str(err).startswith(str(filepath)):  # already names the file (weights that do not fit the config)
            raise
        raise ValueError(f"{filepath}: the model description of class {_class_name(entry)} in the file is not valid "
                         f"({type(err).__name__}: {err})") from None
    if compile and "compile" in meta and hasattr(model, "compile_from_config"):
        try:
            model.compile_from_config(meta["compile"])
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"{filepath}: the stored compile settings are not valid ({type(err).__name__}: {err}); "
                             f"load_model(…, compile=False) gives the model and its weights") from None
    _load_weights_into(model, tensors, meta, False, str(filepath))
    if not compile:  # inference: the class names, not the training state (which a damaged file may have lost)
        _restore_run(model, tensors, {"class_names": meta.get("class_names")}, str(filepath))
        return model
    _restore_run(model, tensors, meta, str(filepath),
                 "; load_model(…, compile=False) gives the model and its weights without the training state")
    return model


def to_json(model, **kwargs: Any) -> str:
    """The architecture as JSON text: ``{"class_name": …, "config": …}``."""
    return json.dumps(serialize(model), **kwargs)


def model_from_json(text: str, custom_objects: dict[str, Any] | None = None):
    """Rebuild an architecture from ``to_json`` text (fresh weights)."""
    try:
        entry = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"model_from_json: not JSON ({err})") from None
    return deserialize(entry, custom_objects)
