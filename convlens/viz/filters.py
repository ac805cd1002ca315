"""The learned kernels of a Conv2D layer (default: the first one)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, grid_shape, new_figure
from convlens.viz._model import LayerRef, conv_layers, get_layer, layer_name


def conv_kernel(model: Any, layer: LayerRef | None = None) -> tuple[np.ndarray, str]:
    """Return `(kernel (kh, kw, C_in, filters), layer name)` from a Conv2D's Keras `get_weights()[0]`."""
    conv = conv_layers(model)[0] if layer is None else get_layer(model, layer)
    weights = conv.get_weights() if hasattr(conv, "get_weights") else []
    if not weights or np.ndim(weights[0]) != 4:
        raise ValueError(f"layer {layer_name(conv)!r} has no 4-D Conv2D kernel (kh, kw, C_in, filters)")
    return np.asarray(weights[0]), layer_name(conv)


def plot_filters(
    model: Any,
    layer: LayerRef | None = None,
    max_filters: int = 64,
    channel: int | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """One panel per filter, titled 'filter i'. 3-channel kernels are shown in colour, others in grey
    (input channel `channel`, default 0). Each panel is scaled to its own min..max.

    Example:
        >>> fig = plot_filters(model)  # a model whose first Conv2D has 32 filters  # doctest: +SKIP
        >>> len(fig.axes)  # doctest: +SKIP
        32
    """
    kernel, name = conv_kernel(model, layer)
    kh, kw, c_in, n_filters = kernel.shape
    if channel is not None and not 0 <= channel < c_in:
        raise ValueError(f"channel must be between 0 and {c_in - 1} for layer {name!r}, got {channel}")
    colour = c_in == 3 and channel is None
    count = min(n_filters, max_filters)
    rows, cols = grid_shape(count)
    fig = new_figure((1.3 * cols, 1.3 * rows + 0.5))
    for i in range(count):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        k = kernel[..., i] if colour else kernel[:, :, channel or 0, i]
        lo, hi = float(k.min()), float(k.max())
        k = (k - lo) / (hi - lo) if hi > lo else np.zeros_like(k)
        ax.imshow(k, cmap=None if colour else "gray", interpolation="nearest")
        ax.set_title(f"filter {i}", fontsize=8)
    fig.suptitle(f"{name}: {n_filters} filters of {kh}x{kw}x{c_in}")
    return finish(fig, save)
