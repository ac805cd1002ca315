"""Shared pieces of the plain-stack builders: input checks with the smallest input named, Keras's top/pooling.

Example:
    >>> from convlens.layers import Conv2D, MaxPooling2D
    >>> smallest_square_input([Conv2D(4, 5), MaxPooling2D(2), Conv2D(4, 5)], channels=1)
    14
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from convlens.arithmetic import ShapeError
from convlens.layers import GlobalAveragePooling2D, GlobalMaxPooling2D, Input, Layer
from convlens.models import Sequential

POOLINGS = (None, "avg", "max")


def output_shape(layers: Sequence[Layer], input_shape: Sequence[int]) -> tuple:
    """The shape after ``layers`` from shape arithmetic alone (no weights are created)."""
    shape: tuple = (None, *input_shape)
    for layer in layers:
        shape = layer.compute_output_shape(shape)
    return shape


def count_params(layers: Sequence[Layer], input_shape: Sequence[int]) -> int:
    """Parameters of a stack at ``input_shape`` from the arithmetic alone, e.g. for 138M-weight VGG16."""
    shape: tuple = (None, *input_shape)
    total = 0
    for layer in layers:
        total += layer.param_count(shape).count
        shape = layer.compute_output_shape(shape)
    return total


def smallest_square_input(layers: Sequence[Layer], channels: int, limit: int = 4096) -> int | None:
    """The smallest ``s`` for which an ``s×s×channels`` input passes through ``layers``; ``None`` up to ``limit``."""
    return smallest_square(lambda shape: _fits(layers, shape), channels, limit=limit)


def smallest_square(fits: Callable[[tuple], bool], channels: int, low: int = 1, limit: int = 4096) -> int | None:
    """The smallest ``s`` in ``[low, limit]`` with ``fits((s, s, channels))``; ``None`` when ``limit`` does not fit.
    The output size grows with the input size, so a bisection finds it."""
    if not fits((limit, limit, channels)):
        return None
    lo, hi = low, limit
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fits((mid, mid, channels)) else (mid + 1, hi)
    return lo


def _fits(layers: Sequence[Layer], input_shape: tuple) -> bool:
    try:
        output_shape(layers, input_shape)
    except ShapeError:
        return False
    return True


def checked_shape(model_name: str, input_shape: Any) -> tuple:
    """``input_shape`` as a tuple ``(H, W, C)`` of positive ints, or a ``ValueError`` naming the model."""
    if not (isinstance(input_shape, (tuple, list)) and len(input_shape) == 3
            and all(isinstance(d, int) and d > 0 for d in input_shape)):
        raise ValueError(f"{model_name}: input_shape must be (height, width, channels) of positive ints, "
                         f"got {input_shape!r}")
    return tuple(input_shape)


def too_small(model_name: str, input_shape: tuple, smallest: int | None, err: ShapeError,
              hint: str = "") -> ValueError:
    """The error for an input the model cannot take: the smallest square input that fits, else the shape error."""
    need = f"its smallest input is {smallest}×{smallest}×{input_shape[-1]}" if smallest else str(err)
    return ValueError(f"{model_name} cannot take a {input_shape[0]}×{input_shape[1]} input "
                      f"(input_shape={input_shape}): {need}.{' ' + hint if hint else ''}")


def check_input_shape(model_name: str, input_shape: Any, layers: Sequence[Layer], hint: str = "") -> tuple:
    """``input_shape`` as a tuple ``(H, W, C)``; a ``ValueError`` names the smallest input that fits if it is too
    small for ``layers``."""
    input_shape = checked_shape(model_name, input_shape)
    try:
        output_shape(layers, input_shape)
    except ShapeError as err:
        raise too_small(model_name, input_shape, smallest_square_input(layers, input_shape[-1]), err,
                        hint) from None
    return input_shape


def check_top_arguments(model_name: str, include_top: bool, pooling: str | None, classes: int) -> None:
    """Keras's argument checks shared by every application."""
    if pooling not in POOLINGS:
        raise ValueError(f"{model_name}: pooling must be None, 'avg' or 'max', got {pooling!r}")
    if not isinstance(include_top, bool):
        raise ValueError(f"{model_name}: include_top must be True or False, got {include_top!r}")
    if not isinstance(classes, int) or classes < 1:
        raise ValueError(f"{model_name}: classes must be a positive int, got {classes!r}")


def pooling_layers(pooling: str | None) -> list[Layer]:
    """Keras's ``pooling=`` for ``include_top=False``: nothing, global average or global max."""
    return {None: [], "avg": [GlobalAveragePooling2D(name="avg_pool")],
            "max": [GlobalMaxPooling2D(name="max_pool")]}[pooling]


def stack_model(model_name: str, name: str, input_shape: Any, features: list[Layer], top: list[Layer],
                include_top: bool, pooling: str | None, hint: str = "") -> Sequential:
    """``Input → features → (top | pooling)`` as a Sequential, after the input is checked against the layers."""
    layers = features + (top if include_top else pooling_layers(pooling))
    input_shape = check_input_shape(model_name, input_shape, layers, hint)
    return Sequential([Input(shape=input_shape), *layers], name=name)


def scaled(filters: int, width: float) -> int:
    """``filters × width`` rounded, at least 1: the ``width`` argument of the zoo's builders (1.0 is the published
    network; 0.25 trains on a laptop)."""
    if not (isinstance(width, (int, float)) and width > 0):
        raise ValueError(f"width must be a positive number, got {width!r}")
    return max(1, int(round(filters * width)))
