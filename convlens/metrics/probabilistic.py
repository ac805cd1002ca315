"""Keras's cross-entropy metrics, ``Accuracy`` and ``RootMeanSquaredError``: means of per-element values, on
outputs of any rank, computed in float32.

Example:
    >>> m = RootMeanSquaredError()
    >>> m.update_state([[0.0], [0.0]], [[3.0], [4.0]]); round(float(m.result()), 4)
    3.5355
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch

from convlens import losses
from convlens.metrics.base import MeanMetricWrapper, same_shape


class _CrossentropyMetric(MeanMetricWrapper):
    """The mean of a cross-entropy loss function (Keras's metric classes of the same names)."""

    def __init__(self, name: str | None = None, dtype: Any = None, from_logits: bool = False,
                 label_smoothing: float = 0.0) -> None:
        super().__init__(None, name, dtype, from_logits=from_logits, label_smoothing=label_smoothing)

    def values(self, y_true, y_pred, logits):
        if logits and not self.fn_kwargs["from_logits"]:  # the engine's fused logits: the loss takes them as such
            return self.loss_fn(y_true, y_pred, from_logits=True, label_smoothing=self.fn_kwargs["label_smoothing"])
        return self.loss_fn(y_true, y_pred, **self.fn_kwargs)


class BinaryCrossentropy(_CrossentropyMetric):
    default_name = "binary_crossentropy"
    loss_fn = staticmethod(losses.binary_crossentropy)


class CategoricalCrossentropy(_CrossentropyMetric):
    default_name = "categorical_crossentropy"
    loss_fn = staticmethod(losses.categorical_crossentropy)


class SparseCategoricalCrossentropy(_CrossentropyMetric):
    """Keras's metric has no ``label_smoothing``; it is refused unless 0."""

    default_name = "sparse_categorical_crossentropy"
    loss_fn = staticmethod(losses.sparse_categorical_crossentropy)

    def __init__(self, name: str | None = None, dtype: Any = None, from_logits: bool = False,
                 axis: int = -1) -> None:
        if axis != -1:
            raise ValueError(f"{type(self).__name__}: the class axis is the last one (axis=-1); got axis={axis}")
        super().__init__(name, dtype, from_logits=from_logits)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "from_logits": self.fn_kwargs["from_logits"]}


class Accuracy(MeanMetricWrapper):
    """How often predictions equal the targets exactly (per element)."""

    default_name = "accuracy"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        return (same_shape(y_true, y_pred, self.name) == y_pred).float()


class RootMeanSquaredError(MeanMetricWrapper):
    """The square root of the mean squared error over every element."""

    default_name = "root_mean_squared_error"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        y_pred = self.probabilities(y_pred, logits)
        return (same_shape(y_true, y_pred, self.name) - y_pred) ** 2

    def compute(self, totals: Sequence[float] | torch.Tensor) -> float:
        return math.sqrt(max(float(super().compute(totals)), 0.0))


__all__ = ["Accuracy", "BinaryCrossentropy", "CategoricalCrossentropy", "RootMeanSquaredError",
           "SparseCategoricalCrossentropy"]
