"""What one layer outputs for one input: its feature maps (activations)."""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import diverging_scale, finish, grid_shape, new_figure
from convlens.viz._model import LayerRef, get_layer, layer_name, layer_output

DIVERGING = "RdBu_r"  # white = 0, red = positive, blue = negative


def feature_maps(model: Any, image: np.ndarray, layer: LayerRef) -> np.ndarray:
    """The layer's output for one image, without the batch axis: (H, W, C) for conv/pool layers.

    `image` is one model input (H, W[, C]) already preprocessed as the model expects. Wrapped channels-first
    torch modules give channels-last maps too (from `convlens.inspect.layer_outputs`).

    Example:
        >>> feature_maps(model, x_test[0], "conv2d_1").shape  # doctest: +SKIP
        (26, 26, 32)
    """
    arr = np.asarray(image)
    return layer_output(model, arr[None] if arr.ndim == 3 else arr, layer)[0]


def plot_feature_maps(
    model: Any,
    image: np.ndarray,
    layer: LayerRef,
    max_maps: int = 32,
    class_names: Sequence[str] | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """One panel per channel of the layer's output, titled 'map i', on one diverging colour scale shared by every
    panel (white = 0) with a colour bar; a 1-D output is drawn as bars (labelled with `class_names` when it has
    one value per class).

    Example:
        >>> fig = plot_feature_maps(model, x_test[0], 0)  # doctest: +SKIP
        >>> fig.axes[0].get_title()  # doctest: +SKIP
        'map 0'
    """
    maps = feature_maps(model, image, layer)
    name = layer_name(get_layer(model, layer), model)
    if maps.ndim == 1:
        return finish(_bars(maps, name, class_names), save)
    if maps.ndim != 3:
        raise ValueError(f"layer {name!r} outputs shape {maps.shape}; expected (H, W, C) or (units,)")
    count = min(maps.shape[-1], max_maps)
    rows, cols = grid_shape(count)
    fig = new_figure((1.5 * cols + 1.4, 1.5 * rows + 0.8), constrained=True)
    vmin, vmax = diverging_scale(maps[..., :count])
    image_artist = None
    for i in range(count):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        image_artist = ax.imshow(maps[..., i], cmap=DIVERGING, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(f"map {i}", fontsize=8)
    h, w, c = maps.shape
    fig.suptitle(f"{name}: {h}x{w}x{c} feature maps" + (f" (first {count})" if count < c else "")
                 + "\none colour scale for all maps: white = 0")
    fig.colorbar(image_artist, ax=fig.axes, fraction=0.04, pad=0.02, label="activation")
    return finish(fig, save)


def _bars(values: np.ndarray, name: str, class_names: Sequence[str] | None) -> Figure:
    per_class = class_names is not None and len(class_names) == len(values)
    fig = new_figure((max(4.5, (0.6 if per_class else 0.15) * len(values) + 1.5), 3.4))
    ax = fig.add_subplot(1, 1, 1)
    ax.bar(range(len(values)), values, color=np.where(values >= 0, "tab:red", "tab:blue"))
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_title(f"{name}: output {tuple(values.shape)}")
    if per_class:
        long_names = max(map(len, map(str, class_names))) > 3
        ax.set_xticks(range(len(values)), [str(c) for c in class_names], rotation=45 if long_names else 0,
                      ha="right" if long_names else "center")
        ax.set_xlabel("class")
    else:
        if len(values) <= 30:
            ax.set_xticks(range(len(values)))
        ax.set_xlabel("unit")
    ax.set_ylabel("value")
    return fig
