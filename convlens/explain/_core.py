"""Input checks, padding and sliding windows shared by the explainer's operations (NumPy only)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convlens.arithmetic import explicit_padding, normalize_tuple, per_dimension_padding

Pads = tuple[tuple[int, int], ...]


def shape_text(shape: Sequence[int]) -> str:
    """``(5, 5, 3)`` → ``'5×5×3'``."""
    return "×".join(str(int(n)) for n in shape)


def with_channels(array: object, name: str, rank: int) -> tuple[np.ndarray, bool]:
    """Return ``array`` as float64 with a trailing channel axis, and whether it had one.

    >>> with_channels([[1, 2], [3, 4]], "image", 2)[0].shape
    (2, 2, 1)
    """
    arr = np.asarray(array, dtype=np.float64)
    if arr.ndim == rank:
        return arr[..., np.newaxis], False
    if arr.ndim == rank + 1:
        return arr, True
    layouts = {1: "(L,) or (L, C)", 2: "(H, W) or (H, W, C)"}[rank]
    raise ValueError(f"{name} must have shape {layouts}, got an array of shape {arr.shape}")


def check_channels(image: np.ndarray, kernel: np.ndarray) -> None:
    """Raise unless the kernel's channel axis matches the image's."""
    if image.shape[-1] != kernel.shape[-1]:
        raise ValueError(f"kernel of shape {shape_text(kernel.shape)} has {kernel.shape[-1]} channel(s) but the image "
                         f"of shape {shape_text(image.shape)} has {image.shape[-1]}; give one kernel slice per channel")


def resolve_padding(spatial: Sequence[int], window: Sequence[int], strides: Sequence[int], padding: object) -> Pads:
    """Explicit ``(before, after)`` zeros per spatial axis, from ``'valid'``/``'same'``/int/pairs.

    >>> resolve_padding((5, 5), (3, 3), (1, 1), "same")
    ((1, 1), (1, 1))
    """
    rank = len(spatial)
    if rank == 1 and isinstance(padding, (tuple, list)) and len(padding) == 2 and all(
            isinstance(p, int) for p in padding):
        padding = [tuple(padding)]  # a bare (before, after) pair for the only axis
    per_axis = per_dimension_padding(padding, rank)  # type: ignore[arg-type]
    return tuple(explicit_padding(n, k, s, p) for n, k, s, p in zip(spatial, window, strides, per_axis))


def pad(array: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    """Pad the spatial axes of a channels-last array with ``value``."""
    return np.pad(array, tuple(pads) + ((0, 0),), constant_values=value)


def check_fits(input_shape: Sequence[int], padded_shape: Sequence[int], window: Sequence[int], pads: Pads,
               what: str = "kernel") -> None:
    """Raise a ValueError naming the shapes when the window is larger than the padded input."""
    if any(k > n for k, n in zip(window, padded_shape)):
        raise ValueError(f"{what} {shape_text(window)} is larger than the padded input {shape_text(padded_shape)} "
                         f"(input {shape_text(input_shape)}, padding {pads}); use a smaller {what} or more padding")


def windows(padded: np.ndarray, window: Sequence[int], strides: Sequence[int]) -> np.ndarray:
    """Every window the operation visits: shape ``(*output, *window, C)``, a read-only view (no copy)."""
    rank = len(window)
    view = sliding_window_view(padded, tuple(window), axis=tuple(range(rank)))  # (*full_out, C, *window)
    view = view[tuple(slice(None, None, s) for s in strides)]
    return np.moveaxis(view, rank, -1)


def strides_tuple(stride: object, rank: int, name: str = "stride") -> tuple[int, ...]:
    """``2`` → ``(2, 2)``, with a ValueError for anything that is not positive ints."""
    return normalize_tuple(stride, rank, name)  # type: ignore[arg-type]
