"""Keras's confusion-count metrics: ``Precision``, ``Recall`` (at one threshold) and ``AUC``.

Example:
    >>> p = Precision()
    >>> p.update_state([[1.0], [0.0]], [[0.9], [0.8]]); float(p.result())
    0.5
"""
from __future__ import annotations

from typing import Any, Sequence

import torch

from convlens.metrics.base import KerasMetric, same_shape


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
        y_true = same_shape(y_true, y_pred, self.name)
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
        positive = (same_shape(y_true, y_pred, self.name) > 0.5).float().reshape(-1)
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


