"""One image with every pixel's value written on it (the notes' `visualize_input`)."""
from __future__ import annotations

import os

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from convlens.viz._figure import finish, new_figure


def annotate_pixels(ax: Axes, image: np.ndarray, decimals: int = 2) -> Axes:
    """Draw a greyscale `image` (H, W) or (H, W, 1) on `ax` and write each pixel's value on it.

    Text is white on dark pixels and black on light ones (threshold: max / 2.5, as in the notes).

    Example:
        >>> from convlens.viz._figure import new_figure
        >>> ax = new_figure((3, 3)).add_subplot(1, 1, 1)
        >>> len(annotate_pixels(ax, np.eye(3)).texts)
        9
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim != 2:
        raise ValueError(f"annotate_pixels needs one greyscale image (H, W) or (H, W, 1), got shape {img.shape}")
    ax.imshow(img, cmap="gray")
    thresh = float(img.max()) / 2.5
    for row in range(img.shape[0]):
        for col in range(img.shape[1]):
            value = img[row, col]
            text = str(int(value)) if np.issubdtype(img.dtype, np.integer) else str(round(float(value), decimals))
            ax.annotate(
                text,
                xy=(col, row),
                ha="center",
                va="center",
                fontsize=6,
                color="white" if value < thresh else "black",
            )
    return ax


def plot_pixel_values(
    image: np.ndarray, decimals: int = 2, save: str | os.PathLike | None = None
) -> Figure:
    """A figure with one greyscale image and its pixel values annotated (28x28 gets a 12x12 inch figure).

    Example:
        >>> fig = plot_pixel_values(np.arange(16, dtype=np.uint8).reshape(4, 4))
        >>> len(fig.axes[0].texts)
        16
    """
    img = np.asarray(image)
    side = max(3.0, 12.0 * max(img.shape[:2]) / 28.0) if img.ndim >= 2 else 3.0
    fig = new_figure((side, side))
    ax = fig.add_subplot(1, 1, 1, xticks=[], yticks=[])
    annotate_pixels(ax, img, decimals=decimals)
    return finish(fig, save)
