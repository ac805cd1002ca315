"""What excites a filter (the notes' Zeiler–Fergus figures): the dataset patches that most activate each filter of a
layer, cut out at the unit's receptive field, in one grid per filter."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.arithmetic import ReceptiveField
from convlens.graph import Functional, network_receptive_fields
from convlens.viz._figure import finish, grid_shape, new_figure
from convlens.viz._model import LayerRef, get_layer, layer_name, layer_output


BORDER, BORDER_RGB = "#e8c37e", (0.91, 0.765, 0.494)  # outside the image: a colour no grey pixel has


@dataclass(frozen=True)
class TopPatches:
    """For each of ``filters``: the ``k`` images whose strongest unit is strongest, that unit's activation
    (``values`` ``(F, k)``), where it is (``where`` ``(F, k, 3)``: image, row, column of the feature map), the input
    pixels it sees (``boxes`` ``(F, k, 2, 2)``: ``[[top, bottom), [left, right))``) and those pixels (``patches``
    ``(F, k, field_h, field_w, C)``, NaN where the field hangs over the border of the image)."""

    layer: str
    filters: list[int]
    values: np.ndarray
    where: np.ndarray
    boxes: np.ndarray
    patches: np.ndarray
    field: tuple[int, int]


def layer_fields(model: Any, layer: LayerRef) -> list[ReceptiveField]:
    """The receptive field of ``layer``'s units along height and width (from ``convlens.arithmetic``)."""
    target = get_layer(model, layer)
    if not isinstance(model, Functional):
        raise ValueError("receptive fields need a convlens model (Sequential or functional), not a wrapped module")
    node = next((node for node in model._nodes if node.layer is target), None)
    fields = network_receptive_fields(model)[id(node)][0] if node is not None else None
    if fields is None or len(fields) != 2:
        raise ValueError(f"layer {layer_name(target, model)!r} has no 2-D receptive field (it sees the whole input "
                         f"or is not a spatial layer); choose a Conv2D or pooling layer")
    return fields


def top_patches(model: Any, x: np.ndarray, layer: LayerRef, k: int = 9, filters: Sequence[int] | None = None,
                batch_size: int = 256) -> TopPatches:
    """Run ``x`` (N, H, W, C) through ``model``, find for each filter of ``layer`` the ``k`` images with the highest
    activation anywhere in its feature map (one patch per image, so the grid shows ``k`` different images), and cut
    each out at that unit's receptive field.

    Example:
        >>> found = top_patches(model, x_test[:500], "conv2d_2", k=9)  # doctest: +SKIP
        >>> found.patches.shape                                          # doctest: +SKIP
        (32, 9, 5, 5, 1)
    """
    images = np.asarray(x, dtype=np.float32)
    images = images[..., None] if images.ndim == 3 else images
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"x must be a non-empty batch of images (N, H, W[, C]), got shape {np.shape(x)}")
    if k < 1:
        raise ValueError(f"k must be a positive number of patches, got {k}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    name = layer_name(get_layer(model, layer), model)
    fields = layer_fields(model, layer)
    best, spots = [], []
    for start in range(0, len(images), batch_size):
        out = layer_output(model, images[start:start + batch_size], layer)
        if out.ndim != 4:
            raise ValueError(f"layer {name!r} outputs shape {out.shape[1:]}; expected feature maps (H, W, C)")
        flat = out.reshape(len(out), -1, out.shape[-1])
        index = flat.argmax(axis=1)  # (b, C): each image's strongest unit per filter
        best.append(np.take_along_axis(flat, index[:, None, :], axis=1)[:, 0])
        spots.append(np.stack(np.unravel_index(index, out.shape[1:3]), axis=-1))
    best_all, spot_all = np.concatenate(best), np.concatenate(spots)  # (N, C), (N, C, 2)
    chosen = list(range(best_all.shape[1])) if filters is None else [int(f) for f in filters]
    bad = [f for f in chosen if not 0 <= f < best_all.shape[1]]
    if bad:
        raise ValueError(f"filters {bad} are outside layer {name!r}'s {best_all.shape[1]} filters")
    k = min(k, len(images))
    size = (fields[0].size, fields[1].size)
    values = np.zeros((len(chosen), k), np.float32)
    where = np.zeros((len(chosen), k, 3), np.int64)
    boxes = np.zeros((len(chosen), k, 2, 2), np.int64)
    patches = np.full((len(chosen), k, *size, images.shape[-1]), np.nan, np.float32)
    for i, f in enumerate(chosen):
        for j, n in enumerate(np.argsort(-best_all[:, f], kind="stable")[:k]):
            row, col = (int(v) for v in spot_all[n, f])
            values[i, j], where[i, j] = best_all[n, f], (n, row, col)
            (top, bottom), (left, right) = fields[0].box(row, images.shape[1]), fields[1].box(col, images.shape[2])
            boxes[i, j] = [[top, bottom], [left, right]]
            dy, dx = top - fields[0].box(row)[0], left - fields[1].box(col)[0]  # field cut off by the border
            patches[i, j, dy:dy + bottom - top, dx:dx + right - left] = images[n, top:bottom, left:right]
    return TopPatches(name, chosen, values, where, boxes, patches, size)


def _display(patches: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Patches scaled for display: one range for all of them (so brightness compares), grey or RGB."""
    finite = patches[np.isfinite(patches)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return patches, low, high if high > low else low + 1.0


def plot_top_patches(model: Any, x: np.ndarray, layer: LayerRef, k: int = 9, max_filters: int = 16,
                     filters: Sequence[int] | None = None, save: str | os.PathLike | None = None) -> Figure:
    """One block per filter of ``layer``: the ``k`` dataset patches that activate it most, strongest first, each the
    unit's receptive field on the input (tan where the field hangs over the image border, outside the image).

    Example:
        >>> fig = plot_top_patches(model, x_test[:500], "conv2d_2")  # doctest: +SKIP
    """
    found = top_patches(model, x, layer, k=k, filters=filters)
    count = min(len(found.filters), max_filters)
    per_side = int(np.ceil(np.sqrt(found.values.shape[1])))
    rows, cols = grid_shape(count, min(4, count))
    fig = new_figure((2.3 * cols + 0.4, 2.5 * rows + 0.8))
    header, body = fig.subfigures(2, 1, height_ratios=[0.8, 2.5 * rows])
    blocks = body.subfigures(rows, cols, squeeze=False)
    patches, low, high = _display(found.patches)
    for i in range(count):
        block = blocks[i // cols][i % cols]
        for j in range(found.values.shape[1]):
            ax = block.add_subplot(per_side, per_side, j + 1, xticks=[], yticks=[])
            patch = patches[i, j]
            ax.set_facecolor(BORDER)
            if patch.shape[-1] == 1:
                ax.imshow(patch[..., 0], cmap="gray", vmin=low, vmax=high, interpolation="nearest")
            else:
                ax.imshow(np.where(np.isnan(patch[..., :3]), BORDER_RGB, (patch[..., :3] - low) / (high - low)), interpolation="nearest")
            for side in ax.spines.values():
                side.set_color("#888888")
        block.suptitle(f"filter {found.filters[i]}: max {found.values[i, 0]:.3g}", fontsize=9)
    h, w = found.field
    header.suptitle(f"{found.layer}: the {found.values.shape[1]} patches that excite each filter most\n"
                    f"(one per image, strongest first; each {h}×{w} pixels = the unit's receptive field; tan: outside "
                    f"the image)",
                    fontsize=10, y=0.8)
    return finish(fig, save, tight=False)
