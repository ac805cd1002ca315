"""The most confident mistakes: the samples with the highest loss (fastai's top losses)."""
from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from convlens.viz._figure import finish, grid_shape, new_figure
from convlens.viz._images import as_class_ids, as_image_batch
from convlens.viz.predictions import show_prediction

TITLE_KEY = "prediction / actual / loss / probability of actual"


def sample_losses(y_true: np.ndarray | Sequence[int], probabilities: np.ndarray) -> np.ndarray:
    """Each sample's cross-entropy `-log p[true]`.

    Example:
        >>> sample_losses([0], np.array([[0.5, 0.5]])).round(3).tolist()
        [0.693]
    """
    probs = np.asarray(probabilities, dtype=np.float64)
    ids = as_class_ids(y_true, "y_true")
    if probs.ndim != 2 or len(probs) != len(ids):
        raise ValueError(f"probabilities must be (N, num_classes) with N={len(ids)}, got shape {probs.shape}")
    return -np.log(np.clip(probs[np.arange(len(ids)), ids], 1e-12, 1.0))


def top_losses(y_true: np.ndarray | Sequence[int], probabilities: np.ndarray, k: int = 9) -> np.ndarray:
    """Indices of the `k` samples with the highest cross-entropy `-log p[true]`, highest first.

    Example:
        >>> top_losses([0, 1], np.array([[0.9, 0.1], [0.8, 0.2]]), k=1).tolist()
        [1]
    """
    if k < 1:
        raise ValueError(f"k must be a positive integer, got {k}")
    losses = sample_losses(y_true, probabilities)
    return np.argsort(-losses, kind="stable")[:k]


def probability_text(p: float) -> str:
    """Two decimals, or one significant digit below 0.01 (so a tiny probability does not read as 0).

    >>> probability_text(0.4), probability_text(0.0003)
    ('0.40', '0.0003')
    """
    return f"{p:.2f}" if p >= 0.005 else f"{p:.1g}" if p >= 1e-4 else f"{p:.0e}"


def plot_top_losses(
    images: np.ndarray,
    y_true: np.ndarray | Sequence[int],
    probabilities: np.ndarray,
    class_names: Sequence[str] | None = None,
    k: int = 9,
    only_mistakes: bool = True,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Show the `k` highest-loss samples, highest first, each titled as fastai does:
    'prediction / actual' then 'loss / probability of the actual class'. Sorting by loss is sorting by that
    probability, lowest first, so the labels and the order agree.

    With `only_mistakes` (default) correctly classified samples are left out. A figure with
    a single 'No mistakes' panel is returned when there is nothing to show.

    Example:
        >>> probs = np.array([[0.9, 0.1], [0.8, 0.2]])
        >>> plot_top_losses(np.zeros((2, 4, 4)), [0, 1], probs, k=2).axes[0].get_title()
        '0 / 1\\nloss 1.61 / p=0.20'
    """
    batch = as_image_batch(images)
    ids = as_class_ids(y_true, "y_true")
    probs = np.asarray(probabilities, dtype=np.float64)
    if len(batch) != len(ids):
        raise ValueError(f"images and y_true must have the same length, got {len(batch)} and {len(ids)}")
    losses = sample_losses(ids, probs)
    order = top_losses(ids, probs, k=len(ids))
    pred = probs.argmax(axis=1)
    if only_mistakes:
        order = order[pred[order] != ids[order]]
    order = order[:k]
    if len(order) == 0:
        fig = new_figure((3, 1.5))
        ax = fig.add_subplot(1, 1, 1, xticks=[], yticks=[])
        ax.set_title("No mistakes")
        return finish(fig, save)
    rows, cols = grid_shape(len(order), min(len(order), 5))
    fig = new_figure((2.3 * cols, 2.7 * rows + 0.6), constrained=True)
    for i, idx in enumerate(order):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        actual = int(ids[idx])
        show_prediction(ax, batch[idx], int(pred[idx]), actual, class_names,
                        note=f"loss {losses[idx]:.2f} / p={probability_text(probs[idx, actual])}", separator=" / ")
    fig.suptitle(("Highest losses first" if not only_mistakes else "Most confident mistakes, highest loss first")
                 + f"\n{TITLE_KEY}", fontsize=10)
    return finish(fig, save)
