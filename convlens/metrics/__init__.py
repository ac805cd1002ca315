"""Keras metrics: per-element torch functions (outputs of any rank; averaged per sample, then over samples) and
Keras's metric classes, kept as sufficient statistics.

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

from typing import Any, Callable

from convlens import losses
from convlens.losses import (binary_crossentropy, categorical_crossentropy, categorical_hinge, hinge,
                             kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                             mean_squared_error, mean_squared_logarithmic_error, poisson,
                             sparse_categorical_crossentropy, squared_hinge)
from convlens.metrics.base import (BinaryAccuracy, CategoricalAccuracy, KerasMetric, Mean, MeanAbsoluteError,
                                   MeanMetricWrapper, MeanSquaredError, SparseCategoricalAccuracy,
                                   SparseTopKCategoricalAccuracy, Sum, TopKCategoricalAccuracy)
from convlens.metrics.confusion import AUC, Precision, Recall
from convlens.metrics.functions import (_ACCURACY, _NAMED, Metric, binary_accuracy, categorical_accuracy,
                                        on_probabilities, sparse_categorical_accuracy,
                                        sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from convlens.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from convlens.metrics.probabilistic import (Accuracy, BinaryCrossentropy, CategoricalCrossentropy,
                                            RootMeanSquaredError, SparseCategoricalCrossentropy)

CLASSES = {cls.__name__: cls for cls in (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                                         TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
                                         MeanAbsoluteError, Precision, Recall, AUC, Mean, Sum, IoU, MeanIoU,
                                         BinaryIoU, OneHotIoU, OneHotMeanIoU, Accuracy, BinaryCrossentropy,
                                         CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                         RootMeanSquaredError)}
_BY_NAME = {"precision": Precision, "recall": Recall, "auc": AUC}
_LOSS_FUNCTIONS = {"mse", "mae", "msle", "mape", "kld", "logcosh", "mean_squared_error", "mean_absolute_error",
                   "mean_squared_logarithmic_error", "mean_absolute_percentage_error", "kl_divergence", "poisson",
                   "log_cosh", "hinge", "squared_hinge", "categorical_hinge"}


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
        return Metric(name, on_probabilities(identifier, loss_kind))
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        kind = loss_kind if loss_kind in _ACCURACY else ("binary" if output_width == 1 else "categorical")
        return Metric(identifier, _ACCURACY[kind])
    if key in ("top_k_categorical_accuracy", "top_k_accuracy", "top5", "top_5_accuracy"):
        fn = _NAMED["sparse_top_k_categorical_accuracy" if loss_kind == "sparse" else "top_k_categorical_accuracy", "categorical_hinge", "hinge", "kl_divergence", "log_cosh",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "poisson", "squared_hinge"]
        return Metric(identifier, fn)
    if key in _NAMED:
        return Metric(identifier, _NAMED[key])
    if key in _LOSS_FUNCTIONS:  # 'mse', 'mae', 'kld', 'hinge' …: the loss function's mean
        return Metric(identifier, on_probabilities(losses.get(key).fn, loss_kind))
    if identifier in CLASSES or key in _BY_NAME:
        metric = get(identifier)
        if identifier in CLASSES:  # Keras names the history entry after the object's default name
            return metric.bind(loss_kind)
        metric.name = metric.__name__ = identifier
        return metric.bind(loss_kind)
    raise ValueError(f"unknown metric {identifier!r}; expected 'accuracy'/'acc', 'top_k_categorical_accuracy', "
                     f"{sorted(_NAMED)}, a loss name {sorted(_LOSS_FUNCTIONS)}, one of {sorted(CLASSES)}, a metric "
                     f"object or a function")



__all__ = ["AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "CategoricalCrossentropy",
           "RootMeanSquaredError", "SparseCategoricalCrossentropy", "BinaryIoU", "CategoricalAccuracy", "IoU", "KerasMetric", "Mean",
           "MeanAbsoluteError", "MeanIoU", "MeanMetricWrapper", "MeanSquaredError", "Metric", "OneHotIoU",
           "OneHotMeanIoU", "Precision", "Recall", "SparseCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Sum",
           "TopKCategoricalAccuracy", "binary_accuracy", "binary_crossentropy", "categorical_accuracy",
           "categorical_crossentropy", "get", "mean_absolute_error", "mean_squared_error", "resolve", "serialize",
           "sparse_categorical_accuracy", "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy",
           "top_k_categorical_accuracy", "categorical_hinge", "hinge", "kl_divergence", "log_cosh",
           "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "poisson", "squared_hinge"]
