"""Keras losses as per-sample torch functions.

A softmax output followed by cross-entropy is computed from the logits (log-softmax fused), never as
``log(softmax)``: the engine asks the model for pre-activation outputs and sets ``from_logits``.

Example:
    >>> import torch
    >>> loss = get("categorical_crossentropy")
    >>> round(loss(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]])).item(), 4)
    0.6931
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

import torch
import torch.nn.functional as F

EPSILON = 1e-7  # Keras's backend epsilon, used to clip probabilities


def categorical_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False,
                             label_smoothing: float = 0.0) -> torch.Tensor:
    if from_logits:
        return F.cross_entropy(y_pred, y_true, reduction="none", label_smoothing=label_smoothing)
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + label_smoothing / y_true.shape[-1]
    probs = y_pred / y_pred.sum(-1, keepdim=True)
    return -(y_true * probs.clamp(EPSILON, 1 - EPSILON).log()).sum(-1)


def sparse_categorical_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False,
                                    label_smoothing: float = 0.0) -> torch.Tensor:
    y_true = y_true.reshape(-1).long()
    if from_logits:
        return F.cross_entropy(y_pred, y_true, reduction="none", label_smoothing=label_smoothing)
    log_probs = (y_pred / y_pred.sum(-1, keepdim=True)).clamp(EPSILON, 1 - EPSILON).log()
    loss = F.nll_loss(log_probs, y_true, reduction="none")
    if label_smoothing:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(-1)
    return loss


def binary_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False,
                        label_smoothing: float = 0.0) -> torch.Tensor:
    y_true = y_true.reshape(y_pred.shape).to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        loss = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        loss = F.binary_cross_entropy(y_pred.clamp(EPSILON, 1 - EPSILON), y_true, reduction="none")
    return loss.mean(-1) if loss.dim() > 1 else loss


def mean_squared_error(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    diff = y_pred - y_true.reshape(y_pred.shape).to(y_pred.dtype)
    return diff.square().mean(-1) if diff.dim() > 1 else diff.square()


def mean_absolute_error(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    diff = y_pred - y_true.reshape(y_pred.shape).to(y_pred.dtype)
    return diff.abs().mean(-1) if diff.dim() > 1 else diff.abs()


@dataclass(frozen=True)
class Loss:
    """A loss with its Keras settings; ``kind`` tells the engine and ``accuracy`` which targets it expects."""

    name: str
    fn: Callable[..., torch.Tensor]
    kind: str  # 'categorical', 'sparse', 'binary' or 'regression'
    from_logits: bool = False
    label_smoothing: float = 0.0

    def __call__(self, y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool | None = None) -> torch.Tensor:
        """Per-sample loss values."""
        logits = self.from_logits if from_logits is None else from_logits
        return self.fn(y_true, y_pred, from_logits=logits, label_smoothing=self.label_smoothing)

    def fusable_with(self, activation: str | None) -> bool:
        """Whether the model's final activation can be folded into this loss (softmax/sigmoid + cross-entropy)."""
        if self.from_logits:
            return False
        return (self.kind in ("categorical", "sparse") and activation == "softmax") or \
            (self.kind == "binary" and activation == "sigmoid")

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


_LOSSES = {
    "categorical_crossentropy": Loss("categorical_crossentropy", categorical_crossentropy, "categorical"),
    "sparse_categorical_crossentropy": Loss("sparse_categorical_crossentropy", sparse_categorical_crossentropy,
                                            "sparse"),
    "binary_crossentropy": Loss("binary_crossentropy", binary_crossentropy, "binary"),
    "mean_squared_error": Loss("mean_squared_error", mean_squared_error, "regression"),
    "mean_absolute_error": Loss("mean_absolute_error", mean_absolute_error, "regression"),
}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "l2": "mean_squared_error",
            "l1": "mean_absolute_error"}


def _keras_options(loss: str, reduction: str | None = "sum_over_batch_size", name: str | None = None,
                   dtype: Any = None, axis: int = -1, ignore_class: int | None = None) -> None:
    """Keras's loss-object options that convlens follows only at their defaults; others are refused clearly."""
    if reduction not in ("sum_over_batch_size", "auto"):
        raise ValueError(f"{loss}: reduction={reduction!r} is not supported; convlens averages the per-sample "
                         f"losses over the batch ('sum_over_batch_size')")
    if name not in (None, loss):
        raise ValueError(f"{loss}: a custom name ({name!r}) is not supported; the history key is 'loss'")
    if dtype not in (None, "float32"):
        raise ValueError(f"{loss}: losses are computed in float32; got dtype={dtype!r}")
    if axis != -1:
        raise ValueError(f"{loss}: the class axis is the last one (axis=-1); got axis={axis}")
    if ignore_class is not None:
        raise ValueError(f"{loss}: ignore_class is not supported by convlens")


def CategoricalCrossentropy(from_logits: bool = False, label_smoothing: float = 0.0, **keras_options: Any) -> Loss:
    _keras_options("categorical_crossentropy", **keras_options)
    return replace(_LOSSES["categorical_crossentropy"], from_logits=from_logits, label_smoothing=label_smoothing)


def SparseCategoricalCrossentropy(from_logits: bool = False, label_smoothing: float = 0.0,
                                  **keras_options: Any) -> Loss:
    _keras_options("sparse_categorical_crossentropy", **keras_options)
    return replace(_LOSSES["sparse_categorical_crossentropy"], from_logits=from_logits,
                   label_smoothing=label_smoothing)


def BinaryCrossentropy(from_logits: bool = False, label_smoothing: float = 0.0, **keras_options: Any) -> Loss:
    _keras_options("binary_crossentropy", **keras_options)
    return replace(_LOSSES["binary_crossentropy"], from_logits=from_logits, label_smoothing=label_smoothing)


def MeanSquaredError(**keras_options: Any) -> Loss:
    _keras_options("mean_squared_error", **keras_options)
    return _LOSSES["mean_squared_error"]


def MeanAbsoluteError(**keras_options: Any) -> Loss:
    _keras_options("mean_absolute_error", **keras_options)
    return _LOSSES["mean_absolute_error"]


def get(identifier: str | Loss | Callable | dict) -> Loss:
    """A loss from a Keras name or alias, a ``Loss``, a config dict, or a function ``f(y_true, y_pred)``."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        config = dict(identifier)
        return replace(get(config.pop("name")), **config)
    if isinstance(identifier, str):
        name = _ALIASES.get(identifier.lower(), identifier.lower())
        if name in _LOSSES:
            return _LOSSES[name]
        raise ValueError(f"unknown loss {identifier!r}; expected one of {sorted(_LOSSES) + sorted(_ALIASES)}")
    if callable(identifier):
        name = getattr(identifier, "__name__", "custom_loss")
        if name in _LOSSES and _LOSSES[name].fn is identifier:  # convlens.losses.categorical_crossentropy itself
            return _LOSSES[name]
        return Loss(name, lambda y_true, y_pred, **_: identifier(y_true, y_pred), "regression")
    raise ValueError(f"unknown loss {identifier!r}")
