"""Keras's metric functions (per-element values on outputs of any rank) and ``Metric``, the engine's form of a
metric: a function kept as sufficient statistics (per-sample means summed over the batch).

Example:
    >>> import torch
    >>> sparse_categorical_accuracy(torch.tensor([[1, 0]]), torch.tensor([[[0.2, 0.8], [0.3, 0.7]]])).tolist()
    [[1.0, 0.0]]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

def categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
    return (y_pred.argmax(-1) == y_true.argmax(-1)).float()


def sparse_categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
    return (y_pred.argmax(-1) == y_true.reshape(y_pred.shape[:-1]).long()).float()


def binary_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
    predicted = y_pred > (0.0 if logits else 0.5)  # sigmoid(z) > 0.5  ⇔  z > 0
    hits = (predicted == (y_true.reshape(y_pred.shape) > 0.5)).float()
    return hits.mean(-1) if hits.dim() > 1 else hits


def _top_k(targets: torch.Tensor, y_pred: torch.Tensor, k: int) -> torch.Tensor:
    top = y_pred.topk(min(k, y_pred.shape[-1]), dim=-1).indices
    return (top == targets.reshape(*top.shape[:-1], 1)).any(-1).float()


def top_k_categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False,
                               k: int = 5) -> torch.Tensor:
    return _top_k(y_true.argmax(-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False,
                                      k: int = 5) -> torch.Tensor:
    return _top_k(y_true.reshape(-1).long(), y_pred, k)


@dataclass(frozen=True)
class Metric:
    """A metric under the name the user gave (``'acc'`` stays ``'acc'`` in the history).

    The engine asks each metric for ``batch_stats`` (``size`` sufficient statistics summed over a batch, kept on the
    device), adds them up over an epoch (and over processes), syncs once, and calls ``result`` on the totals. A mean
    of per-sample values keeps ``[sum, count]``; Precision or AUC keep counts of their own.
    """

    name: str
    fn: Callable[..., torch.Tensor]
    size = 2

    def __call__(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
        return self.fn(y_true, y_pred, logits=logits)

    def batch_stats(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
        """``[sum of per-sample values, number of samples]`` for this batch, as a tensor on the batch's device."""
        values = per_sample(self(y_true, y_pred, logits=logits))
        return torch.stack([values.sum(), torch.tensor(float(values.numel()), device=values.device)])

    def result(self, totals: list[float]) -> float:
        """The epoch's value from the summed ``batch_stats``."""
        total, count = totals
        return total / count if count else 0.0


_ACCURACY = {"categorical": categorical_accuracy, "sparse": sparse_categorical_accuracy,
             "binary": binary_accuracy}
_NAMED = {f.__name__: f for f in (categorical_accuracy, sparse_categorical_accuracy, binary_accuracy,
                                  top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)}


def on_probabilities(fn: Callable[..., torch.Tensor], loss_kind: str) -> Callable[..., torch.Tensor]:
    """A function of ``(y_true, y_pred)`` made safe for fused outputs: the engine may hand logits (the final softmax
    or sigmoid folded into the loss); they are turned back into the probabilities the function expects."""
    def metric(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
        if logits:
            y_pred = y_pred.softmax(-1) if loss_kind in ("categorical", "sparse") else y_pred.sigmoid()
        return torch.as_tensor(fn(y_true, y_pred))
    return metric




def per_sample(values: torch.Tensor) -> torch.Tensor:
    """Per-element metric values ``(N, ...)`` to per-sample means ``(N,)``, as Keras's mean metrics reduce them
    (a segmentation model's pixel accuracy: the mean over each image's pixels, then over images)."""
    values = values.float()
    return values.reshape(len(values), -1).mean(-1) if values.dim() > 1 else values
