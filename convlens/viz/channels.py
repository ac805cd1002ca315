"""The R, G and B channels of one colour image side by side."""
from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, new_figure
from convlens.viz._images import displayable

_NAMES = ("R", "G", "B")


def plot_rgb_channels(
    image: np.ndarray, show_original: bool = True, save: str | os.PathLike | None = None
) -> Figure:
    """Show an (H, W, 3) image's channels as greyscale panels 'R channel', 'G channel', 'B channel'.

    With `show_original` the colour image comes first, titled 'Original'.

    Example:
        >>> fig = plot_rgb_channels(np.zeros((8, 8, 3)), show_original=False)
        >>> [ax.get_title() for ax in fig.axes]
        ['R channel', 'G channel', 'B channel']
    """
    img = np.asarray(image)
    if img.ndim != 3 or img.shape[-1] not in (3, 4):
        raise ValueError(f"plot_rgb_channels needs one colour image (H, W, 3), got shape {img.shape}")
    panels = 4 if show_original else 3
    fig = new_figure((3.5 * panels, 3.5))
    pos = 1
    if show_original:
        ax = fig.add_subplot(1, panels, pos, xticks=[], yticks=[])
        arr, _ = displayable(img[..., :3])
        ax.imshow(arr)
        ax.set_title("Original")
        pos += 1
    for c, name in enumerate(_NAMES):
        ax = fig.add_subplot(1, panels, pos + c, xticks=[], yticks=[])
        ax.imshow(img[..., c], cmap="gray")
        ax.set_title(f"{name} channel")
    return finish(fig, save)
