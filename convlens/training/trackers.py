"""Keras-style stateful metrics over the sufficient-statistics metrics: ``update_state`` / ``result`` /
``reset_state``, what ``model.metrics`` gives a custom ``train_step`` (Keras's "customizing fit" guide).

The state is a tensor of summed statistics on the batches' device: updating never waits for a number; ``result()``
returns a 0-dim tensor (read it with ``float()``).

Example:
    >>> import torch

from convlens.metrics import Metric
    >>> loss = Tracker("loss")
    >>> loss.update_state(torch.tensor(2.0)); loss.update_state(torch.tensor(4.0))
    >>> float(loss.result())
    3.0
"""
from __future__ import annotations

from typing import Any

import torch

from convlens.metrics import Metric


class Tracker:
    """The mean of the values given to ``update_state(value)`` (Keras's ``metrics.Mean``), or, with ``metric``
    (a ``convlens.metrics.Metric``), that metric over ``update_state(y_true, y_pred)`` batches."""

    def __init__(self, name: str, metric: Any = None, logits: bool = False) -> None:
        self.name = name
        self.metric = metric
        self.logits = logits
        self.totals: torch.Tensor | None = None

    def update_state(self, y_true: Any, y_pred: Any = None, sample_weight: Any = None) -> None:
        if self.metric is None:
            value = torch.as_tensor(y_true).detach().float()
            if sample_weight is not None:
                weight = torch.as_tensor(sample_weight, device=value.device).float()
                stats = torch.stack([(value * weight).sum(), weight.sum()])
            else:
                stats = torch.stack([value.sum(), torch.tensor(float(value.numel()), device=value.device)])
        else:  # as Keras's compile(metrics=[...]): unweighted (Keras weighs only its `weighted_metrics`)
            stats = self.metric.batch_stats(torch.as_tensor(y_true), torch.as_tensor(y_pred).detach(),
                                            logits=self.logits)
        self.totals = stats if self.totals is None else self.totals + stats.to(self.totals.device)

    def result(self) -> torch.Tensor:
        if self.totals is None:
            return torch.tensor(0.0)
        if self.metric is None or type(self.metric).result is Metric.result:  # a mean: stays on the device
            total, count = self.totals[0], self.totals[1]
            return total / count.clamp(min=1.0)
        return torch.tensor(self.metric.result(self.totals.tolist()))

    def reset_state(self) -> None:
        self.totals = None

    reset_states = reset_state  # Keras 2 name


__all__ = ["Tracker"]
