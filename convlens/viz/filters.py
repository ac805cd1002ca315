"""The learned kernels (filters) of a Conv2D layer (default: the first one)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
from matplotlib.figure import Figure

from convlens.viz._figure import diverging_scale, finish, grid_shape, new_figure
from convlens.viz._model import LayerRef, conv_layers, get_layer, is_conv2d, layer_name

DIVERGING = "RdBu_r"  # white = 0, red = positive weight, blue = negative weight


def conv_kernel(model: Any, layer: LayerRef | None = None) -> tuple[np.ndarray, str]:
    """Return `(kernel (kh, kw, C_in, filters), layer name)`.

    `model` may be a model (then `layer` picks the Conv2D, default the first), a convlens `Conv2D` or a plain
    `torch.nn.Conv2d` (its `(filters, C_in, kh, kw)` weight is moved to the Keras layout).

    Example:
        >>> conv_kernel(torch.nn.Conv2d(1, 8, 5))[0].shape
        (5, 5, 1, 8)
    """
    if isinstance(model, torch.nn.Module) and is_conv2d(model) and not hasattr(model, "layers"):
        if layer is not None:
            raise ValueError(f"layer={layer!r} was given but {type(model).__name__} is a single layer, not a model")
        conv, name = model, layer_name(model)
    else:
        conv = conv_layers(model)[0] if layer is None else get_layer(model, layer)
        name = layer_name(conv, model)
    if isinstance(conv, torch.nn.Conv2d):  # torch layout (filters, C_in, kh, kw) -> Keras (kh, kw, C_in, filters)
        return conv.weight.detach().cpu().float().numpy().transpose(2, 3, 1, 0), name
    weights = conv.get_weights() if hasattr(conv, "get_weights") else []
    if not weights or np.ndim(weights[0]) != 4:
        raise ValueError(f"layer {name!r} has no 4-D Conv2D kernel (kh, kw, C_in, filters)")
    return np.asarray(weights[0]), name


def plot_filters(
    model: Any,
    layer: LayerRef | None = None,
    max_filters: int = 64,
    channel: int | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """One panel per filter, titled 'filter i', all on one colour scale so weights compare across filters.

    One-channel views (input channel `channel`, default 0) use a diverging map, white = 0, red positive, blue
    negative, with a colour bar. Kernels over 3 input channels (and `channel=None`) are shown in colour with
    mid-grey = 0 on the same shared scale.

    Example:
        >>> fig = plot_filters(torch.nn.Conv2d(1, 4, 3))
        >>> [ax.get_title() for ax in fig.axes][:2]
        ['filter 0', 'filter 1']
    """
    kernel, name = conv_kernel(model, layer)
    kh, kw, c_in, n_filters = kernel.shape
    if channel is not None and not 0 <= channel < c_in:
        raise ValueError(f"channel must be between 0 and {c_in - 1} for layer {name!r}, got {channel}")
    colour = c_in == 3 and channel is None
    count = min(n_filters, max_filters)
    shown = kernel[..., :count] if colour else kernel[:, :, channel or 0, :count]
    vmin, vmax = diverging_scale(shown)
    rows, cols = grid_shape(count)
    fig = new_figure((1.3 * cols + (0.4 if colour else 1.4), 1.3 * rows + 0.8), constrained=True)
    artist = None
    for i in range(count):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        if colour:
            ax.imshow(np.clip(0.5 + shown[..., i] / (2 * vmax), 0.0, 1.0), interpolation="nearest")
        else:
            artist = ax.imshow(shown[..., i], cmap=DIVERGING, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_title(f"filter {i}", fontsize=8)
    scale = (f"colour = RGB weights, mid-grey = 0, shared scale ±{vmax:.3g}" if colour
             else f"input channel {channel or 0}; one scale for all filters: white = 0, red > 0, blue < 0")
    fig.suptitle(f"{name}: {n_filters} filters of {kh}x{kw}x{c_in}\n{scale}", fontsize=10)
    if artist is not None:
        fig.colorbar(artist, ax=fig.axes, fraction=0.04, pad=0.02, label="weight")
    return finish(fig, save)
