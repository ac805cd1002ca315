"""A Dense layer is a convolution whose kernel covers the whole input, shown on the user's own model: the model's
Flatten → Dense gives the same numbers as a Conv2D whose filters are as large as the feature map it reads."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure

from convlens import activations
from convlens.explain.dense_conv import DenseAsConv
from convlens.explain.dense_conv import dense_as_conv as explain_dense_as_conv
from convlens.graph import Functional
from convlens.inspect import layer_outputs
from convlens.layers import Conv2D
from convlens.viz._figure import diverging_scale, finish, new_figure
from convlens.viz.feature_maps import DIVERGING
from convlens.viz._model import LayerRef, as_input_batch, get_layer, layer_name


@dataclass(frozen=True)
class DenseConvCheck:
    """``dense``: what the model's Dense layer outputs for the batch; ``conv``: what a Conv2D with kernel = the whole
    ``features`` map and the Dense weights outputs (same activation); ``explained``: the NumPy explainer's
    step-by-step version for the first image (before the activation)."""

    layer: str
    features: np.ndarray
    dense: np.ndarray
    conv: np.ndarray
    explained: DenseAsConv

    @property
    def max_difference(self) -> float:
        """Largest ``|dense − conv|`` over the batch and the units."""
        return float(np.max(np.abs(self.dense - self.conv)))


def _dense_after_flatten(model: Any, layer: LayerRef | None) -> tuple[Any, Any]:
    if not isinstance(model, Functional):
        raise ValueError("dense_as_conv needs a convlens model (Sequential or functional), not a wrapped module")
    nodes = {id(node.layer): node for node in model._nodes}
    candidates = [get_layer(model, layer)] if layer is not None else [
        l for l in model.layers if type(l).__name__ == "Dense"]
    for dense in candidates:
        node = nodes.get(id(dense))
        parent = node.input_tensors[0].node.layer if node is not None and len(node.input_tensors) == 1 else None
        if type(dense).__name__ == "Dense" and type(parent).__name__ == "Flatten":
            return dense, parent
    which = f"layer {layer_name(candidates[0], model)!r} is not a" if layer is not None else "the model has no"
    raise ValueError(f"{which} Dense layer fed by a Flatten layer; the Dense-as-convolution view needs Flatten → "
                     f"Dense on a feature map")


def dense_as_conv(model: Any, x: np.ndarray, layer: LayerRef | None = None) -> DenseConvCheck:
    """Run ``x`` (N, H, W, C) through ``model`` and compute its Dense layer (``layer``, default the first Dense fed by
    a Flatten) both as the model does and as a Conv2D whose kernel covers the whole flattened map.

    Example:
        >>> check = dense_as_conv(model, x_test[:8])   # doctest: +SKIP
        >>> check.max_difference < 1e-4                  # doctest: +SKIP
        True
    """
    dense, flatten = _dense_after_flatten(model, layer)
    batch = as_input_batch(x, torch.device("cpu")).numpy()
    outputs = layer_outputs(model, batch)
    source = flatten.input.node.layer
    features = batch if type(source).__name__ == "InputLayer" else outputs[source.name]
    if features.ndim != 4:
        raise ValueError(f"{flatten.name} flattens shape {features.shape[1:]}; the convolution view needs a feature "
                         f"map (H, W, C)")
    h, w, c = features.shape[1:]
    kernel, *rest = dense.get_weights()
    conv = Conv2D(dense.units, (h, w), activation=activations.serialize(dense.activation), use_bias=dense.use_bias)
    conv.build_for((None, h, w, c))
    conv.set_weights([kernel.reshape(h, w, c, dense.units), *rest])
    with torch.no_grad():
        as_conv = conv(torch.from_numpy(np.ascontiguousarray(features))).numpy().reshape(len(features), -1)
    explained = explain_dense_as_conv(features[0], kernel, rest[0] if rest else None)
    return DenseConvCheck(dense.name, features, outputs[dense.name], as_conv, explained)


def plot_dense_as_conv(model: Any, x: np.ndarray, layer: LayerRef | None = None, unit: int = 0,
                       save: str | os.PathLike | None = None) -> Figure:
    """Three panels: the feature map the Flatten reads (first image, channel 0), Dense unit ``unit``'s weights
    reshaped into the ``H×W`` filter they are (channel 0), and every unit's output computed both ways.

    Example:
        >>> fig = plot_dense_as_conv(model, x_test[:8])   # doctest: +SKIP
    """
    check = dense_as_conv(model, x, layer)
    units = check.dense.shape[1]
    if not 0 <= unit < units:
        raise ValueError(f"unit must be in 0…{units - 1} for {check.layer}, got {unit}")
    h, w, c = check.features.shape[1:]
    fig = new_figure((12.5, 3.8))
    ax = fig.add_subplot(1, 3, 1, xticks=[], yticks=[])
    ax.imshow(check.features[0, ..., 0], cmap="gray", interpolation="nearest")
    ax.set_title(f"input to Flatten: {h}×{w}×{c}\n(image 0, channel 0)", fontsize=9)
    ax = fig.add_subplot(1, 3, 2, xticks=[], yticks=[])
    weights = check.explained.kernel[:, unit].reshape(h, w, c)[..., 0]
    low, high = diverging_scale(weights)
    ax.imshow(weights, cmap=DIVERGING, vmin=low, vmax=high, interpolation="nearest")
    ax.set_title(f"{check.layer} unit {unit}'s weights = one {h}×{w}×{c} filter\n(channel 0; red +, blue −)",
                 fontsize=9)
    ax = fig.add_subplot(1, 3, 3)
    shown = min(units, 32)
    ax.bar(np.arange(shown), check.dense[0, :shown], color="#9ecae1", label="Flatten → Dense (the model)")
    ax.plot(np.arange(shown), check.conv[0, :shown], "o", color="#d62728", markersize=4,
            label=f"Conv2D, kernel {h}×{w} (whole input)")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("unit" + (f" (first {shown} of {units})" if shown < units else ""))
    ax.set_ylabel("output, image 0")
    ax.legend(fontsize=8, loc="best")
    ax.set_title(f"same numbers: largest difference {check.max_difference:.1g}\nover {len(check.dense)} images × "
                 f"{units} units", fontsize=9)
    fig.suptitle("A Dense layer is a convolution whose kernel covers the whole input", fontsize=11)
    return finish(fig, save)
