"""What resuming a run exactly needs (``RunState``), and how it is stored: tensors plus JSON, never pickle.

The trainer fills a ``RunState``; ``run_state_payload`` turns it into ``(tensors, meta)`` for a model file or a
checkpoint (``model_file.py`` puts the tensors under ``run/``), and ``read_run_state`` turns them back. The layout is
the one convlens has always written, so older files and checkpoints load:

* ``meta["run"]``: the position (``epoch``, ``batch``, ``shuffle_seed``, and when set ``sums``, ``data``,
  ``world_size``);
* ``meta["optimizer_state"]``: the torch optimizer's ``param_groups`` and its non-tensor ``scalars``; its tensors
  are ``optimizer/<param index>/<name>``;
* ``meta["scaler"]``: the gradient scaler's state;
* ``meta["callbacks"]``: each callback's state by ``<class name>.<position>``; arrays are
  ``callbacks/<key>/<name>`` (or ``…/<name>/<i:04d>`` for a list of arrays).

Example:
    >>> state = RunState(epoch=2, batch=3, shuffle_seed=7, callbacks={"EarlyStopping.0": {"best": float("inf")}})
    >>> tensors, meta = run_state_payload(state)
    >>> meta["run"], meta["callbacks"]
    ({'epoch': 2, 'batch': 3, 'shuffle_seed': 7}, {'EarlyStopping.0': {'best': {'__float__': 'inf'}}})
    >>> read_run_state(tensors, meta) == state
    True
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from convlens.saving import optimizer_state

_POSITION = ("epoch", "batch", "shuffle_seed", "sums", "data", "world_size")


@dataclass
class RunState:
    """Where a run stands and the states that make its next batch the same as in an uninterrupted run.

    ``shuffle_seed`` is None until a ``fit`` has run (then there is no position to resume). ``sums`` are the
    epoch's running loss/metric sums, ``data`` a seeded iterator's ``{'seed', 'epoch'}``, ``world_size`` the
    processes that took a mid-epoch backup. ``optimizer`` is a torch optimizer ``state_dict()``, ``scaler`` a
    ``GradScaler.state_dict()``, ``callbacks`` each callback's ``state_dict()`` keyed ``<class>.<position>``.
    """

    epoch: int = 0
    batch: int = 0
    shuffle_seed: int | None = None
    sums: list[float] | None = None
    data: dict[str, int] | None = None
    world_size: int | None = None
    optimizer: dict[str, Any] | None = None
    scaler: dict[str, Any] | None = None
    callbacks: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def started(self) -> bool:
        """True once a ``fit`` ran (or a backup of one was loaded): there is a position to resume from."""
        return self.shuffle_seed is not None

    def position(self) -> dict[str, Any]:
        """The position as JSON (``meta["run"]``): only the fields that are set."""
        if not self.started:
            return {}
        return {name: getattr(self, name) for name in _POSITION if getattr(self, name) is not None}


def split_arrays(values: dict[str, Any], prefix: str, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """JSON values stay; arrays (and lists of arrays) go to ``tensors`` and leave a marker; inf/NaN floats become
    ``{"__float__": "inf"}`` (JSON has no infinity).

    Example:
        >>> tensors = {}
        >>> split_arrays({"wait": 1, "best": np.zeros(2)}, "callbacks/X.0", tensors), sorted(tensors)
        ({'wait': 1, 'best': {'__array__': True}}, ['callbacks/X.0/best'])
    """
    plain: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, (np.ndarray, torch.Tensor))
                                                              for v in value):
            for i, item in enumerate(value):
                tensors[f"{prefix}/{name}/{i:04d}"] = torch.as_tensor(np.asarray(item)).contiguous()
            plain[name] = {"__arrays__": len(value)}
        elif isinstance(value, (np.ndarray, torch.Tensor)):
            tensors[f"{prefix}/{name}"] = torch.as_tensor(np.asarray(value)).contiguous()
            plain[name] = {"__array__": True}
        elif isinstance(value, float) and not math.isfinite(value):
            plain[name] = {"__float__": str(value)}
        else:
            plain[name] = value
    return plain


def join_arrays(values: dict[str, Any], prefix: str, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The inverse of ``split_arrays`` (arrays come back as NumPy arrays)."""
    joined: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict) and "__arrays__" in value:
            joined[name] = [tensors[f"{prefix}/{name}/{i:04d}"].numpy() for i in range(value["__arrays__"])]
        elif isinstance(value, dict) and "__array__" in value:
            joined[name] = tensors[f"{prefix}/{name}"].numpy()
        elif isinstance(value, dict) and "__float__" in value:
            joined[name] = float(value["__float__"])
        else:
            joined[name] = value
    return joined


def run_state_payload(state: RunState) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
    """``(tensors, meta)`` of a run state (meta is None when there is nothing to store)."""
    tensors: dict[str, torch.Tensor] = {}
    meta: dict[str, Any] = {}
    if state.optimizer is not None:
        meta["optimizer_state"] = optimizer_state.split(state.optimizer, tensors)
    if state.started:
        meta["run"] = state.position()
    if state.scaler is not None:
        meta["scaler"] = state.scaler
    callbacks = {key: split_arrays(values, f"callbacks/{key}", tensors)
                 for key, values in state.callbacks.items() if values}
    if callbacks:
        meta["callbacks"] = callbacks
    return tensors, (meta or None)


def read_run_state(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> RunState:
    """The ``RunState`` that ``run_state_payload`` stored (files of every convlens version)."""
    position = {name: value for name, value in dict(meta.get("run") or {}).items() if name in _POSITION}
    optimizer = optimizer_state.join(meta["optimizer_state"], tensors) if "optimizer_state" in meta else None
    callbacks = {key: join_arrays(values, f"callbacks/{key}", tensors)
                 for key, values in meta.get("callbacks", {}).items()}
    return RunState(**position, optimizer=optimizer, scaler=meta.get("scaler"), callbacks=callbacks)


__all__ = ["RunState", "join_arrays", "read_run_state", "run_state_payload", "split_arrays"]
