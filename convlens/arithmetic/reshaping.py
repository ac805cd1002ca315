"""Padding, cropping and upsampling shapes, and the crop/pad boxes of ``CenterCrop`` and ``Resizing``.

Example:
    >>> padded_shape((28, 28), ((2, 2), (2, 2)))
    (32, 32)
"""
from __future__ import annotations

from typing import Sequence

from convlens.arithmetic.shapes import ShapeError


def normalize_pairs(value: int | Sequence, rank: int, name: str) -> tuple[tuple[int, int], ...]:
    """Keras's padding/cropping argument as one ``(before, after)`` pair per spatial dimension.

    An int applies to every side; ``rank`` ints are symmetric per dimension; ``rank`` pairs are explicit. For one
    dimension a single pair ``(before, after)`` is also accepted, as ``ZeroPadding1D`` takes it.

    >>> normalize_pairs(1, 2, "padding")
    ((1, 1), (1, 1))
    >>> normalize_pairs((1, 2), 2, "padding")
    ((1, 1), (2, 2))
    >>> normalize_pairs(((0, 1), (2, 3)), 2, "cropping")
    ((0, 1), (2, 3))
    """
    def is_int(v: object) -> bool:
        return isinstance(v, int) and not isinstance(v, bool)

    error = ValueError(f"{name} must be a non-negative int, a tuple of {rank} ints or a tuple of {rank} "
                       f"(before, after) pairs, got {value!r}")
    if is_int(value):
        pairs = ((value, value),) * rank
    else:
        try:
            entries = tuple(value)  # type: ignore[arg-type]
        except TypeError:
            raise error from None
        if rank == 1 and len(entries) == 2 and all(is_int(e) for e in entries):
            pairs = (entries,)  # type: ignore[assignment]
        elif len(entries) != rank:
            raise error
        elif all(is_int(e) for e in entries):
            pairs = tuple((e, e) for e in entries)
        else:
            try:
                pairs = tuple(tuple(e) for e in entries)  # type: ignore[arg-type]
            except TypeError:
                raise error from None
            if not all(len(p) == 2 and all(is_int(v) for v in p) for p in pairs):
                raise error
    if any(v < 0 for p in pairs for v in p):
        raise error
    return tuple((int(a), int(b)) for a, b in pairs)


def padded_shape(spatial_shape: Sequence[int | None], pads: Sequence[tuple[int, int]]) -> tuple[int | None, ...]:
    """Spatial shape after zero padding: ``n + before + after`` per dimension.

    >>> padded_shape((28, 28), ((2, 2), (2, 2)))      # LeNet's 28×28 digits padded to 32×32
    (32, 32)
    """
    return tuple(None if n is None else n + a + b for n, (a, b) in zip(spatial_shape, pads))


def cropped_shape(spatial_shape: Sequence[int | None], crops: Sequence[tuple[int, int]]) -> tuple[int | None, ...]:
    """Spatial shape after cropping: ``n - before - after``, which must stay at least 1.

    >>> cropped_shape((32, 32), ((2, 2), (4, 0)))
    (28, 28)
    >>> cropped_shape((4, 4), ((2, 2), (0, 0)))
    Traceback (most recent call last):
    ...
    convlens.arithmetic.ShapeError: cropping: dimension 1 has size 4 - 2 - 2 = 0 after cropping, but it must be at least 1
    """
    out = []
    for i, (n, (a, b)) in enumerate(zip(spatial_shape, crops), start=1):
        if n is not None and n - a - b < 1:
            raise ShapeError(f"cropping: dimension {i} has size {n} - {a} - {b} = {n - a - b} after cropping, "
                             f"but it must be at least 1")
        out.append(None if n is None else n - a - b)
    return tuple(out)


def upsampled_shape(spatial_shape: Sequence[int | None], size: Sequence[int]) -> tuple[int | None, ...]:
    """Spatial shape after ``UpSampling``: every dimension times its factor.

    >>> upsampled_shape((7, 7), (2, 2))
    (14, 14)
    """
    return tuple(None if n is None else n * s for n, s in zip(spatial_shape, size))


def center_crop_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, int]:
    """Top-left corner of a centred ``target`` window, as Keras's ``CenterCrop`` takes it (the odd pixel goes after).

    >>> center_crop_box(5, 6, 2, 2)
    (1, 2)
    """
    return (height - target_height) // 2, (width - target_width) // 2


def aspect_crop_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, int, int, int]:
    """``(top, left, crop_height, crop_width)``: the largest centred window with the target's aspect ratio
    (``Resizing(crop_to_aspect_ratio=True)``), computed as Keras does.

    >>> aspect_crop_box(100, 200, 50, 50)
    (0, 50, 100, 100)
    """
    crop_height = max(min(height, int(width * target_height / target_width)), 1)
    crop_width = max(min(width, int(height * target_width / target_height)), 1)
    return int((height - crop_height) / 2), int((width - crop_width) / 2), crop_height, crop_width


def aspect_pad_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, int]:
    """``(pad_rows, pad_cols)`` added on *each* side so the image gets the target's aspect ratio
    (``Resizing(pad_to_aspect_ratio=True)``), computed as Keras does.

    >>> aspect_pad_box(100, 200, 50, 50)
    (50, 0)
    """
    padded_height = max(height, int(width * target_height / target_width))
    padded_width = max(width, int(height * target_width / target_height))
    return int((padded_height - height) / 2), int((padded_width - width) / 2)
