"""Matplotlib drawings of an explainer step: the window on the input, the kernel, patch × kernel = products → sum,
the output filled so far. Every panel of a trace keeps one colour scale for all its steps (the same value has the
same colour at step 0 and at step 24); padding cells are hatched; the value a max pool picks is outlined in gold."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from convlens.explain.text import number

_ANNOTATE_MAX = 16  # write the numbers into cells only while they stay readable
DIVERGING = "coolwarm"  # kernels and products: blue < 0 < red, white-ish at 0
SEQUENTIAL = "viridis"


@dataclass(frozen=True)
class Scale:
    """A colour map and the value range it spans; fixed for a whole trace."""

    cmap: str
    vmin: float
    vmax: float

    @staticmethod
    def of(values: np.ndarray, cmap: str = SEQUENTIAL) -> "Scale":
        """min..max of the finite values (a diverging map gets a range symmetric around 0).

        >>> Scale.of(np.array([-1.0, 3.0]), "coolwarm")
        Scale(cmap='coolwarm', vmin=-3.0, vmax=3.0)
        """
        arr = np.asarray(values, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if cmap == DIVERGING:
            m = max(abs(lo), abs(hi)) or 1.0
            return Scale(cmap, -m, m)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        return Scale(cmap, lo, hi)


@dataclass
class Panel:
    """One matrix to draw: values, title, scale; optional window outline, padding mask and gold-marked cells."""

    array: np.ndarray
    title: str
    scale: Scale
    window: tuple[Sequence[int], Sequence[int]] | None = None
    padding: np.ndarray | None = None  # True where a cell is padding
    marks: list[tuple[int, int]] = field(default_factory=list)


def as_grid(array: np.ndarray) -> np.ndarray:
    """A 1-D signal drawn as one row; 2-D arrays unchanged."""
    arr = np.asarray(array, dtype=np.float64)
    return arr[np.newaxis, :] if arr.ndim == 1 else arr


def text_colour(rgba: Sequence[float]) -> str:
    """Black on light cells, white on dark ones (perceived luminance of the cell colour).

    >>> text_colour((0.0, 0.0, 0.0, 1.0)), text_colour((1.0, 1.0, 0.8, 1.0))
    ('white', 'black')
    """
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def draw_matrix(ax, array: np.ndarray, title: str, highlight: tuple[Sequence[int], Sequence[int]] | None = None,
                cmap: str = SEQUENTIAL, scale: Scale | None = None, padding: np.ndarray | None = None,
                marks: Sequence[tuple[int, int]] = ()) -> None:
    """Show a matrix with its numbers on `scale` (default: its own range), optionally outlining ``(origin, size)``
    in red, hatching `padding` cells and outlining `marks` in gold."""
    grid = as_grid(array)
    scale = scale or Scale.of(grid, cmap)
    colours = colormaps[scale.cmap]
    norm = Normalize(scale.vmin, scale.vmax)
    ax.imshow(np.ma.masked_invalid(grid), cmap=colours, norm=norm, interpolation="nearest")
    pad = None if padding is None else as_grid(padding).astype(bool)
    if pad is not None:
        for (r, c), is_pad in np.ndenumerate(pad):
            if is_pad:
                ax.add_patch(Rectangle((c - 0.5, r - 0.5), 1, 1, facecolor="#d0d0d0", edgecolor="#888888",
                                       hatch="///", linewidth=0.5))
    if max(grid.shape) <= _ANNOTATE_MAX:
        for (r, c), v in np.ndenumerate(grid):
            if pad is not None and pad[r, c]:
                ax.text(c, r, "0" if np.isfinite(v) else "pad", ha="center", va="center", fontsize=7,
                        color="#555555", style="italic")
            elif np.isfinite(v):
                ax.text(c, r, number(v), ha="center", va="center", fontsize=9,
                        color=text_colour(colours(norm(v))))
    if highlight is not None:
        origin, size = (list(highlight[0]), list(highlight[1]))
        if len(origin) == 1:  # 1-D: the only row
            origin, size = [0] + origin, [1] + size
        ax.add_patch(Rectangle((origin[1] - 0.5, origin[0] - 0.5), size[1], size[0], fill=False, edgecolor="red",
                               linewidth=2.5))
    for r, c in marks:
        ax.add_patch(Rectangle((c - 0.45, r - 0.45), 0.9, 0.9, fill=False, edgecolor="gold", linewidth=3))
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])


def draw_panel(ax, panel: Panel) -> None:
    """`draw_matrix` for a `Panel`."""
    draw_matrix(ax, panel.array, panel.title, panel.window, scale=panel.scale, padding=panel.padding,
                marks=panel.marks)


def partial_output(output: np.ndarray, step: int, rank: int) -> np.ndarray:
    """The output with every spatial position after ``step`` (row-major) blanked out as NaN."""
    out = np.array(output, dtype=np.float64)
    flat = out.reshape(int(np.prod(out.shape[:rank])), -1)
    flat[step + 1:] = np.nan
    return flat.reshape(out.shape)


def step_figure(rows: list[list[Panel]], outputs: list[Panel], caption: str) -> Figure:
    """One row of panels per channel, the output on the right (one output spanning every row when a convolution
    sums its channels, else one per row), and `caption` (the step's arithmetic) under the panels."""
    n_rows, n_cols = len(rows), len(rows[0]) + 1
    wide = max(as_grid(rows[0][0].array).shape[1], 6)
    fig = Figure(figsize=(3 * n_cols + wide * 0.1, 3 * n_rows + 0.6), layout="constrained")
    grid = fig.add_gridspec(n_rows, n_cols)
    for r, row in enumerate(rows):
        for c, panel in enumerate(row):
            draw_panel(fig.add_subplot(grid[r, c]), panel)
    if len(outputs) == 1:
        draw_panel(fig.add_subplot(grid[:, -1]), outputs[0])
    else:
        for r, panel in enumerate(outputs):
            draw_panel(fig.add_subplot(grid[r, -1]), panel)
    fig.supxlabel(caption, fontsize=10)
    return fig
