"""A grid of test images titled 'pred (true)': blue when right, red when wrong."""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, grid_shape, new_figure
from convlens.viz._images import as_class_ids, as_image_batch, displayable, label_text

RIGHT_COLOR = "blue"
WRONG_COLOR = "red"


def plot_predictions(
    images: np.ndarray,
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    class_names: Sequence[str] | None = None,
    n: int | None = None,
    ncols: int = 8,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Titles read 'pred (true)'. Labels may be ids `(N,)` or one-hot/probabilities `(N, K)`.

    Example:
        >>> fig = plot_predictions(np.zeros((2, 8, 8)), y_true=[1, 2], y_pred=[1, 0])
        >>> [(ax.get_title(), ax.title.get_color()) for ax in fig.axes]
        [('1 (1)', 'blue'), ('0 (2)', 'red')]
    """
    batch = as_image_batch(images)
    true_ids = as_class_ids(y_true, "y_true")
    pred_ids = as_class_ids(y_pred, "y_pred")
    if not len(batch) == len(true_ids) == len(pred_ids):
        raise ValueError(
            f"images, y_true and y_pred must have the same length, got {len(batch)}, {len(true_ids)}, {len(pred_ids)}"
        )
    count = min(len(batch), 32) if n is None else n
    if not 1 <= count <= len(batch):
        raise ValueError(f"n must be between 1 and the number of images ({len(batch)}), got {n}")
    rows, cols = grid_shape(count, ncols)
    fig = new_figure((1.9 * cols, 1.9 * rows))
    for i in range(count):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        show_prediction(ax, batch[i], int(pred_ids[i]), int(true_ids[i]), class_names)
    return finish(fig, save)


def show_prediction(ax, image: np.ndarray, pred: int, true: int, class_names: Sequence[str] | None,
                    note: str = "", separator: str | None = None, fontsize: float = 10) -> None:
    """One panel: the image titled "pred (true)" (or "pred<separator>true"), blue when right and red when wrong,
    ``note`` on a second line."""
    arr, cmap = displayable(image)
    ax.imshow(arr, cmap=cmap)
    pred_text, true_text = label_text(pred, class_names), label_text(true, class_names)
    title = f"{pred_text} ({true_text})" if separator is None else f"{pred_text}{separator}{true_text}"
    title += f"\n{note}" if note else ""
    ax.set_title(title, color=RIGHT_COLOR if pred == true else WRONG_COLOR, fontsize=fontsize)
