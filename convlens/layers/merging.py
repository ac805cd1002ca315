"""Merge layers: combine a list of tensors element-wise (Add, Subtract, Multiply, Average, Maximum, Minimum) or
join them along an axis (Concatenate), Dot, and Keras's functional forms (``add([a, b])``, ``concatenate(...)``
…). Shapes follow Keras's rules in ``convlens.arithmetic``.

Example:
    >>> import torch
    >>> Add()([torch.ones(2, 3), torch.ones(2, 3)]).tolist()
    [[2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]
    >>> Concatenate().compute_output_shape([(None, 8, 8, 16), (None, 8, 8, 32)])
    (None, 8, 8, 48)
"""
from __future__ import annotations

import functools
from typing import Any, Sequence

import torch
import torch.nn.functional as F

from convlens import arithmetic
from convlens.arithmetic import ShapeError
from convlens.layers.base import Layer, Shape


class _Merge(Layer):
    """An element-wise merge of two or more inputs of equal (or broadcastable) shapes."""

    min_inputs, max_inputs = 1, None

    def _check_list(self, shapes: Any) -> list[tuple]:
        if not isinstance(shapes, (list, tuple)) or not shapes or not all(isinstance(s, (list, tuple)) for s in shapes):
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) must be called on a list of tensors, "
                             f"got input shape {shapes}")
        count = len(shapes)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            wanted = (f"exactly {self.min_inputs}" if self.min_inputs == self.max_inputs
                      else f"at least {self.min_inputs}")
            raise ShapeError(f"layer {self.name!r} ({type(self).__name__}) takes {wanted} inputs, got {count}: "
                             f"{[tuple(s) for s in shapes]}")
        return [tuple(s) for s in shapes]

    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Shape:
        shapes = self._check_list(input_shape)
        return arithmetic.broadcast_shapes(shapes, f"layer {self.name!r} ({type(self).__name__})")

    @staticmethod
    def _align(inputs: Sequence[torch.Tensor]) -> list[torch.Tensor]:
        """Give lower-rank inputs ones after the batch axis, as Keras does, so torch broadcasting matches."""
        rank = max(t.ndim for t in inputs)
        return [t.reshape(t.shape[0], *(1,) * (rank - t.ndim), *t.shape[1:]) for t in inputs]

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        self._check_list([tuple(t.shape) for t in inputs] if isinstance(inputs, (list, tuple)) else inputs)
        return self.merge(self._align(inputs))

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        raise NotImplementedError


class Add(_Merge):
    """Sum of the inputs, e.g. a residual connection: ``Add()([x, shortcut])``."""

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return functools.reduce(torch.add, inputs)


class Subtract(_Merge):
    """``inputs[0] - inputs[1]``; exactly two inputs."""

    min_inputs = max_inputs = 2

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Element-wise product of the inputs."""

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return functools.reduce(torch.mul, inputs)


class Average(_Merge):
    """Element-wise mean of the inputs."""

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return functools.reduce(torch.add, inputs) / len(inputs)


class Maximum(_Merge):
    """Element-wise maximum of the inputs."""

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return functools.reduce(torch.maximum, inputs)


class Minimum(_Merge):
    """Element-wise minimum of the inputs."""

    def merge(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return functools.reduce(torch.minimum, inputs)


class Concatenate(_Merge):
    """Join the inputs along ``axis`` (default: the channels), e.g. the branches of an inception block."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise ValueError(f"axis must be an int, got {axis!r}")
        self.axis = axis

    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Shape:
        shapes = self._check_list(input_shape)
        try:
            return arithmetic.concat_shapes(shapes, self.axis)
        except ShapeError as err:
            raise ShapeError(f"layer {self.name!r}: {err}") from None

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        self._check_list([tuple(t.shape) for t in inputs] if isinstance(inputs, (list, tuple)) else inputs)
        return torch.cat(list(inputs), dim=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}


class Dot(_Merge):
    """Per-sample dot product of two inputs along ``axes`` (batch axis counted, so ``axes=1`` on ``(N, d)``
    vectors gives ``(N, 1)``); ``normalize=True`` L2-normalises both first, which gives the cosine similarity."""

    min_inputs = max_inputs = 2

    def __init__(self, axes: int | Sequence[int], normalize: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(axes, int) and not (isinstance(axes, (list, tuple)) and len(axes) == 2):
            raise ValueError(f"axes must be an int or a pair of ints, got {axes!r}")
        self.axes, self.normalize = (axes if isinstance(axes, int) else tuple(axes)), bool(normalize)

    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Shape:
        first, second = self._check_list(input_shape)
        try:
            return arithmetic.dot_shape(first, second, self.axes)
        except ShapeError as err:
            raise ShapeError(f"layer {self.name!r}: {err}") from None

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        x, y = inputs
        a1, a2 = arithmetic.dot_axes(self.axes, x.ndim, y.ndim)
        if self.normalize:
            x, y = F.normalize(x, dim=a1, eps=1e-12), F.normalize(y, dim=a2, eps=1e-12)
        left, right = x.movedim(a1, -1), y.movedim(a2, 1)
        out = torch.bmm(left.reshape(x.shape[0], -1, left.shape[-1]), right.reshape(y.shape[0], right.shape[1], -1))
        return out.reshape(x.shape[0], *(left.shape[1:-1] + right.shape[2:] or (1,)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axes": self.axes if isinstance(self.axes, int) else list(self.axes),
                "normalize": self.normalize}


# --- Keras's functional forms: ``layers.add([a, b])`` is ``Add()([a, b])`` (on symbolic or real tensors) ---------
def add(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Add(**kwargs)(inputs)``: the sum of the inputs."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Multiply(**kwargs)(inputs)``: the element-wise product."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Average(**kwargs)(inputs)``: the element-wise mean."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Maximum(**kwargs)(inputs)``: the element-wise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Any:
    """``Minimum(**kwargs)(inputs)``: the element-wise minimum."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Any:
    """``Concatenate(axis=axis, **kwargs)(inputs)``: join along ``axis`` (default: the channels)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: Sequence[Any], axes: int | Sequence[int] = -1, normalize: bool = False, **kwargs: Any) -> Any:
    """``Dot(axes, normalize, **kwargs)(inputs)``: the per-sample dot product along ``axes``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot", "add", "subtract",
           "multiply", "average", "maximum", "minimum", "concatenate", "dot"]
