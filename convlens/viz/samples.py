"""A grid of images titled with their labels."""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, grid_shape, new_figure
from convlens.viz._images import as_class_ids, as_image_batch, displayable, label_text


def plot_samples(
    images: np.ndarray,
    labels: np.ndarray | Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    n: int | None = None,
    ncols: int | None = None,
    title: str | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Show the first `n` images (default all, at most 64), each titled with its label or class name.

    Example:
        >>> fig = plot_samples(np.zeros((6, 28, 28)), labels=[5, 0, 4, 1, 9, 2])
        >>> [ax.get_title() for ax in fig.axes][:2]
        ['5', '0']
    """
    batch = as_image_batch(images)
    count = min(len(batch), 64) if n is None else n
    if not 1 <= count <= len(batch):
        raise ValueError(f"n must be between 1 and the number of images ({len(batch)}), got {n}")
    ids = None if labels is None else as_class_ids(labels)
    if ids is not None and len(ids) < count:
        raise ValueError(f"got {len(ids)} labels for {count} images")
    rows, cols = grid_shape(count, ncols)
    fig = new_figure((1.6 * cols, 1.6 * rows + (0.4 if title else 0)))
    for i in range(count):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        arr, cmap = displayable(batch[i])
        ax.imshow(arr, cmap=cmap)
        if ids is not None:
            ax.set_title(label_text(ids[i], class_names))
    if title:
        fig.suptitle(title)
    return finish(fig, save)
