"""Output shapes of Keras's merge layers: element-wise (Add, Multiply...), ``Dot`` and ``Concatenate``.

Example:
    >>> concat_shapes([(None, 8, 8, 16), (None, 8, 8, 32)])
    (None, 8, 8, 48)
"""
from __future__ import annotations

from typing import Sequence

from convlens.arithmetic.shapes import ShapeError


def _shape_text(shape: Sequence[int | None]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def broadcast_shapes(shapes: Sequence[Sequence[int | None]], what: str = "merge") -> tuple[int | None, ...]:
    """Output shape of an element-wise merge (Add, Multiply, Maximum...): Keras's rule, batch axis included.

    Shapes are aligned on their last axis; on each axis the sizes must be equal or one of them 1 (``None``, unknown,
    agrees with anything). A shorter shape is treated as if ones were inserted after its batch axis.

    >>> broadcast_shapes([(None, 8, 8, 16), (None, 8, 8, 16)])
    (None, 8, 8, 16)
    >>> broadcast_shapes([(None, 8, 8, 16), (None, 1, 1, 16)])
    (None, 8, 8, 16)
    >>> broadcast_shapes([(None, 4, 4, 3), (None, 4, 4, 8)])
    Traceback (most recent call last):
    ...
    convlens.arithmetic.ShapeError: merge: inputs of shapes (None, 4, 4, 3) and (None, 4, 4, 8) cannot be combined element-wise: axis 3 has sizes 3 and 8 (they must be equal, or one of them 1)
    """
    if not shapes:
        raise ShapeError(f"{what}: needs at least one input shape, got none")
    batches = {s[0] for s in shapes if len(s) and s[0] is not None}
    if len(batches) > 1:
        raise ShapeError(f"{what}: inputs have different batch sizes: "
                         + ", ".join(_shape_text(s) for s in shapes))
    result = tuple(shapes[0][1:])
    first = tuple(shapes[0])
    for shape in shapes[1:]:
        a, b = result, tuple(shape[1:])
        if len(a) < len(b):
            a, b = b, a
        out = list(a[:len(a) - len(b)])
        for axis, (i, j) in enumerate(zip(a[len(a) - len(b):], b), start=len(a) - len(b) + 1):
            if i is None or j is None:
                out.append(j if i == 1 else i if j == 1 else None)
            elif i == 1 or j == 1 or i == j:
                out.append(j if i == 1 else i)
            else:
                raise ShapeError(f"{what}: inputs of shapes {_shape_text(first)} and {_shape_text(shape)} cannot be "
                                 f"combined element-wise: axis {axis} has sizes {i} and {j} (they must be equal, "
                                 f"or one of them 1)")
        result = tuple(out)
    batch = batches.pop() if batches else None
    return (batch, *result)


def dot_axes(axes: int | Sequence[int], rank1: int, rank2: int) -> tuple[int, int]:
    """Keras's ``Dot(axes)`` as two non-negative axes (batch axis counted, so it is never 0).

    >>> dot_axes(-1, 3, 3), dot_axes((2, 1), 3, 3)
    ((2, 2), (2, 1))
    """
    pair = (axes, axes) if isinstance(axes, int) else tuple(axes)
    if len(pair) != 2 or not all(isinstance(a, int) for a in pair):
        raise ShapeError(f"Dot: axes must be an int or a pair of ints, got {axes!r}")
    out = []
    for a, rank in zip(pair, (rank1, rank2)):
        if not -rank <= a < rank or a % rank == 0:
            raise ShapeError(f"Dot: axis {a} is not a non-batch axis of an input of rank {rank}")
        out.append(a % rank)
    return out[0], out[1]


def dot_shape(shape1: Sequence[int | None], shape2: Sequence[int | None],
              axes: int | Sequence[int]) -> tuple[int | None, ...]:
    """Output shape of ``Dot(axes)``: per sample, the two inputs are multiplied and summed along the given axes; the
    other axes of the first input, then of the second, remain (a lone batch axis gets a size-1 axis).

    >>> dot_shape((None, 5), (None, 5), axes=1)
    (None, 1)
    >>> dot_shape((None, 4, 8), (None, 8, 3), axes=(2, 1))
    (None, 4, 3)
    """
    a1, a2 = dot_axes(axes, len(shape1), len(shape2))
    if shape1[a1] is not None and shape2[a2] is not None and shape1[a1] != shape2[a2]:
        raise ShapeError(f"Dot(axes={axes}): inputs of shapes {_shape_text(shape1)} and {_shape_text(shape2)} have "
                         f"sizes {shape1[a1]} and {shape2[a2]} on the axes to multiply; they must be equal")
    rest = [d for i, d in enumerate(shape1) if i not in (0, a1)] + [d for i, d in enumerate(shape2) if i not in (0, a2)]
    return (shape1[0], *(rest or [1]))


def concat_shapes(shapes: Sequence[Sequence[int | None]], axis: int = -1) -> tuple[int | None, ...]:
    """Output shape of ``Concatenate(axis)``: sizes add up along ``axis``, every other axis must agree.

    >>> concat_shapes([(None, 28, 28, 64), (None, 28, 28, 128), (None, 28, 28, 32)])   # an inception block
    (None, 28, 28, 224)
    >>> concat_shapes([(None, 28, 28, 64), (None, 14, 14, 64)])
    Traceback (most recent call last):
    ...
    convlens.arithmetic.ShapeError: Concatenate(axis=-1): inputs of shapes (None, 28, 28, 64) and (None, 14, 14, 64) differ on axis 1 (28 vs 14); only the concatenation axis 3 may differ
    """
    what = f"Concatenate(axis={axis})"
    if not shapes:
        raise ShapeError(f"{what}: needs at least one input shape, got none")
    first = tuple(shapes[0])
    rank = len(first)
    if not -rank <= axis < rank or axis % rank == 0:
        raise ShapeError(f"{what}: axis {axis} is not a non-batch axis of an input of shape {_shape_text(first)}")
    axis = axis % rank
    out = list(first)
    for shape in shapes[1:]:
        shape = tuple(shape)
        if len(shape) != rank:
            raise ShapeError(f"{what}: inputs of shapes {_shape_text(first)} and {_shape_text(shape)} have "
                             f"different ranks")
        for i, (a, b) in enumerate(zip(out, shape)):
            if i == axis:
                out[i] = None if a is None or b is None else a + b
            elif a is not None and b is not None and a != b:
                raise ShapeError(f"{what}: inputs of shapes {_shape_text(first)} and {_shape_text(shape)} differ on "
                                 f"axis {i} ({a} vs {b}); only the concatenation axis {axis} may differ")
            elif a is None:
                out[i] = b
    return tuple(out)
