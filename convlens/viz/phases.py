"""Transfer-learning curves: the frozen phase, the fine-tuned phase and a from-scratch baseline on one epoch axis."""
from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from convlens.viz._figure import finish, new_figure
from convlens.viz.history import HistoryLike, accuracy_key, read_history

# The phases ``convlens finetune`` saves, in training order; any other name is drawn from epoch 1, like "scratch".
CHAINED = ("frozen", "fine_tuned")
LABELS = {"frozen": "frozen base, new head", "fine_tuned": "fine-tuned top layers", "scratch": "from scratch"}
COLORS = {"frozen": "tab:blue", "fine_tuned": "tab:orange", "scratch": "tab:gray"}


def phase_epochs(phases: Mapping[str, HistoryLike]) -> dict[str, list[int]]:
    """The epoch numbers of each phase: ``frozen`` from 1, ``fine_tuned`` continuing after it, any other phase
    (a from-scratch baseline) from 1.

    Example:
        >>> phase_epochs({"frozen": {"loss": [1, 1]}, "fine_tuned": {"loss": [1]}, "scratch": {"loss": [1, 1, 1]}})
        {'frozen': [1, 2], 'fine_tuned': [3], 'scratch': [1, 2, 3]}
    """
    epochs, done = {}, 0
    for name, history in phases.items():
        length = len(next(iter(read_history(history).values()), []))
        start = done if name in CHAINED else 0
        epochs[name] = list(range(start + 1, start + length + 1))
        if name in CHAINED:
            done += length
    return epochs


def plot_transfer_phases(phases: Mapping[str, HistoryLike], metrics: Sequence[str] | None = None,
                         save: str | os.PathLike | None = None) -> Figure:
    """One panel per metric (default: loss, then accuracy), every phase on one epoch axis: validation as solid
    lines, training as dashed ones, a dotted line where the base was unfrozen; one legend under the panels.

    ``phases`` maps a phase name to its history (``{"frozen": {...}, "fine_tuned": {...}, "scratch": {...}}``, as
    ``convlens finetune`` saves in ``metrics.json``).

    Example:
        >>> fig = plot_transfer_phases({"frozen": {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]},
        ...                             "fine_tuned": {"loss": [0.4], "val_loss": [0.6]}})
        >>> [text.get_text() for text in fig.legends[0].get_texts()][:2]
        ['frozen base, new head: validation', 'frozen base, new head: training']
    """
    if not phases:
        raise ValueError("phases is empty; expected e.g. {'frozen': history, 'fine_tuned': history}")
    logs = {name: read_history(history) for name, history in phases.items()}
    if metrics is None:
        acc = accuracy_key([key for log in logs.values() for key in log])
        metrics = ["loss"] + ([acc] if acc else [])
    missing = [m for m in metrics if not any(m in log or f"val_{m}" in log for log in logs.values())]
    if missing:
        raise ValueError(f"metrics {missing} are in no phase's history (they have "
                         f"{sorted({key for log in logs.values() for key in log})})")
    epochs = phase_epochs(logs)
    fig = new_figure((6.0 * len(metrics), 4.8), constrained=True)
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), i + 1)
        for name, log in logs.items():
            color, label = COLORS.get(name, f"C{3 + i}"), LABELS.get(name, name.replace("_", " "))
            validation = log.get(f"val_{metric}")
            if validation and not all(math.isnan(v) for v in validation):
                ax.plot(epochs[name], validation, "o-", color=color, label=f"{label}: validation")
            if metric in log:
                ax.plot(epochs[name], log[metric], "--", color=color, alpha=0.6, label=f"{label}: training")
        if "fine_tuned" in epochs and epochs["fine_tuned"]:
            ax.axvline(epochs["fine_tuned"][0] - 0.5, color="black", linestyle=":", label="base unfrozen")
        ax.set_title("Accuracy" if metric == accuracy_key([metric]) else metric.replace("_", " ").capitalize())
        ax.set_xlabel("Epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    # two rows: each phase's validation and training lines stacked in one column
    fig.legend(handles, labels, loc="outside lower center", ncols=math.ceil(len(labels) / 2), fontsize="small")
    return finish(fig, save)
