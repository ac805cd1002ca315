"""Figure creation, colour scales and saving shared by every plot (object-oriented API, Agg canvas, no pyplot)."""
from __future__ import annotations

import io
import math
import os
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class NotebookFigure(Figure):
    """A matplotlib Figure that Jupyter shows as a PNG when it is a cell's last expression, with or without
    ``%matplotlib inline``. It is never registered with pyplot, so the inline backend does not show it a second
    time at the end of the cell; with ``%matplotlib inline`` IPython's own PNG formatter draws it instead (one
    image either way).
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        return buffer.getvalue()


def new_figure(figsize: tuple[float, float], constrained: bool = False) -> Figure:
    """Return a Figure on its own Agg canvas, so it renders and saves without a display. `constrained=True` lays
    it out with matplotlib's constrained layout (room for a colour bar shared by a grid of panels).

    Example:
        >>> fig = new_figure((4, 3)); ax = fig.add_subplot(1, 1, 1)
    """
    fig = NotebookFigure(figsize=figsize, layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    return fig


def finish(fig: Figure, save: str | os.PathLike | None, tight: bool = True) -> Figure:
    """Lay the figure out and write it as a PNG when `save` is a path; return it."""
    if tight and fig.get_layout_engine() is None:
        fig.tight_layout()
    if save is not None:
        fig.savefig(Path(save), format="png", dpi=100)
    return fig


def diverging_scale(values: np.ndarray) -> tuple[float, float]:
    """`(-m, m)` with m the largest |value|, so 0 sits in the middle of a diverging colour map.

    Example:
        >>> diverging_scale(np.array([-0.5, 2.0]))
        (-2.0, 2.0)
    """
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    m = float(np.abs(finite).max()) if finite.size else 0.0
    m = m if m > 0 else 1.0
    return -m, m


def grid_shape(n: int, ncols: int | None = None) -> tuple[int, int]:
    """Rows and columns for `n` panels: `ncols` wide (default: about square, at most 8)."""
    if n < 1:
        raise ValueError(f"need at least one panel to draw, got {n}")
    if ncols is None:
        ncols = min(8, math.ceil(math.sqrt(n)))
    if ncols < 1:
        raise ValueError(f"ncols must be a positive integer, got {ncols}")
    ncols = min(ncols, n)
    return math.ceil(n / ncols), ncols
