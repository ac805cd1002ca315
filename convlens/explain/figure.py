"""Matplotlib drawings of an explainer step: the window on the input, the kernel, the output filled so far."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlens.explain.text import number

_ANNOTATE_MAX = 16  # write the numbers into cells only while they stay readable


def as_grid(array: np.ndarray) -> np.ndarray:
    """A 1-D signal drawn as one row; 2-D arrays unchanged."""
    arr = np.asarray(array, dtype=np.float64)
    return arr[np.newaxis, :] if arr.ndim == 1 else arr


def draw_matrix(ax, array: np.ndarray, title: str, highlight: tuple[Sequence[int], Sequence[int]] | None = None,
                cmap: str = "viridis") -> None:
    """Show a matrix as an image with its numbers, optionally outlining ``(origin, size)`` in red."""
    grid = as_grid(array)
    ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, interpolation="nearest")
    if max(grid.shape) <= _ANNOTATE_MAX:
        finite = grid[np.isfinite(grid)]
        middle = (finite.min() + finite.max()) / 2 if finite.size else 0.0
        for (r, c), v in np.ndenumerate(grid):
            if np.isfinite(v):
                ax.text(c, r, number(v), ha="center", va="center", fontsize=8,
                        color="black" if v > middle or cmap == "coolwarm" else "white")  # coolwarm is light
    if highlight is not None:
        origin, size = (list(highlight[0]), list(highlight[1]))
        if len(origin) == 1:  # 1-D: the only row
            origin, size = [0] + origin, [1] + size
        ax.add_patch(Rectangle((origin[1] - 0.5, origin[0] - 0.5), size[1], size[0], fill=False, edgecolor="red",
                               linewidth=2.5))
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def partial_output(output: np.ndarray, step: int, rank: int) -> np.ndarray:
    """The output with every spatial position after ``step`` (row-major) blanked out as NaN."""
    out = np.array(output, dtype=np.float64)
    flat = out.reshape(int(np.prod(out.shape[:rank])), -1)
    flat[step + 1:] = np.nan
    return flat.reshape(out.shape)


def step_figure(inputs: list[tuple[np.ndarray, str]], middle: list[tuple[np.ndarray, str]],
                outputs: list[tuple[np.ndarray, str]], origin: Sequence[int], window: Sequence[int]) -> Figure:
    """One row per channel: input (window outlined), middle panel (kernel or window), output on the right.

    A single output spans every row (a convolution sums its channels); otherwise there is one output per row.
    """
    rows = len(inputs)
    wide = max(as_grid(inputs[0][0]).shape[1], 6)
    fig = Figure(figsize=(3 * 3 + wide * 0.1, 3 * rows), layout="constrained")
    grid = fig.add_gridspec(rows, 3)
    for r, ((image, image_title), (mid, mid_title)) in enumerate(zip(inputs, middle)):
        draw_matrix(fig.add_subplot(grid[r, 0]), image, image_title, (origin, window), cmap="gray")
        draw_matrix(fig.add_subplot(grid[r, 1]), mid, mid_title, cmap="coolwarm")
    if len(outputs) == 1:
        draw_matrix(fig.add_subplot(grid[:, 2]), *outputs[0])
    else:
        for r, (out, out_title) in enumerate(outputs):
            draw_matrix(fig.add_subplot(grid[r, 2]), out, out_title)
    return fig
