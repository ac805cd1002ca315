"""Training curves: loss and accuracy per epoch, training against validation."""
from __future__ import annotations

import math
import os
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from convlens.viz._figure import finish, new_figure
from convlens.viz.history import HistoryLike, accuracy_key, best_epoch, read_history


def plot_training_curves(
    history: HistoryLike,
    metrics: Sequence[str] | None = None,
    mark_best: str | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Draw one panel per metric (default: loss, then accuracy if logged), train vs validation.

    `history` is a `History` from `fit`, its `.history` dict, or a `history.csv` path from CSVLogger (`NA` cells,
    e.g. validation columns of a run without validation, are left out). `mark_best='val_loss'` draws a dashed line
    at the epoch with the best value of that key: the epoch ModelCheckpoint(save_best_only=True) restores.

    Example:
        >>> fig = plot_training_curves({"loss": [0.9, 0.4], "val_loss": [1.0, 0.6]})
        >>> [ax.get_title() for ax in fig.axes]
        ['Loss']
    """
    logs = read_history(history)
    if metrics is None:
        acc = accuracy_key(list(logs))
        metrics = ["loss"] + ([acc] if acc else [])
    missing = [m for m in metrics if m not in logs]
    if missing:
        raise ValueError(f"metrics {missing} are not in the history (it has {sorted(logs)})")
    if mark_best is not None and mark_best not in logs:
        raise ValueError(f"mark_best={mark_best!r} is not in the history (it has {sorted(logs)})")
    best = best_epoch(logs[mark_best], mark_best) if mark_best is not None else None
    fig = new_figure((5.5 * len(metrics), 4))
    for i, name in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), i + 1)
        epochs = range(1, len(logs[name]) + 1)
        ax.plot(epochs, logs[name], "o-", color="tab:blue", label="train")
        if f"val_{name}" in logs and not all(math.isnan(v) for v in logs[f"val_{name}"]):
            ax.plot(epochs, logs[f"val_{name}"], "s-", color="tab:red", label="validation")
        ax.set_title("Accuracy" if name == accuracy_key([name]) else name.replace("_", " ").capitalize())
        ax.set_xlabel("Epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(name)
        if best is not None:
            ax.axvline(best + 1, color="tab:green", linestyle="--", label=f"best {mark_best}: epoch {best + 1}")
        ax.grid(alpha=0.3)
        ax.legend()
    return finish(fig, save)
