"""Checks of what the user hands ``fit`` / ``evaluate`` / ``predict``, each a one-line ``ValueError`` that names the
value and the fix: arrays that cannot become tensors, targets whose shape does not fit the model's output, and
``class_weight`` tables that name classes the model does not have.

Example:
    >>> import numpy as np
    >>> check_array_dtype(np.array(["cat", "dog"]), "y")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: y holds text (dtype <U3), which cannot be a tensor; map the class names to integers, e.g. ...
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

_TENSOR_KINDS = "biuf"  # bool, int, unsigned, float: the dtypes a model's inputs and targets can take


def check_array_dtype(array: np.ndarray, name: str) -> None:
    """Refuse an array whose dtype cannot be a tensor (text, dates, Python objects, complex numbers), naming
    ``name`` (``x``, ``y``, ``sample_weight`` …) and the fix."""
    kind = array.dtype.kind
    if kind in _TENSOR_KINDS:
        return
    is_text = kind in "US" or (kind == "O" and array.size and all(isinstance(v, (str, bytes))
                                                                  for v in array.reshape(-1)[:1000]))
    if is_text and name.startswith("y"):
        fix = "map the class names to integers, e.g. names, y = np.unique(y, return_inverse=True)"
    elif is_text and name.startswith("x"):
        fix = ("models take numbers: decode image files first (convlens.utils.load_img / img_to_array, or "
               "image_dataset_from_directory)")
    elif kind == "O":
        raise ValueError(f"{name} must be a numeric array, got an array of Python objects (dtype object: ragged "
                         f"lists, or mixed types?); give one numeric array of equal-length rows")
    elif kind == "c":
        fix = f"pass its real part (np.real({name})) or its magnitude (np.abs({name}))"
    else:
        fix = "convert it to numbers first (e.g. .astype('int64') or .astype('float32'))"
    what = "text" if is_text else "complex numbers" if kind == "c" else "values"
    raise ValueError(f"{name} holds {what} (dtype {array.dtype}), which cannot be a tensor; {fix}")


def as_array(values: Any, name: str) -> np.ndarray:
    """``values`` as a NumPy array a tensor can be made from (checked by ``check_array_dtype``); extended-precision
    floats become float64, and rows of different lengths are refused by name."""
    try:
        array = np.asarray(values)
    except ValueError as err:  # NumPy refuses ragged nested lists outright
        raise ValueError(f"{name} is ragged (rows of different lengths: {err}); give one array of equal-length "
                         f"rows") from None
    check_array_dtype(array, name)
    if array.dtype.kind == "f" and array.dtype.itemsize > 8:  # np.longdouble: torch has no such type
        array = array.astype(np.float64)
    return array


def as_labels(tensor: torch.Tensor, name: str) -> torch.Tensor:
    """Targets as torch computes with them: unsigned integers wider than 8 bits (which torch can hold but not
    reduce or index with) become int64 (a label past int64's range turns negative and is refused as a label).

    Example:
        >>> as_labels(torch.tensor([1, 2], dtype=torch.uint32), "y").dtype
        torch.int64
    """
    if tensor.dtype in (torch.uint16, torch.uint32, torch.uint64):
        tensor = tensor.to(torch.int64)
    return tensor


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join(["None", *map(str, shape)]) + (",)" if not shape else ")")


def check_target_shape(y: torch.Tensor, output_shape: tuple[int, ...] | None, where: str) -> None:
    """Targets must follow the model's output over its spatial axes: an output ``(None, 8, 8, 3)`` (a ``Dense``
    head on a 4-D tensor without ``Flatten``) takes per-position targets ``(N, 8, 8[, …])``, not one label per
    sample. Outputs with one axis per sample (``(None, K)``) are left to the loss's own checks."""
    if output_shape is None or len(output_shape) < 2:
        return
    positions = tuple(output_shape[:-1])
    if tuple(y.shape[1:1 + len(positions)]) == positions or y.dim() - 1 >= len(positions):
        return  # per-position targets of the wrong size are the loss's own checks to name
    pooling = f"GlobalAveragePooling{min(len(positions), 3)}D()"
    per_position = ", ".join(str(d) for d in positions)
    raise ValueError(f"{where}: the model's output has shape {_shape_text(tuple(output_shape))} (a prediction per "
                     f"position), but the targets have shape {tuple(y.shape)}; give per-position targets "
                     f"(N, {per_position}, …), or for one prediction per sample add Flatten() or {pooling} before "
                     f"the Dense head")


def class_weight_table(class_weight: dict, classes: int) -> torch.Tensor:
    """``class_weight`` as a table of ``classes`` weights (missing classes weigh 1); a key that is not one of the
    model's classes (``7`` for 3 classes, ``-1``, ``"cat"``) or a weight that is not a finite number ≥ 0 is
    refused by name.

    Example:
        >>> class_weight_table({0: 1, 2: 5}, 3).tolist()
        [1.0, 1.0, 5.0]
    """
    if not isinstance(class_weight, dict):
        raise ValueError(f"class_weight must be a dict {{class index: weight}}, got {type(class_weight).__name__}")
    table = torch.ones(classes)
    for label, weight in class_weight.items():
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= int(label) < classes:
            raise ValueError(f"class_weight names class {label!r}, but the model has {classes} classes "
                             f"(0…{classes - 1}); key class_weight by class index")
        if isinstance(weight, bool) or not isinstance(weight, (int, float, np.number)) or \
                not np.isfinite(float(weight)) or float(weight) < 0:
            raise ValueError(f"class_weight[{int(label)}] must be a finite number >= 0, got {weight!r}")
        table[int(label)] = float(weight)
    return table


def _whole(value: Any, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def check_run_state(meta: dict[str, Any]) -> None:
    """A stored run state (``Trainer.state_dict()``'s JSON) must have the shape ``load_state_dict`` and a resume
    read: position numbers that are whole and not negative, a shuffle seed, numeric sums, and dicts where dicts
    belong. Anything else is refused by name before it can mislead a resume.

    Example:
        >>> check_run_state({"run": {"epoch": "x", "batch": 0, "shuffle_seed": 1}})
        Traceback (most recent call last):
        ...
        ValueError: the stored run state has epoch='x'; expected a whole number >= 0
    """
    if not isinstance(meta, dict):
        raise ValueError(f"the stored run state is not a JSON object, got {type(meta).__name__}")
    for key in ("scaler", "callbacks", "optimizer_state"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise ValueError(f"the stored run state has {key} of type {type(meta[key]).__name__}; expected an object")
    if not all(isinstance(v, dict) for v in meta.get("callbacks", {}).values()):
        raise ValueError("the stored run state has callback states that are not objects")
    run = meta.get("run")
    if run is None:
        return
    if not isinstance(run, dict):
        raise ValueError(f"the stored run state has run of type {type(run).__name__}; expected an object")
    wanted = {"epoch": 0, "batch": 0, "shuffle_seed": None, "world_size": 1}
    for key, low in wanted.items():
        if key not in run:
            if key in ("epoch", "shuffle_seed"):
                raise ValueError(f"the stored run state has no {key}")
            continue
        if not (isinstance(run[key], int) and not isinstance(run[key], bool) if low is None else
                _whole(run[key], low)):
            expected = "a whole number" if low is None else f"a whole number >= {low}"
            raise ValueError(f"the stored run state has {key}={run[key]!r}; expected {expected}")
    sums = run.get("sums")
    if sums is not None and not (isinstance(sums, list) and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in sums)):
        raise ValueError(f"the stored run state has sums={str(sums)[:60]}; expected a list of numbers")
    data = run.get("data")
    if data is not None and not (isinstance(data, dict) and all(_whole(data.get(k), 0) for k in ("seed", "epoch"))):
        raise ValueError(f"the stored run state has data={str(data)[:60]}; expected {{'seed': …, 'epoch': …}}")


def check_sample_weight(weights: torch.Tensor, y: torch.Tensor | None, name: str = "sample_weight") -> None:
    """Sample weights are finite numbers >= 0, one per sample (``(N,)`` or ``(N, 1)``) or one per target value
    (the shape of ``y``); a NaN weight would otherwise stop training as if the learning rate were too high.

    Example:
        >>> check_sample_weight(torch.tensor([1.0, -2.0]), None)
        Traceback (most recent call last):
        ...
        ValueError: sample_weight holds 1 negative weights (the smallest -2.0); weights must be >= 0
    """
    if weights.numel():
        bad = int((~torch.isfinite(weights)).sum())
        if bad:
            raise ValueError(f"{name} holds {bad} NaN or infinite weights; weights must be finite numbers >= 0")
        negative = int((weights < 0).sum())
        if negative:
            raise ValueError(f"{name} holds {negative} negative weights (the smallest {float(weights.min())}); "
                             f"weights must be >= 0")
    shape, n = tuple(weights.shape), len(weights) if weights.dim() else 0
    allowed = {(n,), (n, 1)}
    if y is not None:  # one per target value, or one per loss element (the loss reduces y's last axis)
        allowed |= {tuple(y.shape)} | ({tuple(y.shape[:-1])} if y.dim() > 2 else set())
    if shape not in allowed:
        target = f" or the shape of y {tuple(y.shape)} (or {tuple(y.shape[:-1])})" if y is not None else ""
        raise ValueError(f"{name} has shape {shape}; expected one weight per sample ({n},){target}")
