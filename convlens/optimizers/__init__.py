"""Keras optimizers (``SGD``, ``RMSprop``, ``Adam``, ``AdamW``, ``Adagrad``, ``Adadelta``) with Keras 3's update
rules, and learning-rate ``schedules``.

Example:
    >>> from convlens import optimizers
    >>> opt = optimizers.Adam(learning_rate=optimizers.schedules.CosineDecay(1e-3, decay_steps=100))
    >>> opt.learning_rate
    0.001
    >>> optimizers.get("rmsprop").epsilon
    1e-07
"""
from __future__ import annotations

from convlens.optimizers import rules, schedules
from convlens.optimizers.base import (OPTIMIZERS, SGD, Adadelta, Adagrad, Adam, AdamW, Optimizer, RMSprop, get)


def serialize(optimizer: Optimizer) -> dict:
    """Keras's ``optimizers.serialize``: the optimizer's config (with ``class_name``)."""
    return optimizer.get_config()


def deserialize(config: dict) -> Optimizer:
    """Keras's ``optimizers.deserialize``: an optimizer from ``serialize``'s dict."""
    return get(config)


__all__ = ["OPTIMIZERS", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "deserialize", "get",
           "rules", "schedules", "serialize"]
