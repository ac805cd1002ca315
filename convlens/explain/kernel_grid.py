"""One image filtered by every classic kernel, side by side: what each kernel does."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.kernels import apply, get_kernel, list_kernels


def kernel_grid(image: np.ndarray, names: Sequence[str] | None = None, columns: int = 5) -> Figure:
    """A figure with the original image first, then ``image`` filtered by each named kernel (default: all).

    >>> kernel_grid(np.zeros((8, 8), dtype=np.uint8), ["identity", "sharpen"]).axes[1].get_title()
    'identity'
    """
    names = list_kernels() if names is None else list(names)
    for name in names:
        get_kernel(name)  # fail early, listing the valid names
    panels = [("original", np.asarray(image))] + [(name, apply(image, name)) for name in names]
    cols = min(columns, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig = Figure(figsize=(3 * cols, 3.1 * rows), layout="constrained")
    for i, (title, picture) in enumerate(panels):
        ax = fig.add_subplot(rows, cols, i + 1)
        gray = picture.ndim == 2
        vmax = 255 if np.issubdtype(picture.dtype, np.integer) else 1.0
        ax.imshow(picture, cmap="gray" if gray else None, vmin=0, vmax=vmax)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig
