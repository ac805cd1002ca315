"""Keras losses: per-element torch functions (reduced over the last axis, on outputs of any rank) and loss objects
whose call is the batch mean, as Keras's. Everything is computed in float32 (outputs are cast first).

A softmax output followed by cross-entropy is computed from the logits (log-softmax fused), never as
``log(softmax)``: the engine asks the model for pre-activation outputs and sets ``from_logits``.

Example:
    >>> import torch
    >>> loss = get("categorical_crossentropy")
    >>> round(loss(torch.tensor([[0.0, 1.0]]), torch.tensor([[0.5, 0.5]])).item(), 4)
    0.6931
    >>> get("mse").values(torch.zeros(2, 4, 4, 1), torch.ones(2, 4, 4, 1)).shape  # any rank: last axis reduced
    torch.Size([2, 4, 4])
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Callable

import torch
import torch.nn.functional as F

EPSILON = 1e-7  # Keras's backend epsilon, used to clip probabilities


def categorical_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False,
                             label_smoothing: float = 0.0) -> torch.Tensor:
    """Per element over the last (class) axis: ``(..., K)`` one-hot targets and outputs give ``(...)``."""
    y_pred = y_pred.float()
    y_true = y_true.reshape(y_pred.shape).to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + label_smoothing / y_true.shape[-1]
    if from_logits:
        return -(y_true * y_pred.log_softmax(-1)).sum(-1)
    probs = y_pred / y_pred.sum(-1, keepdim=True)
    return -(y_true * probs.clamp(EPSILON, 1 - EPSILON).log()).sum(-1)


def sparse_categorical_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False,
                                    label_smoothing: float = 0.0) -> torch.Tensor:
    """Integer targets of the outputs' shape without the class axis (``(N, H, W)`` or ``(N, H, W, 1)`` for
    ``(N, H, W, K)`` outputs) give one value per target."""
    y_pred = y_pred.float()
    labels = y_true.reshape(y_pred.shape[:-1]).long()
    log_probs = y_pred.log_softmax(-1) if from_logits else \
        (y_pred / y_pred.sum(-1, keepdim=True)).clamp(EPSILON, 1 - EPSILON).log()
    loss = -log_probs.gather(-1, labels.unsqueeze(-1)).squeeze(-1)
    if label_smoothing:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_probs.mean(-1)
    return loss


def binary_crossentropy(y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool = False,
                        label_smoothing: float = 0.0) -> torch.Tensor:
    """Per element, averaged over the last axis (``(N, H, W, C)`` images give ``(N, H, W)``)."""
    y_pred = y_pred.float()
    y_true = y_true.reshape(y_pred.shape).to(y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        loss = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        loss = F.binary_cross_entropy(y_pred.clamp(EPSILON, 1 - EPSILON), y_true, reduction="none")
    return loss.mean(-1) if loss.dim() > 1 else loss


def mean_squared_error(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    """Squared differences averaged over the last axis."""
    y_pred = y_pred.float()
    diff = y_pred - y_true.reshape(y_pred.shape).to(y_pred.dtype)
    return diff.square().mean(-1) if diff.dim() > 1 else diff.square()


def mean_absolute_error(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    """Absolute differences averaged over the last axis."""
    y_pred = y_pred.float()
    diff = y_pred - y_true.reshape(y_pred.shape).to(y_pred.dtype)
    return diff.abs().mean(-1) if diff.dim() > 1 else diff.abs()


def _last_axis_mean(values: torch.Tensor) -> torch.Tensor:
    return values.mean(-1) if values.dim() > 1 else values


def _pair(y_true: torch.Tensor, y_pred: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = y_pred.float()
    return y_true.reshape(y_pred.shape).to(y_pred.dtype), y_pred


def mean_squared_logarithmic_error(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return _last_axis_mean((y_pred.clamp(min=EPSILON).log1p() - y_true.clamp(min=EPSILON).log1p()).square())


def mean_absolute_percentage_error(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return 100.0 * _last_axis_mean(((y_true - y_pred) / y_true.abs().clamp(min=EPSILON)).abs())


def kl_divergence(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    y_true, y_pred = y_true.clamp(EPSILON, 1), y_pred.clamp(EPSILON, 1)
    values = y_true * (y_true / y_pred).log()
    return values.sum(-1) if values.dim() > 1 else values


def poisson(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return _last_axis_mean(y_pred - y_true * (y_pred + EPSILON).log())


def log_cosh(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return _last_axis_mean(x + F.softplus(-2.0 * x) - math.log(2.0))


def _hinge_labels(y_true: torch.Tensor) -> torch.Tensor:
    """0/1 labels become -1/1, as Keras's hinge losses expect."""
    return 2.0 * y_true - 1.0 if bool(((y_true == 0) | (y_true == 1)).all()) else y_true


def hinge(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return _last_axis_mean((1.0 - _hinge_labels(y_true) * y_pred).clamp(min=0))


def squared_hinge(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return _last_axis_mean((1.0 - _hinge_labels(y_true) * y_pred).clamp(min=0).square())


def categorical_hinge(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    positive = (y_true * y_pred).sum(-1)
    negative = ((1.0 - y_true) * y_pred).amax(-1)
    return (negative - positive + 1.0).clamp(min=0)


def cosine_similarity(y_true: torch.Tensor, y_pred: torch.Tensor, **_: Any) -> torch.Tensor:
    """Minus the cosine similarity over the last axis (so that minimising it aligns the vectors), as Keras."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -(F.normalize(y_true, dim=-1, eps=1e-12) * F.normalize(y_pred, dim=-1, eps=1e-12)).sum(-1)


def per_sample_mean(values: torch.Tensor, sample_weight: torch.Tensor | None = None,
                    element_weight: torch.Tensor | None = None) -> torch.Tensor:
    """Per-element loss values ``(N, ...)`` to one value per sample ``(N,)``: weighted, then averaged over the
    non-batch axes, so the batch mean equals Keras's ``sum_over_batch_size`` (sum over elements / count).

    ``sample_weight``: ``(N,)`` (one weight per sample) or the values' shape (one per element, e.g. per pixel;
    a trailing axis of 1 is dropped). ``element_weight``: the values' shape (class weights by each element's label).
    """
    if element_weight is not None:
        values = values * element_weight
    if sample_weight is not None:
        weight = torch.as_tensor(sample_weight, device=values.device).float()
        if weight.dim() == values.dim() + 1 and weight.shape[-1] == 1:
            weight = weight.squeeze(-1)
        if weight.dim() == 1 and len(weight) == len(values):
            weight = weight.reshape(-1, *([1] * (values.dim() - 1)))
        elif tuple(weight.shape) != tuple(values.shape):
            raise ValueError(f"sample_weight has shape {tuple(weight.shape)}; expected ({len(values)},) (one per "
                             f"sample) or {tuple(values.shape)} (one per loss element)")
        values = values * weight
    return values.reshape(len(values), -1).mean(-1) if values.dim() > 1 else values


@dataclass(frozen=True)
class Loss:
    """A loss with its Keras settings; ``kind`` tells the engine and ``accuracy`` which targets it expects."""

    name: str
    fn: Callable[..., torch.Tensor]
    kind: str  # 'categorical', 'sparse', 'binary' or 'regression'
    from_logits: bool = False
    label_smoothing: float = 0.0

    def values(self, y_true: torch.Tensor, y_pred: torch.Tensor, from_logits: bool | None = None) -> torch.Tensor:
        """Per-element losses in float32, reduced over the last axis only (``(N, H, W)`` for ``(N, H, W, C)``
        outputs)."""
        logits = self.from_logits if from_logits is None else from_logits
        y_pred = torch.as_tensor(y_pred).float()
        return self.fn(torch.as_tensor(y_true, device=y_pred.device), y_pred, from_logits=logits,
                       label_smoothing=self.label_smoothing)

    def per_sample(self, y_true: torch.Tensor, y_pred: torch.Tensor, sample_weight: Any = None,
                   from_logits: bool | None = None, element_weight: torch.Tensor | None = None) -> torch.Tensor:
        """One loss value per sample ``(N,)``: the weighted per-element values averaged over each sample."""
        values = self.values(y_true, y_pred, from_logits)
        if values.dim() == 0:  # a custom function that already averaged the batch
            values = values.expand(len(y_pred))
        return per_sample_mean(values, sample_weight, element_weight)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> torch.Tensor:
        """Keras's loss-object call: the mean loss of the batch (``sum_over_batch_size``), a 0-d float32 tensor."""
        return self.per_sample(y_true, y_pred, sample_weight).mean()

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
    **{fn.__name__: Loss(fn.__name__, fn, "regression") for fn in (
        mean_squared_logarithmic_error, mean_absolute_percentage_error, kl_divergence, poisson, log_cosh, hinge,
        squared_hinge, categorical_hinge, cosine_similarity)},
}
_ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error", "l2": "mean_squared_error",
            "l1": "mean_absolute_error", "msle": "mean_squared_logarithmic_error",
            "mape": "mean_absolute_percentage_error", "kld": "kl_divergence", "logcosh": "log_cosh"}


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


def _plain_loss(function_name: str, class_name: str) -> Callable[..., Loss]:
    """A Keras loss class without options of its own (``Hinge()``, ``Poisson()`` …)."""
    def make(**keras_options: Any) -> Loss:
        _keras_options(function_name, **keras_options)
        return _LOSSES[function_name]
    make.__name__ = make.__qualname__ = class_name
    make.__doc__ = f"Keras's ``losses.{class_name}``: the batch mean of ``{function_name}``."
    return make


MeanSquaredLogarithmicError = _plain_loss("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError")
MeanAbsolutePercentageError = _plain_loss("mean_absolute_percentage_error", "MeanAbsolutePercentageError")
KLDivergence = _plain_loss("kl_divergence", "KLDivergence")
Poisson = _plain_loss("poisson", "Poisson")
LogCosh = _plain_loss("log_cosh", "LogCosh")
Hinge = _plain_loss("hinge", "Hinge")
SquaredHinge = _plain_loss("squared_hinge", "SquaredHinge")
CategoricalHinge = _plain_loss("categorical_hinge", "CategoricalHinge")
CosineSimilarity = _plain_loss("cosine_similarity", "CosineSimilarity")


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
        return Loss(name, lambda y_true, y_pred, **_: torch.as_tensor(identifier(y_true, y_pred)).float(),
                    "regression")
    raise ValueError(f"unknown loss {identifier!r}")
