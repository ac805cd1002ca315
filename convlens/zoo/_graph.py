"""Shared pieces of the functional-API builders: the input check (with the smallest input named), Keras's
top/pooling, and the parameter count of a named block.

Example:
    >>> from convlens.layers import Conv2D
    >>> def make(shape):
    ...     inputs = Input(shape=shape)
    ...     return Model(inputs, Conv2D(2, 5)(Conv2D(2, 5)(inputs)))
    >>> build_checked("Tiny", make, (8, 8, 1))
    Traceback (most recent call last):
    ...
    ValueError: Tiny cannot take a 8×8 input (input_shape=(8, 8, 1)): its smallest input is 9×9×1.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

from convlens.arithmetic import ShapeError
from convlens.layers import Dense, Dropout, GlobalAveragePooling2D, Input
from convlens.models import Model
from convlens.zoo._stack import checked_shape, check_top_arguments, pooling_layers, smallest_square, too_small

__all__ = ["Input", "Model", "build_checked", "check_top_arguments", "finish", "block_params"]


def _fits(make: Callable[[tuple], Any], shape: tuple) -> bool:
    try:
        with torch.device("meta"):  # shapes only: no memory, no initialisation
            make(shape)
    except ShapeError:
        return False
    return True


def build_checked(model_name: str, make: Callable[[tuple], Model], input_shape: Any, hint: str = "",
                  limit: int = 1024) -> Model:
    """``make(input_shape)``; when the input is too small, a ``ValueError`` names the smallest square input."""
    input_shape = checked_shape(model_name, input_shape)
    try:
        return make(input_shape)
    except ShapeError as err:
        smallest = smallest_square(lambda shape: _fits(make, shape), input_shape[-1],
                                   low=max(input_shape[0], input_shape[1]), limit=limit)
        raise too_small(model_name, input_shape, smallest, err, hint) from None


def finish(inputs: Any, x: Any, include_top: bool, pooling: str | None, classes: int,
           classifier_activation: Any, name: str, top_dropout: float | None = None) -> Model:
    """Keras's ending: ``GlobalAveragePooling2D → [Dropout(top_dropout)] → Dense(classes)`` with the top, else
    ``pooling``."""
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        if top_dropout is not None:
            x = Dropout(top_dropout, name="dropout")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        for layer in pooling_layers(pooling):
            x = layer(x)
    return Model(inputs, x, name=name)


def block_params(model: Model, prefix: str) -> int:
    """Parameters (moving statistics included, as Keras counts) of the layers whose name starts with ``prefix``."""
    return sum(t.numel() for layer in model.layers if layer.name.startswith(prefix)
               for t in (*layer.parameters(), *layer.buffers()))  # no values read: works on the meta device
