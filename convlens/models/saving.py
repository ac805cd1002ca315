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
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

FORMAT = "convlens"
FORMAT_VERSION = "1"


class UnsafeFileError(ValueError):
    """A file that convlens will not load because loading it could run code (pickle) or it is not convlens's."""


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def _optimizer_state(model) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
    optimizer = model.optimizer
    if optimizer is None or optimizer.torch_optimizer is None:
        return {}, None
    state = optimizer.torch_optimizer.state_dict()
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, slot in state["state"].items():
        for key, value in slot.items():
            if torch.is_tensor(value):
                tensors[f"optimizer/{index}/{key}"] = value.detach().cpu().clone()
            else:
                scalars.setdefault(str(index), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _restore_optimizer(model, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    torch_optimizer = model.optimizer.build(model)
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optimizer/"):
            _, index, name = key.split("/", 2)
            state.setdefault(int(index), {})[name] = value
    for index, values in meta.get("scalars", {}).items():
        state.setdefault(int(index), {}).update(values)
    torch_optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})


def _state_payload(model) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Weights, optimizer state and the last fit's training state (epoch, shuffle seed, RNG)."""
    tensors = _weight_tensors(model)
    optimizer_tensors, optimizer_meta = _optimizer_state(model)
    tensors.update(optimizer_tensors)
    meta: dict[str, Any] = {"class_names": model.class_names}
    if optimizer_meta is not None:
        meta["optimizer_state"] = optimizer_meta
    if model.training_state is not None:
        state = dict(model.training_state)
        tensors["rng/torch"] = state.pop("torch_rng")
        meta["training_state"] = state
    return tensors, meta


def _restore_state(model, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    model.set_weights([tensors[k].numpy() for k in sorted(k for k in tensors if k.startswith("weights/"))])
    model.class_names = meta.get("class_names")
    if "optimizer_state" in meta and model.optimizer is not None:
        _restore_optimizer(model, tensors, meta["optimizer_state"])
    if "training_state" in meta:
        model.training_state = {**meta["training_state"], "torch_rng": tensors["rng/torch"]}


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
    from convlens.models.sequential import Sequential
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
