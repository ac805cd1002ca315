"""The optimizer's state as stored in a file: its tensors by ``optimizer/<index>/<slot>``, the rest as JSON — and the
checks that refuse a damaged copy by name before torch's ``load_state_dict`` sees it.

The JSON lists every tensor it stored (``"tensors"``), so a file that lost one (a slot silently starting again from
zeros would make a resume inexact) is refused, naming the tensor.

``split``/``join`` are the file layout (``RunState`` uses them); ``load_into`` checks a joined state against the
optimizer it goes into (groups, weights, slot shapes) before torch's ``load_state_dict`` sees it.

Example:
    >>> import torch
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> w.grad = torch.ones(2); opt.step()
    >>> tensors, meta = pack(opt)
    >>> sorted(tensors), meta["tensors"]
    (['optimizer/0/momentum_buffer'], ['0/momentum_buffer'])
    >>> unpack(opt, {}, meta)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: the stored optimizer state lacks its tensor 'optimizer/0/momentum_buffer', so a resume would ...
"""
from __future__ import annotations

from typing import Any

import torch

PREFIX = "optimizer/"


def split(state: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The JSON part of a torch optimizer ``state_dict()``; its tensors go into ``tensors`` under ``optimizer/…``."""
    scalars: dict[str, dict[str, Any]] = {}
    names = []
    for index, slot in state["state"].items():
        for key, value in slot.items():
            if torch.is_tensor(value):
                tensors[f"{PREFIX}{index}/{key}"] = value.detach().cpu().clone()
                names.append(f"{index}/{key}")
            else:
                scalars.setdefault(str(index), {})[key] = value
    return {"param_groups": state["param_groups"], "scalars": scalars, "tensors": sorted(names)}


def pack(torch_optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """``(tensors, json)`` of the optimizer's ``state_dict()``."""
    tensors: dict[str, torch.Tensor] = {}
    return tensors, split(torch_optimizer.state_dict(), tensors)


def _fail(what: str) -> None:
    raise ValueError(f"the stored optimizer state {what}")


def _check_groups(groups: Any, torch_optimizer: torch.optim.Optimizer) -> list[int]:
    """The stored param groups must be the optimizer's: as many groups, as many weights in each."""
    ours = torch_optimizer.param_groups
    if not isinstance(groups, list) or not all(isinstance(g, dict) and isinstance(g.get("params"), list)
                                               for g in groups):
        _fail(f"has malformed param_groups (expected a list of {{'params': […], …}}), got {str(groups)[:80]!r}")
    if len(groups) != len(ours):
        _fail(f"has {len(groups)} parameter groups, but the model's optimizer has {len(ours)}")
    indices: list[int] = []
    for number, (stored, own) in enumerate(zip(groups, ours)):
        if len(stored["params"]) != len(own["params"]):
            _fail(f"has {len(stored['params'])} weights in parameter group {number}, but the model has "
                  f"{len(own['params'])}")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in stored["params"]):
            _fail(f"has non-integer weight indices in parameter group {number}")
        for key, value in own.items():  # a setting the update reads (lr, beta_1 …) must stay a number
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key in stored and \
                    (isinstance(stored[key], bool) or not isinstance(stored[key], (int, float))):
                _fail(f"has {key}={stored[key]!r} in parameter group {number}, where a number was expected")
        indices += stored["params"]
    if len(set(indices)) != len(indices):
        _fail("lists a weight twice in its parameter groups")
    return indices


def join(meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """The torch ``state_dict()`` that ``split`` stored, checked for what needs no optimizer: a JSON object, every
    listed tensor present, settings that are numbers."""
    if not isinstance(meta, dict):
        _fail(f"is not a JSON object, got {type(meta).__name__}")
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        if not key.startswith(PREFIX):
            continue
        index, _, name = key[len(PREFIX):].partition("/")
        if not index.isdigit() or not name:
            _fail(f"has a tensor {key!r} for no weight of the model")
        state.setdefault(int(index), {})[name] = value
    scalars = meta.get("scalars", {})
    if not isinstance(scalars, dict) or not all(isinstance(v, dict) and str(k).isdigit() for k, v in scalars.items()):
        _fail(f"has malformed scalars {str(scalars)[:80]!r}")
    for index, values in scalars.items():
        for name, value in values.items():
            if not (value is None or isinstance(value, (int, float, bool))):
                _fail(f"has the setting {name}={str(value)[:40]!r} for weight {index}; expected a number")
        state.setdefault(int(index), {}).update(values)
    declared = meta.get("tensors")
    if declared is None:  # files from before the list: a weight holding only some of the others' slots lost some
        slots = {index: {k for k, v in values.items() if torch.is_tensor(v)} for index, values in state.items()}
        every = set().union(*slots.values()) if slots else set()
        declared = [f"{index}/{name}" for index, names in slots.items() if names for name in sorted(every)]
    elif not isinstance(declared, list) or not all(isinstance(name, str) for name in declared):
        _fail(f"has a malformed tensor list {str(declared)[:80]!r}")
    for name in declared:
        if f"{PREFIX}{name}" not in tensors:
            _fail(f"lacks its tensor {PREFIX + name!r}, so a resume would restart it from zeros")
    return {"state": state, "param_groups": meta.get("param_groups")}


def load_into(torch_optimizer: torch.optim.Optimizer, state: dict[str, Any]) -> None:
    """Load a joined ``state`` into ``torch_optimizer`` (built for the same weights), after checking that it fits."""
    indices = _check_groups(state.get("param_groups"), torch_optimizer)
    params = [p for group in torch_optimizer.param_groups for p in group["params"]]
    shapes = {index: tuple(p.shape) for index, p in zip(indices, params)}
    for index, slot in state["state"].items():
        if index not in shapes:
            tensor = next((name for name, value in slot.items() if torch.is_tensor(value)), None)
            if tensor is not None:
                _fail(f"has a tensor {f'{PREFIX}{index}/{tensor}'!r} for no weight of the model")
            _fail(f"has state for weight {index}, which the model does not have")
        for name, value in slot.items():
            key = f"{PREFIX}{index}/{name}"
            if torch.is_tensor(value) and value.dim() and tuple(value.shape) != shapes[index]:
                _fail(f"has {key!r} of shape {tuple(value.shape)}, but its weight has shape {shapes[index]}")
            if torch.is_tensor(value) and value.dim() and not value.is_floating_point():
                _fail(f"has {key!r} of dtype {value.dtype}; expected floating point")
    torch_optimizer.load_state_dict(state)


def unpack(torch_optimizer: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Load ``pack``'s output into ``torch_optimizer``, after checking it whole."""
    load_into(torch_optimizer, join(meta, tensors))
