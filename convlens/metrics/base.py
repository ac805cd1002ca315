"""Keras's metric classes: the stateful base (``update_state`` / ``result`` / ``reset_state``) kept as sufficient
statistics, the mean-of-values metrics (accuracies, errors, ``Mean``, ``Sum``).

Example:
    >>> m = BinaryAccuracy()
    >>> m.update_state([[1.0], [0.0]], [[0.9], [0.8]]); float(m.result())
    0.5
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

import torch

from convlens.metrics.functions import (categorical_accuracy, per_sample, sparse_categorical_accuracy,
                                        sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)


class KerasMetric:
    """Base of the metric classes: ``size`` sufficient statistics per batch, ``result`` from their sums.

    In ``fit`` the engine calls ``batch_stats`` and ``result(totals)``; on its own the object keeps its running
    totals: ``update_state(y_true, y_pred)``, ``result()`` (a 0-d tensor, ``.numpy()`` works), ``reset_state()``.
    """

    size = 2
    default_name = "metric"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        if dtype not in (None, "float32", torch.float32):
            raise ValueError(f"{type(self).__name__} computes in float32; got dtype={dtype!r}")
        self.name = name or self.default_name
        self.__name__ = self.name  # how compile settings are saved (the metric is rebuilt from its name)
        self._logit_activation = "sigmoid"
        self._totals: torch.Tensor | None = None

    def bind(self, loss_kind: str) -> "KerasMetric":
        """A fresh copy for one compiled model: logits (a fused softmax/sigmoid) are turned back into
        probabilities with the activation that the loss kind implies."""
        bound = copy.copy(self)
        bound._logit_activation = "softmax" if loss_kind in ("categorical", "sparse") else "sigmoid"
        bound._totals = None
        return bound

    def probabilities(self, y_pred: torch.Tensor, logits: bool) -> torch.Tensor:
        if not logits:
            return y_pred
        return y_pred.softmax(-1) if self._logit_activation == "softmax" else y_pred.sigmoid()

    def batch_stats(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
        raise NotImplementedError

    def compute(self, totals: Sequence[float] | torch.Tensor) -> float:
        raise NotImplementedError

    def result(self, totals: Sequence[float] | None = None) -> Any:
        """``result(totals)``: the value from summed statistics (the engine). ``result()``: this object's value."""
        if totals is not None:
            return float(self.compute(totals))
        if self._totals is None:
            return torch.tensor(0.0)
        return torch.tensor(float(self.compute(self._totals.tolist())))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        if sample_weight is not None:
            raise ValueError(f"{type(self).__name__}.update_state: sample_weight is not supported by convlens")
        y_pred = torch.as_tensor(y_pred, dtype=torch.float32)
        y_true = torch.as_tensor(y_true).to(y_pred.device)
        stats = self.batch_stats(y_true, y_pred).detach()
        self._totals = stats if self._totals is None else self._totals + stats

    def reset_state(self) -> None:
        self._totals = None

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> torch.Tensor:
        self.update_state(y_true, y_pred, sample_weight)
        return self.result()

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "KerasMetric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"


class MeanMetricWrapper(KerasMetric):
    """The mean over samples of a per-sample function (Keras's class of the same name)."""

    fn: Callable[..., torch.Tensor]

    def __init__(self, fn: Callable[..., torch.Tensor] | None = None, name: str | None = None, dtype: Any = None,
                 **fn_kwargs: Any) -> None:
        super().__init__(name, dtype)
        if fn is not None:
            self.fn = fn
        self.fn_kwargs = fn_kwargs

    def values(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool) -> torch.Tensor:
        return self.fn(y_true, self.probabilities(y_pred, logits), **self.fn_kwargs)

    def batch_stats(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
        values = per_sample(self.values(y_true, y_pred, logits))
        return torch.stack([values.sum(), torch.tensor(float(values.numel()), device=values.device)])

    def compute(self, totals: Sequence[float]) -> float:
        total, count = totals
        return total / count if count else 0.0

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add a batch; ``sample_weight`` (one per sample, or per element) weighs it as Keras's mean metrics do."""
        if sample_weight is None:
            return super().update_state(y_true, y_pred)
        y_pred = torch.as_tensor(y_pred, dtype=torch.float32)
        values = self.values(torch.as_tensor(y_true).to(y_pred.device), y_pred, False).float()
        weight = torch.as_tensor(sample_weight, device=values.device).float()
        if weight.dim() == values.dim() + 1 and weight.shape[-1] == 1:
            weight = weight.squeeze(-1)
        if weight.dim() < values.dim():  # per-sample weights: values averaged down to the weights' rank first
            values = values.mean(tuple(range(weight.dim(), values.dim())))
        weight = torch.broadcast_to(weight, values.shape)
        values, weight = per_sample(values * weight), per_sample(weight)
        stats = torch.stack([values.sum(), weight.sum()]).detach()
        self._totals = stats if self._totals is None else self._totals + stats

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.fn_kwargs}


def same_shape(y_true: torch.Tensor, y_pred: torch.Tensor, who: str) -> torch.Tensor:
    if y_true.numel() != y_pred.numel():
        raise ValueError(f"{who} needs targets of the predictions' shape {tuple(y_pred.shape)} (binary or one-hot), "
                         f"got shape {tuple(y_true.shape)}")
    return y_true.reshape(y_pred.shape).float()


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` equals the 0/1 target (averaged over the last axis per sample)."""

    default_name = "binary_accuracy"

    def __init__(self, name: str | None = None, dtype: Any = None, threshold: float = 0.5) -> None:
        super().__init__(None, name, dtype, threshold=threshold)

    def values(self, y_true, y_pred, logits):
        y_pred = self.probabilities(y_pred, logits)
        hits = ((y_pred > self.fn_kwargs["threshold"]).float() == same_shape(y_true, y_pred, self.name)).float()
        return hits.mean(-1) if hits.dim() > 1 else hits


class CategoricalAccuracy(MeanMetricWrapper):
    default_name = "categorical_accuracy"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(categorical_accuracy, name, dtype)

    def values(self, y_true, y_pred, logits):  # argmax: the same with or without the softmax
        return categorical_accuracy(y_true, y_pred)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    default_name = "sparse_categorical_accuracy"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(sparse_categorical_accuracy, name, dtype)

    def values(self, y_true, y_pred, logits):
        return sparse_categorical_accuracy(y_true, y_pred)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    default_name = "top_k_categorical_accuracy"

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype, k=k)

    def values(self, y_true, y_pred, logits):
        return top_k_categorical_accuracy(y_true, y_pred, k=self.fn_kwargs["k"])


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    default_name = "sparse_top_k_categorical_accuracy"

    def __init__(self, k: int = 5, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype, k=k)

    def values(self, y_true, y_pred, logits):
        return sparse_top_k_categorical_accuracy(y_true, y_pred, k=self.fn_kwargs["k"])


class MeanSquaredError(MeanMetricWrapper):
    default_name = "mean_squared_error"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        y_pred = self.probabilities(y_pred, logits)
        squared = (same_shape(y_true, y_pred, self.name) - y_pred) ** 2
        return squared.mean(-1) if squared.dim() > 1 else squared  # per element over the last axis, as Keras


class MeanAbsoluteError(MeanMetricWrapper):
    default_name = "mean_absolute_error"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        y_pred = self.probabilities(y_pred, logits)
        absolute = (same_shape(y_true, y_pred, self.name) - y_pred).abs()
        return absolute.mean(-1) if absolute.dim() > 1 else absolute




class Mean(KerasMetric):
    """The (weighted) mean of every value given to ``update_state(values, sample_weight=None)`` (Keras's
    ``metrics.Mean``: a loss tracker in a custom ``train_step``)."""

    default_name = "mean"

    def update_state(self, values: Any, sample_weight: Any = None) -> None:  # type: ignore[override]
        values = torch.as_tensor(values).detach().float()
        if sample_weight is None:
            stats = torch.stack([values.sum(), torch.tensor(float(values.numel()), device=values.device)])
        else:
            weight = torch.broadcast_to(torch.as_tensor(sample_weight, device=values.device).float(), values.shape)
            stats = torch.stack([(values * weight).sum(), weight.sum()])
        self._totals = stats if self._totals is None else self._totals + stats.to(self._totals.device)

    def batch_stats(self, y_true, y_pred, logits=False):
        raise ValueError(f"{type(self).__name__} averages the values given to update_state(values); as a compiled "
                         f"metric use a metric of (y_true, y_pred) such as MeanSquaredError")

    def compute(self, totals):
        total, count = totals
        return total / count if count else 0.0

    def __call__(self, values: Any, sample_weight: Any = None) -> torch.Tensor:  # type: ignore[override]
        self.update_state(values, sample_weight)
        return self.result()


class Sum(Mean):
    """The (weighted) sum of every value given to ``update_state(values, sample_weight=None)``."""

    default_name = "sum"

    def compute(self, totals):
        return totals[0]
