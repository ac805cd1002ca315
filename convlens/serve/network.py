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
from typing import Any

import numpy as np
import torch

from convlens.arithmetic import ReceptiveField
from convlens.explain import conv2d, pool2d
from convlens.explain.text import number
from convlens.inspect import layer_outputs

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


def _fields(model: Any) -> list[list[ReceptiveField] | None]:
    """Per layer, the receptive field along each spatial axis (``None`` once a layer sees the whole input)."""
    shape = tuple(model.input_shape)
    fields: list[ReceptiveField] | None = [ReceptiveField() for _ in shape[1:-1]]
    out = []
    for layer in model.layers:
        step = layer.receptive_step(shape) if hasattr(layer, "receptive_step") else "global"
        if step in ("global", "upsample"):
            fields = None
        elif step is not None and fields is not None:
            fields = [f.through(k, s, pad, d) for f, (k, s, pad, d) in zip(fields, step)]
        out.append(fields)
        shape = layer.compute_output_shape(shape) if hasattr(layer, "compute_output_shape") else shape
    return out


def describe(model: Any) -> dict[str, Any]:
    """JSON-ready description: input shape, class names and one entry per layer (Keras name, type, output shape,
    parameter formula, receptive field, MACs, kind, receptive-field geometry ``[size, jump, start]`` per axis)."""
    rows = model.summary_rows()
    fields = _fields(model)
    layers = []
    for i, (row, layer, field) in enumerate(zip(rows, model.layers, fields)):
        layers.append({
            "name": row.name, "type": row.type, "output_shape": list(row.output_shape), "params": row.params,
            "formula": row.formula, "receptive_field": row.receptive_field, "macs": row.macs,
            "kind": _kind(layer, row.output_shape, i == len(rows) - 1),
            "geometry": None if field is None else [[f.size, f.jump, f.start] for f in field],
        })
    return {"name": model.name, "input_shape": list(model.input_shape), "class_names": class_names(model),
            "layers": layers, "params": sum(r.params for r in rows), "macs": sum(r.macs for r in rows)}


def class_names(model: Any, count: int | None = None) -> list[str]:
    """The model's saved class names, else ``'0'…'n-1'`` from the output width."""
    names = getattr(model, "class_names", None)
    if names:
        return [str(n) for n in names]
    if count is None:
        count = int(model.summary_rows()[-1].output_shape[-1])
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
    return [{"name": layer.name, **quantise(outputs[layer.name][0])} for layer in model.layers
            if layer.name in outputs]


def _layer_input(model: Any, x: np.ndarray, index: int) -> np.ndarray:
    if index == 0:
        return x
    previous = model.layers[index - 1].name
    return layer_outputs(model, x[None])[previous][0]


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
    names = [layer.name for layer in model.layers]
    if layer_name not in names:
        raise ValueError(f"no layer named {layer_name!r}; layers: {', '.join(names)}")
    index = names.index(layer_name)
    layer = model.layers[index]
    inputs = _layer_input(model, x, index)
    output = layer_outputs(model, x[None])[layer_name][0]
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
        activation, computed = _activate(layer, total + bias)
        top = np.argsort(-np.abs(products))[:5]
        terms = ", ".join(f"x[{i}]·w = {number(products[i])}" for i in top)
        text = (f"{layer_name}[{channel}]: {flat.size} inputs × weights = {number(total)} + bias {number(bias)} = "
                f"{number(total + bias)} → {activation} → {number(computed)}")
        detail = f"largest terms: {terms}"
        if kind == "Dense" and activation == "softmax":
            computed = value  # softmax needs the whole layer; the unit's own calculation stops at the logit
    else:
        raise ValueError(f"{layer_name} ({kind}) has no unit calculation to show; hover a convolution, pooling or "
                         f"dense layer")
    geometry = _fields(model)[index]
    box = None
    if geometry is not None and output.ndim == 3:
        box = []
        for f, position, size in zip(geometry, (row, col), x.shape[:2]):
            centre = f.start + position * f.jump
            low, high = int(np.floor(centre - f.size / 2)), int(np.ceil(centre + f.size / 2))
            box.append([max(low, 0), min(high, size)])
    return {"layer": layer_name, "channel": channel, "row": row, "col": col, "text": text, "detail": detail,
            "value": value, "computed": computed, "matches": bool(abs(computed - value) <= 1e-4 * max(1, abs(value))),
            "box": box}
