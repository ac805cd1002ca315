"""Keras metrics: per-sample torch functions and Keras's metric classes, kept as sufficient statistics.

``'accuracy'`` / ``'acc'`` become categorical, sparse or binary accuracy from the loss, as Keras chooses; the
history key is the name the user wrote. The classes (``BinaryAccuracy``, ``Precision``, ``AUC`` …) work inside
``fit`` (statistics summed on the device, one sync per epoch) and on their own with Keras's
``update_state`` / ``result`` / ``reset_state``.

Example:
    >>> import torch
    >>> acc = resolve("accuracy", "sparse")
    >>> acc(torch.tensor([1, 0]), torch.tensor([[0.2, 0.8], [0.3, 0.7]])).tolist()
    [1.0, 0.0]
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import torch

from convlens import losses


def categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
    return (y_pred.argmax(-1) == y_true.argmax(-1)).float()


def sparse_categorical_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
    return (y_pred.argmax(-1) == y_true.reshape(-1).long()).float()


def binary_accuracy(y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool = False) -> torch.Tensor:
    predicted = y_pred > (0.0 if logits else 0.5)  # sigmoid(z) > 0.5  ⇔  z > 0
    hits = (predicted == (y_true.reshape(y_pred.shape) > 0.5)).float()
    return hits.mean(-1) if hits.dim() > 1 else hits


def _top_k(targets: torch.Tensor, y_pred: torch.Tensor, k: int) -> torch.Tensor:
    top = y_pred.topk(min(k, y_pred.shape[-1]), dim=-1).indices
    return (top == targets.reshape(-1, 1)).any(-1).float()


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
        values = self(y_true, y_pred, logits=logits)
        return torch.stack([values.sum(), torch.tensor(float(values.numel()), device=values.device)])

    def result(self, totals: list[float]) -> float:
        """The epoch's value from the summed ``batch_stats``."""
        total, count = totals
        return total / count if count else 0.0


_ACCURACY = {"categorical": categorical_accuracy, "sparse": sparse_categorical_accuracy,
             "binary": binary_accuracy}
_NAMED = {f.__name__: f for f in (categorical_accuracy, sparse_categorical_accuracy, binary_accuracy,
                                  top_k_categorical_accuracy, sparse_top_k_categorical_accuracy)}


def _regression(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    return lambda y_true, y_pred, logits=False: fn(y_true, y_pred)


# --- Keras's metric classes ------------------------------------------------------------------------------------------
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
        values = self.values(y_true, y_pred, logits).float()
        return torch.stack([values.sum(), torch.tensor(float(values.numel()), device=values.device)])

    def compute(self, totals: Sequence[float]) -> float:
        total, count = totals
        return total / count if count else 0.0

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.fn_kwargs}


def _same_shape(y_true: torch.Tensor, y_pred: torch.Tensor, who: str) -> torch.Tensor:
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
        hits = ((y_pred > self.fn_kwargs["threshold"]).float() == _same_shape(y_true, y_pred, self.name)).float()
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
        return ((_same_shape(y_true, y_pred, self.name) - y_pred) ** 2).reshape(len(y_pred), -1).mean(-1)


class MeanAbsoluteError(MeanMetricWrapper):
    default_name = "mean_absolute_error"

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(None, name, dtype)

    def values(self, y_true, y_pred, logits):
        y_pred = self.probabilities(y_pred, logits)
        return (_same_shape(y_true, y_pred, self.name) - y_pred).abs().reshape(len(y_pred), -1).mean(-1)


class _ThresholdCounts(KerasMetric):
    """Precision / Recall: counts of true positives and false positives / negatives at one threshold."""

    def __init__(self, thresholds: float | Sequence[float] | None = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name, dtype)
        if isinstance(thresholds, (list, tuple)):
            if len(thresholds) != 1:
                raise ValueError(f"{type(self).__name__}: convlens supports one threshold; got {thresholds!r}")
            thresholds = thresholds[0]
        if top_k is not None:
            raise ValueError(f"{type(self).__name__}(top_k=…) is not supported by convlens; use class_id or "
                             f"TopKCategoricalAccuracy")
        self.thresholds = 0.5 if thresholds is None else float(thresholds)
        self.class_id = class_id

    def counts(self, y_true: torch.Tensor, y_pred: torch.Tensor, logits: bool) -> tuple[torch.Tensor, ...]:
        y_pred = self.probabilities(y_pred, logits)
        y_true = _same_shape(y_true, y_pred, self.name)
        if self.class_id is not None:
            y_pred, y_true = y_pred[..., self.class_id], y_true[..., self.class_id]
        predicted = (y_pred > self.thresholds).float()
        positive = (y_true > 0.5).float()
        tp = (predicted * positive).sum()
        return tp, (predicted * (1 - positive)).sum(), ((1 - predicted) * positive).sum()

    def get_config(self) -> dict[str, Any]:
        return {"thresholds": self.thresholds, "class_id": self.class_id, "name": self.name}


class Precision(_ThresholdCounts):
    """``tp / (tp + fp)`` over every element, predictions above ``thresholds`` (0.5) counting as positive."""

    default_name = "precision"

    def batch_stats(self, y_true, y_pred, logits=False):
        tp, fp, _ = self.counts(y_true, y_pred, logits)
        return torch.stack([tp, fp])

    def compute(self, totals):
        tp, fp = totals
        return tp / (tp + fp) if tp + fp else 0.0


class Recall(_ThresholdCounts):
    """``tp / (tp + fn)`` over every element, predictions above ``thresholds`` (0.5) counting as positive."""

    default_name = "recall"

    def batch_stats(self, y_true, y_pred, logits=False):
        tp, _, fn = self.counts(y_true, y_pred, logits)
        return torch.stack([tp, fn])

    def compute(self, totals):
        tp, fn = totals
        return tp / (tp + fn) if tp + fn else 0.0


class AUC(KerasMetric):
    """Area under the ROC (or PR) curve from confusion counts at ``num_thresholds`` thresholds, as Keras does.

    The statistics are the true- and false-positive counts at each threshold plus the totals of positives and
    negatives; a batch adds them in one ``bincount`` (no per-threshold loop).
    """

    default_name = "auc"

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name: str | None = None, dtype: Any = None, thresholds: Sequence[float] | None = None,
                 multi_label: bool = False, num_labels: int | None = None, label_weights: Any = None,
                 from_logits: bool = False) -> None:
        super().__init__(name, dtype)
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f"curve={curve!r} is invalid; expected 'ROC' or 'PR'")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"summation_method={summation_method!r} is invalid; expected 'interpolation', "
                             f"'minoring' or 'majoring'")
        if multi_label or num_labels is not None or label_weights is not None:
            raise ValueError("AUC(multi_label=…, num_labels=…, label_weights=…) is not supported by convlens; "
                             "the AUC is computed over all outputs flattened")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            num_thresholds = len(inner) + 2
        else:
            if num_thresholds <= 1:
                raise ValueError(f"num_thresholds must be > 1, got {num_thresholds}")
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds, self.curve, self.summation_method = num_thresholds, curve.upper(), summation_method
        self.from_logits = from_logits
        self._given_thresholds = thresholds
        self.thresholds = [0.0 - 1e-7] + inner + [1.0 + 1e-7]
        self.size = 2 * num_thresholds + 2

    def batch_stats(self, y_true, y_pred, logits=False):
        y_pred = self.probabilities(y_pred, logits)
        if self.from_logits:
            y_pred = y_pred.sigmoid()
        positive = (_same_shape(y_true, y_pred, self.name) > 0.5).float().reshape(-1)
        y_pred = y_pred.reshape(-1).float()
        thresholds = torch.tensor(self.thresholds, dtype=torch.float32, device=y_pred.device)
        below = torch.searchsorted(thresholds, y_pred)  # how many thresholds each prediction is strictly above
        n = self.num_thresholds
        pos_bins = torch.bincount(below, weights=positive, minlength=n + 1)
        neg_bins = torch.bincount(below, weights=1 - positive, minlength=n + 1)
        tp = pos_bins.flip(0).cumsum(0).flip(0)[1:]  # tp[j]: positives above threshold j
        fp = neg_bins.flip(0).cumsum(0).flip(0)[1:]
        return torch.cat([tp, fp, positive.sum().reshape(1), (1 - positive).sum().reshape(1)]).float()

    def compute(self, totals):
        t = torch.as_tensor(totals, dtype=torch.float64)
        n = self.num_thresholds
        tp, fp, pos, neg = t[:n], t[n:2 * n], t[2 * n], t[2 * n + 1]
        fn, tn = pos - tp, neg - fp

        def ratio(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
            return torch.where(b > 0, a / torch.where(b > 0, b, torch.ones_like(b)), torch.zeros_like(a))

        if self.curve == "PR" and self.summation_method == "interpolation":
            return float(self._interpolated_pr(tp, fp, fn, ratio))
        recall = ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = ratio(fp, fp + tn), recall
        else:
            x, y = recall, ratio(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[:-1], y[1:])
        else:
            heights = torch.maximum(y[:-1], y[1:])
        return float(((x[:-1] - x[1:]) * heights).sum())

    @staticmethod
    def _interpolated_pr(tp, fp, fn, ratio) -> torch.Tensor:
        """Davis & Goadrich's interpolation of the precision-recall curve between thresholds."""
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = ratio(dtp, dp.clamp(min=0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        p_ratio = torch.where(both, ratio(p[:-1], p[1:].clamp(min=0)), torch.ones_like(p[1:]))
        return ratio(slope * (dtp + intercept * torch.log(p_ratio)), (tp[1:] + fn[1:]).clamp(min=0)).sum()

    def get_config(self) -> dict[str, Any]:
        return {"num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "name": self.name,
                "thresholds": self._given_thresholds, "from_logits": self.from_logits}


CLASSES = {cls.__name__: cls for cls in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                         TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
                                         MeanAbsoluteError, Precision, Recall, AUC)}
_BY_NAME = {"precision": Precision, "recall": Recall, "auc": AUC}


def get(identifier: str | KerasMetric | Callable) -> KerasMetric | Callable:
    """Keras's ``metrics.get``: a metric object from a class name, or the object / function itself."""
    if isinstance(identifier, str):
        if identifier in CLASSES:
            return CLASSES[identifier]()
        if identifier.lower() in _BY_NAME:
            return _BY_NAME[identifier.lower()]()
        if identifier in _NAMED:
            return _NAMED[identifier]
        raise ValueError(f"unknown metric {identifier!r}")
    return identifier


def serialize(metric: str | Callable | KerasMetric) -> str | dict[str, Any]:
    """What a compiled model's config stores for a metric: the name, or ``{"class_name", "config"}`` for objects."""
    if isinstance(metric, KerasMetric):
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    return metric if isinstance(metric, str) else getattr(metric, "__name__", "metric")


def resolve(identifier: str | Callable | KerasMetric | dict, loss_kind: str,
            output_width: int | None = None) -> Metric | KerasMetric:
    """Turn a Keras metric name, function, object (or ``serialize``'s dict) into the engine's metric for a loss
    of kind ``loss_kind``."""
    if isinstance(identifier, dict):
        if identifier.get("class_name") not in CLASSES:
            raise ValueError(f"unknown metric config {identifier!r}; expected one of {sorted(CLASSES)}")
        identifier = CLASSES[identifier["class_name"]].from_config(dict(identifier.get("config", {})))
    if isinstance(identifier, KerasMetric):
        return identifier.bind(loss_kind)
    if isinstance(identifier, type) and issubclass(identifier, KerasMetric):
        return identifier().bind(loss_kind)
    if callable(identifier) and not isinstance(identifier, str):
        name = getattr(identifier, "__name__", "metric")
        if name in _NAMED:
            return Metric(name, _NAMED[name])
        return Metric(name, lambda y_true, y_pred, logits=False: identifier(y_true, y_pred))
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        kind = loss_kind if loss_kind in _ACCURACY else ("binary" if output_width == 1 else "categorical")
        return Metric(identifier, _ACCURACY[kind])
    if key in ("top_k_categorical_accuracy", "top_k_accuracy", "top5", "top_5_accuracy"):
        fn = _NAMED["sparse_top_k_categorical_accuracy" if loss_kind == "sparse" else "top_k_categorical_accuracy"]
        return Metric(identifier, fn)
    if key in _NAMED:
        return Metric(identifier, _NAMED[key])
    if key in ("mse", "mae", "mean_squared_error", "mean_absolute_error"):
        return Metric(identifier, _regression(losses.get(key).fn))
    if identifier in CLASSES or key in _BY_NAME:
        metric = get(identifier)
        if identifier in CLASSES:  # Keras names the history entry after the object's default name
            return metric.bind(loss_kind)
        metric.name = metric.__name__ = identifier
        return metric.bind(loss_kind)
    raise ValueError(f"unknown metric {identifier!r}; expected 'accuracy'/'acc', 'top_k_categorical_accuracy', "
                     f"{sorted(_NAMED)}, 'mse', 'mae', one of {sorted(CLASSES)}, a metric object or a function")
