"""Saving and loading in one safe format: a safetensors file whose metadata holds JSON.

Whatever the file name says (``model.weights.best.hdf5``, ``model.keras``, ``run.convlens``), convlens writes a
safetensors file: tensors plus JSON text, never pickle, so loading cannot run code. Files are written to a temporary
file in the same folder and moved into place with ``os.replace``: a crash mid-save leaves the previous file intact.

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
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from convlens.saving.files import atomic_write_bytes

FORMAT = "convlens"
FORMAT_VERSION = "1"


class UnsafeFileError(ValueError):
    """A file that convlens will not load because loading it could run code (pickle) or it is not convlens's."""


def _check_overwrite(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists and overwrite=False")


def _weight_tensors(model) -> dict[str, torch.Tensor]:
    return {f"weights/{i:04d}": torch.from_numpy(np.ascontiguousarray(w)) for i, w in enumerate(model.get_weights())}


def _encode(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> bytes:
    metadata = {"format": FORMAT, "version": FORMAT_VERSION}
    metadata.update({k: json.dumps(v) for k, v in meta.items()})
    return st_save({k: v.contiguous() for k, v in tensors.items()}, metadata=metadata)


def read_file(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a convlens file: ``(tensors, metadata)``. Pickle, HDF5 and foreign files are refused."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    data = path.read_bytes()
    head = data[:8]
    if head[:1] == b"\x80" or head[:2] == b"PK":
        raise UnsafeFileError(f"{path} looks like a pickle / torch.save file; convlens never unpickles (it could "
                              f"run code). Save with convlens's model.save()/save_weights() instead.")
    if head.startswith(b"\x89HDF"):
        raise UnsafeFileError(f"{path} is an HDF5 file written by Keras; convlens reads its own safetensors format. "
                              f"Move the weights with model.get_weights()/set_weights() instead.")
    try:
        tensors = st_load(data)
        from safetensors import safe_open  # metadata lives in the header
        with safe_open(str(path), framework="pt") as handle:
            raw = handle.metadata() or {}
    except (SafetensorError, ValueError, OSError) as err:
        raise UnsafeFileError(f"{path} is not a convlens/safetensors file ({err})") from None
    if raw.get("format") != FORMAT:
        raise UnsafeFileError(f"{path} is a safetensors file but not one convlens wrote (format={raw.get('format')!r})")
    meta = {k: json.loads(v) for k, v in raw.items() if k not in ("format", "version")}
    return tensors, meta


def save_weights(model, filepath: str | Path, overwrite: bool = True) -> None:
    path = Path(filepath)
    _check_overwrite(path, overwrite)
    atomic_write_bytes(path, _encode(_weight_tensors(model), {"kind": "weights"}))


def load_weights(model, filepath: str | Path) -> None:
    tensors, _ = read_file(filepath)
    weights = [tensors[k].numpy() for k in sorted(k for k in tensors if k.startswith("weights/"))]
    if not model.built and getattr(model, "input_shape", None) is None:
        raise ValueError("build the model (give it an input shape) before load_weights")
    model.set_weights(weights)


def _state_payload(model) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Weights, then the model's run state (optimizer, epoch, seeds, RNG) from ``model.run_state()``."""
    tensors = _weight_tensors(model)
    meta: dict[str, Any] = {"class_names": model.class_names}
    run_tensors, run_meta = model.run_state() if hasattr(model, "run_state") else ({}, None)
    tensors.update({f"run/{k}": v for k, v in run_tensors.items()})
    if run_meta is not None:
        meta["run"] = run_meta
    return tensors, meta


def _restore_state(model, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    model.set_weights([tensors[k].numpy() for k in sorted(k for k in tensors if k.startswith("weights/"))])
    model.class_names = meta.get("class_names")
    if "run" in meta and hasattr(model, "load_run_state"):
        model.load_run_state({k[4:]: v for k, v in tensors.items() if k.startswith("run/")}, meta["run"])


def save_checkpoint(model, filepath: str | Path) -> None:
    """Everything needed to resume training exactly, for any model (no architecture config needed)."""
    tensors, meta = _state_payload(model)
    atomic_write_bytes(filepath, _encode(tensors, {"kind": "checkpoint", **meta}))


def restore_checkpoint(model, filepath: str | Path) -> None:
    """Load a ``save_checkpoint`` file into a built, compiled model."""
    tensors, meta = read_file(filepath)
    _restore_state(model, tensors, meta)


def save_model(model, filepath: str | Path, overwrite: bool = True) -> None:
    """Architecture (config), weights, compile settings, optimizer state and the last fit's training state."""
    path = Path(filepath)
    _check_overwrite(path, overwrite)
    tensors, meta = _state_payload(model)
    meta.update({"kind": "model", "class_name": type(model).__name__, "config": model.get_config()})
    if model.compiled is not None:
        meta["compile"] = {**model.compiled.get_config(), "optimizer": model.optimizer.get_config()}
    atomic_write_bytes(path, _encode(tensors, meta))


def load_model(filepath: str | Path, compile: bool = True):
    """Rebuild a model saved with ``model.save`` (architecture, weights, optimizer, training state).

    Example: ``model = convlens.models.load_model("runs/main/model.convlens")``.
    """
    from convlens.models.sequential import Sequential  # TODO(graph): registry
    tensors, meta = read_file(filepath)
    if meta.get("kind") != "model":
        raise ValueError(f"{filepath} holds weights only; build the model and call load_weights() instead")
    if meta.get("class_name") != "Sequential":
        raise ValueError(f"{filepath}: cannot rebuild a {meta.get('class_name')} from a config")
    model = Sequential.from_config(meta["config"])
    if compile and "compile" in meta:
        from convlens.training.setup import compile_from_config
        compile_from_config(model, meta["compile"])
    _restore_state(model, tensors, meta)
    return model
