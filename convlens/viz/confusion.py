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


def most_confused(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    class_names: Sequence[str] | None = None,
    min_val: int = 1,
) -> list[tuple[str, str, int]]:
    """fastai's `most_confused`: `(actual, predicted, count)` for every off-diagonal cell of the confusion
    matrix with at least `min_val` samples, most frequent first.

    Example:
        >>> most_confused([0, 1, 1, 2, 2, 2], [0, 0, 0, 1, 2, 1], class_names=["a", "b", "c"])
        [('b', 'a', 2), ('c', 'b', 2)]
    """
    num_classes = len(class_names) if class_names is not None else None
    cm = confusion_matrix(y_true, y_pred, num_classes)
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in range(len(cm))]
    cells = [(names[i], names[j], int(cm[i, j])) for i in range(len(cm)) for j in range(len(cm))
             if i != j and cm[i, j] >= min_val]
    return sorted(cells, key=lambda cell: -cell[2])


_NORMALIZE = {None: None, "true": 1, "pred": 0, "all": "all"}


def normalized(cm: np.ndarray, normalize: str | None) -> np.ndarray:
    """scikit-learn's `normalize`: 'true' divides each row (recall on the diagonal), 'pred' each column
    (precision on the diagonal), 'all' the whole matrix; None keeps the counts. Empty rows/columns stay 0.

    Example:
        >>> normalized(np.array([[3, 1], [0, 2]]), "true").tolist()
        [[0.75, 0.25], [0.0, 1.0]]
    """
    if normalize not in _NORMALIZE:
        raise ValueError(f"normalize must be one of None, 'true', 'pred', 'all', got {normalize!r}")
    if normalize is None:
        return cm
    counts = cm.astype(np.float64)
    total = counts.sum() if normalize == "all" else counts.sum(axis=_NORMALIZE[normalize], keepdims=True)
    return np.divide(counts, total, out=np.zeros_like(counts), where=np.asarray(total) > 0)


def plot_confusion_matrix(
    y_true: np.ndarray | Sequence[int],
    y_pred: np.ndarray | Sequence[int],
    class_names: Sequence[str] | None = None,
    num_classes: int | None = None,
    normalize: str | None = None,
    title: str | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Draw the confusion matrix with each cell's count (or fraction, with `normalize='true'|'pred'|'all'`)
    written in it. `title` replaces the default 'Confusion matrix (accuracy …)'.

    Example:
        >>> fig = plot_confusion_matrix([0, 1, 1], [0, 1, 0])
        >>> sorted(t.get_text() for t in fig.axes[0].texts)
        ['0', '1', '1', '1']
        >>> sorted(t.get_text() for t in plot_confusion_matrix([0, 1, 1], [0, 1, 0], normalize="true").axes[0].texts)
        ['0.00', '0.50', '0.50', '1.00']
    """
    if class_names is not None and num_classes is None:
        num_classes = len(class_names)
    cm = confusion_matrix(y_true, y_pred, num_classes)
    shown = normalized(cm, normalize)
    k = cm.shape[0]
    names = [str(c) for c in class_names] if class_names is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"class_names has {len(names)} names but there are {k} classes")
    side = max(4.0, 0.55 * k + 2.0)
    fig = new_figure((side + 1.0, side))
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(shown, cmap="Blues", vmin=0)
    label = {None: "samples", "true": "fraction of the true class", "pred": "fraction of the prediction",
             "all": "fraction of all samples"}[normalize]
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label=label)
    long_names = max(map(len, names)) > 2  # slant word labels so neighbours do not overlap
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    if title is None:
        title = f"Confusion matrix (accuracy {np.trace(cm) / max(cm.sum(), 1):.1%})"
        title += {None: "", "true": "\nrows sum to 1: diagonal = recall", "pred": "\ncolumns sum to 1: diagonal = precision",
                  "all": "\nall cells sum to 1"}[normalize]
    ax.set_title(title)
    half = float(shown.max()) / 2.0
    for i in range(k):
        for j in range(k):
            text = str(cm[i, j]) if normalize is None else f"{shown[i, j]:.2f}"
            ax.text(j, i, text, ha="center", va="center", color="white" if shown[i, j] > half else "black",
                    fontsize=9 if k > 10 else 10)
    return finish(fig, save)


def precision_recall(
    y_true: np.ndarray | Sequence[int], y_pred: np.ndarray | Sequence[int], num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class: `(precision, recall, support)`; a class never predicted has precision NaN.

    Example:
        >>> p, r, n = precision_recall([0, 0, 1], [0, 1, 1]); p.tolist(), r.tolist(), n.tolist()
        ([1.0, 0.5], [0.5, 1.0], [2, 1])
    """
    cm = confusion_matrix(y_true, y_pred, num_classes).astype(np.float64)
    hits = np.diag(cm)
    predicted, support = cm.sum(axis=0), cm.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / predicted, hits / support, support.astype(np.int64)
