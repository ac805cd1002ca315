"""Keras's intersection-over-union metrics (``IoU``, ``MeanIoU``, ``BinaryIoU``, ``OneHotIoU``, ``OneHotMeanIoU``):
a confusion matrix over every element (every pixel of a segmentation) summed over batches, as Keras keeps it.

``IoU = TP / (TP + FP + FN)`` per class, averaged over the target classes that occur (in predictions or targets).

Example:
    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1]); round(float(m.result()), 4)
    0.3333
"""
from __future__ import annotations

from typing import Any, Sequence

import torch

from convlens.metrics.base import KerasMetric

EPSILON = 1e-7  # Keras's backend epsilon, in its denominators


class IoU(KerasMetric):
    """IoU averaged over ``target_class_ids``. ``sparse_y_true`` / ``sparse_y_pred``: whether targets / predictions
    are class ids (``False``: one-hot or scores, turned into ids by argmax over ``axis``). As Keras, sparse
    predictions are cast to integers (so give class ids, or ``sparse_y_pred=False`` for a softmax output)."""

    default_name = "io_u"

    def __init__(self, num_classes: int, target_class_ids: Sequence[int], name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None, sparse_y_true: bool = True,
                 sparse_y_pred: bool = True, axis: int = -1) -> None:
        if dtype not in (None, "int", "int32", "int64", "float32"):
            raise ValueError(f"{type(self).__name__} counts in integers; got dtype={dtype!r}")
        super().__init__(name, None)
        if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
            raise ValueError(f"num_classes must be a whole number >= 1, got {num_classes!r}")
        target_class_ids = [int(c) for c in target_class_ids]
        if not target_class_ids or max(target_class_ids) >= num_classes or min(target_class_ids) < 0:
            raise ValueError(f"target_class_ids {target_class_ids} must be classes in [0, {num_classes})")
        if axis != -1:
            raise ValueError(f"{type(self).__name__}: the class axis is the last one (axis=-1); got axis={axis}")
        self.num_classes, self.target_class_ids = num_classes, target_class_ids
        self.ignore_class, self.sparse_y_true, self.sparse_y_pred, self.axis = \
            ignore_class, sparse_y_true, sparse_y_pred, axis
        self.size = num_classes * num_classes

    def class_ids(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool) -> tuple[torch.Tensor, ...]:
        """Targets and predictions as flat integer class ids."""
        y_true = torch.as_tensor(y_true)
        y_pred = torch.as_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = y_true.argmax(-1)
        if not self.sparse_y_pred:
            y_pred = y_pred.argmax(-1)  # the same on logits as on probabilities
        elif logits:
            y_pred = self.probabilities(y_pred, logits)
        return y_true.reshape(-1).long(), y_pred.reshape(-1).long()

    def confusion(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False,
                  sample_weight: Any = None) -> torch.Tensor:
        labels, predictions = self.class_ids(y_true, y_pred, logits)
        if labels.numel() != predictions.numel():
            raise ValueError(f"{self.name}: targets hold {labels.numel()} class ids and predictions "
                             f"{predictions.numel()}; give one target per predicted element")
        n = self.num_classes
        weight = torch.ones(labels.shape, device=labels.device) if sample_weight is None else \
            torch.broadcast_to(torch.as_tensor(sample_weight, device=labels.device).reshape(-1).long().float(),
                               labels.shape)
        valid = (labels >= 0) & (labels < n) & (predictions >= 0) & (predictions < n)
        if self.ignore_class is not None:
            valid &= labels != self.ignore_class
        cells = torch.where(valid, labels, 0) * n + torch.where(valid, predictions, 0)
        return torch.bincount(cells, weights=torch.where(valid, weight, 0.0), minlength=n * n).float()

    def batch_stats(self, y_true, y_pred, logits=False):
        return self.confusion(y_true, y_pred, logits)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        stats = self.confusion(torch.as_tensor(y_true), torch.as_tensor(y_pred), sample_weight=sample_weight)
        self._totals = stats if self._totals is None else self._totals + stats.to(self._totals.device)

    def compute(self, totals):
        matrix = torch.as_tensor(totals, dtype=torch.float32).reshape(self.num_classes, self.num_classes)
        true_positives = matrix.diagonal()
        denominator = matrix.sum(0) + matrix.sum(1) - true_positives
        ids = torch.tensor(self.target_class_ids)
        true_positives, denominator = true_positives[ids], denominator[ids]
        valid = denominator > 1e-9
        iou = torch.where(valid, true_positives / (denominator + EPSILON), torch.zeros_like(denominator))
        return float(iou.sum() / (valid.float().sum() + EPSILON))

    def get_config(self) -> dict[str, Any]:
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids, "name": self.name,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes (those that occur)."""

    default_name = "mean_io_u"

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_true: bool = True, sparse_y_pred: bool = True,
                 axis: int = -1) -> None:
        super().__init__(num_classes, list(range(num_classes)), name, dtype, ignore_class, sparse_y_true,
                         sparse_y_pred, axis)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["target_class_ids"]
        return config


class BinaryIoU(IoU):
    """IoU of a binary output: predictions ``>= threshold`` count as class 1."""

    default_name = "binary_io_u"

    def __init__(self, target_class_ids: Sequence[int] = (0, 1), threshold: float = 0.5, name: str | None = None,
                 dtype: Any = None) -> None:
        super().__init__(2, target_class_ids, name, dtype)
        self.threshold = float(threshold)

    def class_ids(self, y_true, y_pred, logits):
        y_pred = self.probabilities(torch.as_tensor(y_pred).float(), logits)
        return torch.as_tensor(y_true).reshape(-1).long(), (y_pred >= self.threshold).reshape(-1).long()

    def get_config(self) -> dict[str, Any]:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name}


class OneHotIoU(IoU):
    """IoU of one-hot targets (argmax over the last axis) and scores (or ids with ``sparse_y_pred=True``)."""

    default_name = "one_hot_io_u"

    def __init__(self, num_classes: int, target_class_ids: Sequence[int], name: str | None = None,
                 dtype: Any = None, ignore_class: int | None = None, sparse_y_pred: bool = False,
                 axis: int = -1) -> None:
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """Mean IoU of one-hot targets and scores over all ``num_classes`` classes."""

    default_name = "one_hot_mean_io_u"

    def __init__(self, num_classes: int, name: str | None = None, dtype: Any = None,
                 ignore_class: int | None = None, sparse_y_pred: bool = False, axis: int = -1) -> None:
        super().__init__(num_classes, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


__all__ = ["BinaryIoU", "IoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU"]
