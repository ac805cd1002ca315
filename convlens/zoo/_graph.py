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
from convlens.layers import Dense, GlobalAveragePooling2D, GlobalMaxPooling2D, Input
from convlens.models import Model
from convlens.zoo._stack import check_top_arguments

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
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3
            and all(isinstance(d, int) and d > 0 for d in input_shape)):
        raise ValueError(f"{model_name}: input_shape must be (height, width, channels) of positive ints, "
                         f"got {input_shape!r}")
    input_shape = tuple(input_shape)
    try:
        return make(input_shape)
    except ShapeError as err:
        channels = input_shape[-1]
        lo, hi = max(input_shape[0], input_shape[1]), limit
        if not _fits(make, (hi, hi, channels)):
            need = str(err)
        else:
            while lo < hi:
                mid = (lo + hi) // 2
                lo, hi = (lo, mid) if _fits(make, (mid, mid, channels)) else (mid + 1, hi)
            need = f"its smallest input is {lo}×{lo}×{channels}"
        raise ValueError(f"{model_name} cannot take a {input_shape[0]}×{input_shape[1]} input "
                         f"(input_shape={input_shape}): {need}.{' ' + hint if hint else ''}") from None


def finish(inputs: Any, x: Any, include_top: bool, pooling: str | None, classes: int,
           classifier_activation: Any, name: str) -> Model:
    """Keras's ending: ``GlobalAveragePooling2D → Dense(classes)`` with the top, else ``pooling``."""
    if include_top:
        x = GlobalAveragePooling2D(name="avg_pool")(x)
        x = Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = GlobalMaxPooling2D(name="max_pool")(x)
    return Model(inputs, x, name=name)


def block_params(model: Model, prefix: str) -> int:
    """Parameters (moving statistics included, as Keras counts) of the layers whose name starts with ``prefix``."""
    return sum(t.numel() for layer in model.layers if layer.name.startswith(prefix)
               for t in (*layer.parameters(), *layer.buffers()))  # no values read: works on the meta device
