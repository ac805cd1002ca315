"""The learning-rate finder's curve: loss against learning rate (log scale), the suggestion marked."""
from __future__ import annotations

import os

from matplotlib.figure import Figure

from convlens.training.lr_find import LRFinderResult
from convlens.viz._figure import finish, new_figure


def plot_lr_find(result: LRFinderResult, save: str | os.PathLike | None = None) -> Figure:
    """Loss vs learning rate from `lr_find`, with the suggested learning rate as a red dot and dashed line.

    Example:
        >>> r = LRFinderResult([1e-4, 1e-3, 1e-2], [2.3, 1.9, 3.5], 1e-3)
        >>> plot_lr_find(r).axes[0].get_xscale()
        'log'
    """
    if not result.learning_rates:
        raise ValueError("the lr_find result holds no learning rates")
    fig = new_figure((6.5, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(result.learning_rates, result.losses, color="tab:blue", label="training loss of each batch")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("loss")
    if result.suggestion is not None:
        i = min(range(len(result.learning_rates)), key=lambda j: abs(result.learning_rates[j] - result.suggestion))
        ax.axvline(result.suggestion, color="tab:red", linestyle="--", linewidth=1)
        ax.plot([result.suggestion], [result.losses[i]], "o", color="tab:red",
                label=f"suggested learning rate {result.suggestion:.2g}")
    ax.set_title("Learning-rate finder: pick a rate where the loss still falls steeply")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    return finish(fig, save)
