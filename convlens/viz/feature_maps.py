"""What one layer outputs for one input: its feature maps (activations)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure

from convlens.viz._figure import finish, grid_shape, new_figure
from convlens.viz._model import LayerRef, as_input_batch, get_layer, layer_name, model_device, run_with_hook


def feature_maps(model: Any, image: np.ndarray, layer: LayerRef) -> np.ndarray:
    """The layer's output for one image, without the batch axis: (H, W, C) for conv/pool layers.

    `image` is one model input (H, W[, C]) already preprocessed as the model expects.

    Example:
        >>> feature_maps(model, x_test[0], "conv2d_1").shape  # doctest: +SKIP
        (26, 26, 32)
    """
    target = get_layer(model, layer)
    x = as_input_batch(image, model_device(model))[:1]
    with torch.no_grad():
        _, activation = run_with_hook(model, x, target)
    return activation[0].detach().cpu().float().numpy()


def plot_feature_maps(
    model: Any,
    image: np.ndarray,
    layer: LayerRef,
    max_maps: int = 32,
    save: str | os.PathLike | None = None,
) -> Figure:
    """One panel per channel of the layer's output, titled 'map i'; a 1-D output is drawn as bars.

    Example:
        >>> fig = plot_feature_maps(model, x_test[0], 0)  # doctest: +SKIP
        >>> fig.axes[0].get_title()  # doctest: +SKIP
        'map 0'
    """
    maps = feature_maps(model, image, layer)
    name = layer_name(get_layer(model, layer))
    if maps.ndim == 1:
        fig = new_figure((max(4.0, 0.15 * len(maps)), 3))
        ax = fig.add_subplot(1, 1, 1)
        ax.bar(range(len(maps)), maps)
        ax.set_title(f"{name}: output {tuple(maps.shape)}")
        ax.set_xlabel("unit")
        return finish(fig, save)
    if maps.ndim != 3:
        raise ValueError(f"layer {name!r} outputs shape {maps.shape}; expected (H, W, C) or (units,)")
    count = min(maps.shape[-1], max_maps)
    rows, cols = grid_shape(count)
    fig = new_figure((1.5 * cols, 1.5 * rows + 0.5))
    for i in range(count):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        ax.imshow(maps[..., i], cmap="viridis")
        ax.set_title(f"map {i}", fontsize=8)
    h, w, c = maps.shape
    fig.suptitle(f"{name}: {h}x{w}x{c} feature maps" + (f" (first {count})" if count < c else ""))
    return finish(fig, save)
