"""What the live page shows of a model: each layer's title facts, its receptive-field geometry, its outputs for one
input (quantised for heatmaps) and the calculation behind one unit (from ``convlens.explain``).

Example:
    >>> import numpy as np
    >>> from convlens import Sequential
    >>> from convlens.layers import Conv2D, Flatten, Dense
    >>> model = Sequential([Conv2D(2, 3, activation="relu", input_shape=(5, 5, 1)), Flatten(), Dense(3)])
    >>> [(layer["name"], layer["kind"], layer["receptive_field"]) for layer in describe(model)["layers"]]
    [('conv2d_1', 'conv', '3×3'), ('flatten_1', 'other', 'all'), ('dense_1', 'output', 'all')]
    >>> unit = explain_unit(model, np.ones((5, 5, 1), "float32"), "conv2d_1", channel=0, row=1, col=1)
    >>> unit["box"], unit["matches"]
    ([[1, 4], [1, 4]], True)
"""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from convlens.arithmetic import ReceptiveField
from convlens.explain import conv2d, pool2d
from convlens.explain.text import number
from convlens.graph import Functional, network_receptive_fields
from convlens.inspect import layer_outputs
from convlens.layers import InputLayer

CONV_TYPES = ("Conv2D",)
POOL_TYPES = ("MaxPooling2D", "AveragePooling2D")


def _kind(layer: Any, output_shape: tuple, last: bool) -> str:
    if last:
        return "output"
    name = type(layer).__name__
    if "Conv" in name:
        return "conv"
    if "Pool" in name and len(output_shape) == 4:
        return "pool"
    if name == "Dense":
        return "dense"
    return "other"


@dataclass(frozen=True)
class LayerPlace:
    """Where a layer sits in the graph: the layers feeding it (``[]``: the model's input), its receptive field per
    spatial axis (``None`` once it sees the whole input) and its branch (panel group)."""

    parents: list[str]
    fields: list[ReceptiveField] | None
    group: int


def places(model: Functional) -> dict[str, LayerPlace]:
    """Every layer's :class:`LayerPlace`; a branch is a chain of layers each fed by the previous one alone."""
    fields = network_receptive_fields(model)
    nodes = [node for node in model._nodes if not isinstance(node.layer, InputLayer)]
    children: dict[str, int] = {}
    for node in model._nodes:
        for tensor in node.input_tensors:
            children[tensor.node.layer.name] = children.get(tensor.node.layer.name, 0) + 1
    out: dict[str, LayerPlace] = {}
    groups = 0
    for node in nodes:
        parents = [t.node.layer.name for t in node.input_tensors if not isinstance(t.node.layer, InputLayer)]
        chained = (len(node.input_tensors) == 1 and parents and children.get(parents[0]) == 1
                   and parents[0] in out)
        group = out[parents[0]].group if chained else groups
        groups += not chained
        out.setdefault(node.layer.name, LayerPlace(parents, fields[id(node)][0], group))
    return out


def _layers(model: Any) -> list[tuple[Any, Any]]:
    """``(summary row, layer)`` for every layer but the input layers, in the model's order."""
    return [(row, model.get_layer(row.name)) for row in model.summary_rows() if row.type != "InputLayer"]


def describe(model: Any) -> dict[str, Any]:
    """JSON-ready description: input shape, class names and one entry per layer (Keras name, type, output shape,
    parameter formula, receptive field, MACs, kind, inputs, branch and receptive-field geometry
    ``[size, jump, start]`` per axis)."""
    if not isinstance(model, Functional):
        return _describe_module(model)
    layers = _layers(model)
    where = places(model)
    described = []
    for i, (row, layer) in enumerate(layers):
        place = where.get(row.name, LayerPlace([], None, 0))
        output_shape = row.output_shape if isinstance(row.output_shape, tuple) else tuple(row.output_shape[0])
        described.append({
            "name": row.name, "type": row.type, "output_shape": list(output_shape), "params": row.params,
            "formula": row.formula, "receptive_field": row.receptive_field, "macs": row.macs,
            "kind": _kind(layer, output_shape, i == len(layers) - 1), "inputs": place.parents, "group": place.group,
            "geometry": None if place.fields is None else [[f.size, f.jump, f.start] for f in place.fields],
        })
    return {"name": model.name, "input_shape": list(model.input_shape), "class_names": class_names(model),
            "layers": described, "params": sum(r.params for r, _ in layers), "macs": sum(r.macs for r, _ in layers)}


def _describe_module(model: Any) -> dict[str, Any]:
    """A wrapped torch module: its children, with shapes from one pass on zeros (no arithmetic, no geometry)."""
    outputs = layer_outputs(model, np.zeros((1, *model.input_shape[1:]), np.float32))
    modules = dict(_leaf_modules(model))
    described = []
    for i, (name, out) in enumerate(outputs.items()):
        module = modules.get(name)
        params = sum(p.numel() for p in module.parameters()) if module is not None else 0
        shape = [None, *out.shape[1:]]
        described.append({"name": name, "type": type(module).__name__, "output_shape": shape, "params": params,
                          "formula": f"{params:,}", "receptive_field": "-", "macs": 0,
                          "kind": "output" if i == len(outputs) - 1 else "other", "inputs": [], "group": 0,
                          "geometry": None})
    return {"name": model.name, "input_shape": list(model.input_shape), "class_names": class_names(model,
            int(np.prod(list(outputs.values())[-1].shape[1:]))), "layers": described,
            "params": sum(d["params"] for d in described), "macs": 0}


def _leaf_modules(model: Any) -> list[tuple[str, Any]]:
    children = list(model.module.named_children()) if hasattr(model, "module") else []
    return children or [(type(model.module).__name__.lower(), model.module)]


def class_names(model: Any, count: int | None = None) -> list[str]:
    """The model's saved class names, else ``'0'…'n-1'`` from the output width."""
    names = getattr(model, "class_names", None)
    if names:
        return [str(n) for n in names]
    if count is None:
        shape = model.summary_rows()[-1].output_shape if isinstance(model, Functional) else None
        if shape is None:  # a wrapped module: ask it
            with torch.no_grad():
                shape = tuple(model(torch.zeros((1, *model.input_shape[1:]))).shape)
        count = int(shape[-1])
    return [str(i) for i in range(count)]


def quantise(array: np.ndarray) -> dict[str, Any]:
    """One layer's output for one sample as uint8 (one scale for the whole layer) in base64, with its min/max."""
    values = np.asarray(array, dtype=np.float32)
    low, high = float(values.min()), float(values.max())
    scaled = np.zeros(values.shape, np.uint8) if high <= low else \
        np.round((values - low) / (high - low) * 255).astype(np.uint8)
    return {"shape": list(values.shape), "min": low, "max": high,
            "data": base64.b64encode(scaled.tobytes()).decode("ascii")}


def layer_views(model: Any, x: np.ndarray) -> list[dict[str, Any]]:
    """Every layer's output for the single input ``x`` ``(H, W, C)``, quantised, in model order."""
    outputs = layer_outputs(model, x[None])
    names = [row.name for row, _ in _layers(model)] if isinstance(model, Functional) else list(outputs)
    return [{"name": name, **quantise(outputs[name][0])} for name in names
            if name in outputs and isinstance(outputs[name], np.ndarray)]


def _activate(layer: Any, value: float) -> tuple[str, float]:
    fn = getattr(layer, "activation", None)
    name = getattr(fn, "__name__", "linear") if fn is not None else "linear"
    if fn is None or name == "linear":
        return "linear", value
    return name, float(fn(torch.tensor([value], dtype=torch.float32))[0])


def explain_unit(model: Any, x: np.ndarray, layer_name: str, channel: int, row: int = 0,
                 col: int = 0) -> dict[str, Any]:
    """The calculation of one unit of a conv, pooling or dense layer for the input ``x`` ``(H, W, C)``.

    Returns ``text`` (patch × kernel = sum + bias → activation), ``value`` (what the model computed), ``matches``
    (whether the explainer's number equals it) and ``box``: the unit's receptive field on the input as
    ``[[top, bottom), [left, right))``, clipped to the input.
    """
    if not isinstance(model, Functional):
        raise ValueError("unit calculations need a convlens model (Sequential or functional), not a wrapped module")
    where = places(model)
    if layer_name not in where:
        raise ValueError(f"no layer named {layer_name!r}; layers: {', '.join(where)}")
    layer = model.get_layer(layer_name)
    place = where[layer_name]
    outputs = layer_outputs(model, x[None])
    if len(place.parents) > 1:
        raise ValueError(f"{layer_name} merges {len(place.parents)} inputs; hover a convolution, pooling or dense "
                         f"layer")
    inputs = outputs[place.parents[0]][0] if place.parents else x
    output = outputs[layer_name][0]
    if not 0 <= channel < output.shape[-1]:
        raise ValueError(f"channel must be in 0…{output.shape[-1] - 1} for {layer_name}, got {channel}")
    kind = type(layer).__name__
    if output.ndim == 3:
        if not (0 <= row < output.shape[0] and 0 <= col < output.shape[1]):
            raise ValueError(f"unit ({row}, {col}) is outside {layer_name}'s {output.shape[0]}×{output.shape[1]} map")
        value = float(output[row, col, channel])
    else:
        value = float(output[channel])
    if kind in CONV_TYPES and getattr(layer, "groups", 1) == 1 and tuple(layer.dilation_rate) == (1, 1):
        weights = layer.get_weights()
        bias = float(weights[1][channel]) if len(weights) > 1 else 0.0
        trace = conv2d(inputs, weights[0][..., channel], stride=layer.strides, padding=layer.padding, bias=bias)
        step = trace.steps[row * trace.output.shape[1] + col]
        activation, computed = _activate(layer, step.value)
        channels = f" over {inputs.shape[-1]} channels" if inputs.shape[-1] > 1 else ""
        text = (f"{layer_name}[{row}, {col}, {channel}]: patch {'×'.join(map(str, step.patch.shape))}{channels} × "
                f"kernel = {number(step.total)} + bias {number(bias)} = {number(step.value)} → {activation} → "
                f"{number(computed)}")
        if step.products.ndim == 3:  # several input channels: one partial sum per channel, not every product
            partial = step.products.reshape(-1, step.products.shape[-1]).sum(axis=0)
            detail = "\n".join(f"  channel {c}: sum(patch × kernel) = {number(v)}" for c, v in enumerate(partial))
            where = ", ".join(f"{o}:{o + n}" for o, n in zip(step.origin, step.patch.shape))
            detail = f"output[{row}, {col}] ← input[{where}, :]\n{detail}"
        else:
            detail = str(step)
    elif kind in POOL_TYPES:
        trace = pool2d(inputs[..., channel], size=layer.pool_size, stride=layer.strides, mode=layer.mode,
                       padding=layer.padding)
        step = trace.steps[row * trace.output.shape[1] + col]
        computed = float(step.value)
        text = (f"{layer_name}[{row}, {col}, {channel}]: {layer.mode} of the {'×'.join(map(str, step.patch.shape))} "
                f"window = {number(computed)}")
        detail = str(step)
    elif kind == "Dense":
        kernel, *rest = layer.get_weights()
        flat = np.asarray(inputs, np.float64).reshape(-1)
        products = flat * kernel[:, channel]
        bias = float(rest[0][channel]) if rest else 0.0
        total = float(products.sum())
        fn = getattr(layer, "activation", None)
        if getattr(fn, "__name__", "") == "softmax":  # needs every unit's sum: e^z / Σ e^z over the layer
            logits = flat @ kernel + (rest[0] if rest else 0.0)
            exp = np.exp(logits - logits.max())
            activation, computed = "softmax over the layer", float(exp[channel] / exp.sum())
        else:
            activation, computed = _activate(layer, total + bias)
        top = np.argsort(-np.abs(products))[:5]
        terms = ", ".join(f"x[{i}]·w = {number(products[i])}" for i in top)
        text = (f"{layer_name}[{channel}]: {flat.size} inputs × weights = {number(total)} + bias {number(bias)} = "
                f"{number(total + bias)} → {activation} → {number(computed)}")
        detail = f"largest terms: {terms}"
    else:
        raise ValueError(f"{layer_name} ({kind}) has no unit calculation to show; hover a convolution, pooling or "
                         f"dense layer")
    geometry = place.fields
    box = None
    if geometry is not None and output.ndim == 3:
        box = [list(f.box(position, size)) for f, position, size in zip(geometry, (row, col), x.shape[:2])]
    return {"layer": layer_name, "channel": channel, "row": row, "col": col, "text": text, "detail": detail,
            "value": value, "computed": computed, "matches": bool(abs(computed - value) <= 1e-4 * max(1, abs(value))),
            "box": box}
