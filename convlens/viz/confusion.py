"""Confusion matrix: counting and drawing it."""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, new_figure
from convlens.viz._images import as_class_ids


def confusion_matrix(
    y_true: np.ndarray | Sequence[int], y_pred: np.ndarray | Sequence[int], num_classes: int | None = None
) -> np.ndarray:
    """Counts `(num_classes, num_classes)`: row = true class, column = predicted class.

    Example:
        >>> confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()
        [[1, 0], [1, 1]]
    """
    true_ids = as_class_ids(y_true, "y_true")
    pred_ids = as_class_ids(y_pred, "y_pred")
    if len(true_ids) != len(pred_ids):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(true_ids)} and {len(pred_ids)}")
    if len(true_ids) and min(true_ids.min(), pred_ids.min()) < 0:
        raise ValueError("class ids must be non-negative integers")
    seen = int(max(true_ids.max(initial=-1), pred_ids.max(initial=-1))) + 1
    k = seen if num_classes is None else num_classes
    if k < seen:
        raise ValueError(f"num_classes={num_classes} but the labels contain class id {seen - 1}")
    return np.bincount(true_ids * k + pred_ids, minlength=k * k).reshape(k, k)


def plot_confusion_matrix(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    class_names: Sequence[str] | None = None,
    num_classes: int | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Draw the confusion matrix with each cell's count written in it.

    Example:
        >>> fig = plot_confusion_matrix([0, 1, 1], [0, 1, 0])
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['0', '1', '1', '1']
    """
    if class_names is not None and num_classes is None:
        num_classes = len(class_names)
    cm = confusion_matrix(y_true, y_pred, num_classes)
    k = cm.shape[0]
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"class_names has {len(names)} names but there are {k} classes")
    side = max(4.0, 0.55 * k + 2.0)
    fig = new_figure((side + 1.0, side))
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(cm, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    long_names = max(map(len, names)) > 2  # slant word labels so neighbours do not overlap
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    ax.set_title(f"Confusion matrix (accuracy {np.trace(cm) / max(cm.sum(), 1):.1%})")
    half = cm.max() / 2.0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", color="white" if cm[i, j] > half else "black")
    return finish(fig, save)
