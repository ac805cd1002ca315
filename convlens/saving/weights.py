"""Weights by name: every weight keyed by its layer path (``base/conv2d_1/kernel``), in Keras layouts.

Loading checks every name and shape first and assigns only when all fit, so a failed load changes nothing.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(2, input_shape=(3,))])
    >>> {k: v.shape for k, v in named_weight_arrays(model).items()}
    {'dense_1/kernel': (3, 2), 'dense_1/bias': (2,)}
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from torch import nn

from convlens.layers import InputLayer, Layer


def _children(model: nn.Module) -> list[nn.Module] | None:
    """The layers inside a model-like layer, or ``None`` for a leaf layer."""
    if isinstance(model, Layer) and hasattr(model, "layers") and not hasattr(model, "module"):
        return [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    return None


def _entries(model: nn.Module, prefix: str = "") -> list[tuple[str, nn.Module, int]]:
    """``(path, layer, index)`` for every weight: ``index`` is the position in the layer's ``get_weights()``."""
    own = getattr(model, "named_weight_arrays", None)
    if own is not None and hasattr(model, "module"):  # a wrapped torch module names weights by state_dict keys
        return [(prefix + key, model, i) for i, key in enumerate(model.module.state_dict())]
    children = _children(model)
    if children is None:
        if isinstance(model, Layer):
            return [(f"{prefix}{model.name}/{n}", model, i) for i, n in enumerate(model.weight_names())]
        keys = [*dict(model.named_parameters()), *dict(model.named_buffers())]
        return [(f"{prefix}{k}", model, i) for i, k in enumerate(keys)]
    attribute = {id(module): name for name, module in model.named_children()}
    found = []
    for child in children:
        if isinstance(child, Layer):
            child_prefix = prefix + (f"{child.name}/" if _children(child) is not None else "")
        else:  # a plain torch module inside a subclassed model: named by its attribute
            child_prefix = prefix + f"{attribute.get(id(child), type(child).__name__.lower())}/"
        found.extend(_entries(child, child_prefix))
    return found


def _layer_arrays(layer: nn.Module) -> list[np.ndarray]:
    if hasattr(layer, "get_weights"):
        return layer.get_weights()
    return [t.detach().cpu().numpy().copy() for t in (*layer.parameters(), *layer.buffers())]


def named_weight_arrays(model: nn.Module) -> dict[str, np.ndarray]:
    """``{path: array}`` for every weight of ``model`` (Keras layouts)."""
    cache: dict[int, list[np.ndarray]] = {}
    out: dict[str, np.ndarray] = {}
    for path, layer, index in _entries(model):
        if id(layer) not in cache:
            cache[id(layer)] = _layer_arrays(layer)
        out[path] = cache[id(layer)][index]
    return out


def named_weight_shapes(model: nn.Module) -> dict[str, tuple]:
    """``{path: Keras-layout shape}`` without reading any value (works for a model built on the meta device)."""
    out: dict[str, tuple] = {}
    for path, layer, index in _entries(model):
        if isinstance(layer, Layer) and not hasattr(layer, "module"):
            tensor = layer.weight_tensors()[index]
            out[path] = tuple(layer._to_keras(index, tensor.detach()).shape)
        else:
            source = layer.module.state_dict() if hasattr(layer, "module") else \
                {str(i): t for i, t in enumerate((*layer.parameters(), *layer.buffers()))}
            out[path] = tuple(list(source.values())[index].shape)
    return out


def assign_named_weights(model: nn.Module, arrays: dict[str, Any], skip_mismatch: bool = False,
                         where: str = "") -> list[str]:
    """Put ``arrays`` (by path) into ``model``; returns the mismatches it skipped.

    Every weight the model has must be in ``arrays`` with the same shape; otherwise a ValueError lists every
    mismatch and nothing is changed — unless ``skip_mismatch=True``, which loads what fits and warns.
    """
    source = "the file"
    entries = _entries(model)
    current = named_weight_arrays(model)
    problems: list[str] = []
    for path, _, _ in entries:
        if path not in arrays:
            problems.append(f"{path}: missing from {source} (model has shape {current[path].shape})")
        elif tuple(np.shape(arrays[path])) != current[path].shape:
            problems.append(f"{path}: {source} has shape {tuple(np.shape(arrays[path]))}, the model "
                            f"{current[path].shape}")
        elif current[path].dtype.kind == "f" and np.asarray(arrays[path]).dtype.kind != "f":
            problems.append(f"{path}: {source} stores dtype {np.asarray(arrays[path]).dtype}, the model "
                            f"{current[path].dtype} (a damaged or edited file)")
    problems += [f"{path}: in {source} but not in the model" for path in arrays if path not in current]
    if problems and not skip_mismatch:
        raise ValueError(f"{where}{': ' if where else ''}weights do not match model {getattr(model, 'name', '')!r} "
                         f"({len(problems)} mismatches; nothing was loaded):\n  "
                         + "\n  ".join(problems))
    if problems:
        warnings.warn("skipped mismatching weights:\n  " + "\n  ".join(problems), stacklevel=3)
    grouped: dict[int, tuple[nn.Module, list[np.ndarray]]] = {}
    for path, layer, index in entries:
        if id(layer) not in grouped:
            grouped[id(layer)] = (layer, _layer_arrays(layer))
        value = arrays.get(path)
        if value is not None and tuple(np.shape(value)) == current[path].shape and \
                not (current[path].dtype.kind == "f" and np.asarray(value).dtype.kind != "f"):
            grouped[id(layer)][1][index] = np.asarray(value)
    for layer, values in grouped.values():
        if hasattr(layer, "set_weights"):
            layer.set_weights(values)
        else:
            with torch.no_grad():
                for target, value in zip((*layer.parameters(), *layer.buffers()), values):
                    target.copy_(torch.as_tensor(value))
    return problems
