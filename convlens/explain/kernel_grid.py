"""One image filtered by every classic kernel, side by side: what each kernel does.

Kernels whose values sum to 0 (edge detectors, Sobel, Laplacian, high-pass) answer a flat area with 0 and an edge
with a positive or a negative number, about half of each; clipping to 0–255 would black that half out. They are
drawn signed, on a diverging colour map with a colour bar (white = 0). Kernels that sum to 1 (blurs, sharpen,
emboss) keep the brightness and are drawn as images.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.explain.text import number
from convlens.kernels import apply, get_kernel, list_kernels

DIVERGING = "RdBu_r"


def is_zero_sum(kernel: np.ndarray) -> bool:
    """True for a kernel whose values add up to 0 (its response is signed).

    >>> is_zero_sum(get_kernel("sobel_x")), is_zero_sum(get_kernel("box_blur"))
    (True, False)
    """
    k = np.asarray(kernel, dtype=np.float64)
    return abs(float(k.sum())) <= 1e-9 * max(1.0, float(np.abs(k).sum()))


def grey(image: np.ndarray) -> np.ndarray:
    """An (H, W) float image: colour channels averaged, a grey image as it is."""
    arr = np.asarray(image, dtype=np.float64)
    return arr.mean(axis=-1) if arr.ndim == 3 else arr


def kernel_grid(image: np.ndarray, names: Sequence[str] | None = None, columns: int = 5) -> Figure:
    """A figure with the original image first, then ``image`` filtered by each named kernel (default: all).

    Each panel's x-label gives the kernel's sum; zero-sum kernels show the signed response of the grey image.

    >>> kernel_grid(np.zeros((8, 8), dtype=np.uint8), ["identity", "sharpen"]).axes[1].get_title()
    'identity'
    """
    names = list_kernels() if names is None else list(names)
    kernels = [get_kernel(name) for name in names]  # fail early, listing the valid names
    picture = np.asarray(image)
    cols = min(columns, len(names) + 1)
    rows = math.ceil((len(names) + 1) / cols)
    fig = Figure(figsize=(3.4 * cols, 3.3 * rows), layout="constrained")
    ax = fig.add_subplot(rows, cols, 1, xticks=[], yticks=[])
    vmax = 255 if np.issubdtype(picture.dtype, np.integer) else 1.0
    ax.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=vmax)
    ax.set_title("original", fontsize=10)
    for i, (name, kernel) in enumerate(zip(names, kernels)):
        ax = fig.add_subplot(rows, cols, i + 2, xticks=[], yticks=[])
        ax.set_title(name, fontsize=10)
        if is_zero_sum(kernel):
            response = apply(grey(picture), kernel, clip=False)
            peak = float(np.abs(response).max()) or 1.0
            shown = ax.imshow(response, cmap=DIVERGING, vmin=-peak, vmax=peak)
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.02)
            ax.set_xlabel("sum 0: signed response (grey image)\nred > 0, blue < 0, white = 0", fontsize=8)
        else:
            filtered = apply(picture, kernel)
            ax.imshow(filtered, cmap="gray" if filtered.ndim == 2 else None, vmin=0, vmax=vmax)
            ax.set_xlabel(f"sum {number(kernel.sum())}: brightness kept" if abs(kernel.sum() - 1) < 1e-9
                          else f"sum {number(kernel.sum())}", fontsize=8)
    return fig
