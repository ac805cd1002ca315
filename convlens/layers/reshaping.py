"""Reshaping layers: ZeroPadding1D/2D/3D, Cropping2D, UpSampling2D and Permute; sizes from ``convlens.arithmetic``.

Example:
    >>> ZeroPadding2D(2).compute_output_shape((None, 28, 28, 1))
    (None, 32, 32, 1)
    >>> UpSampling2D().compute_output_shape((None, 7, 7, 64))
    (None, 14, 14, 64)
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from convlens import arithmetic
from convlens.arithmetic import ShapeError, normalize_pairs, normalize_tuple
from convlens.layers.base import Layer, Shape, to_channels_first, to_channels_last

_LAYOUTS = {1: "(N, L, C)", 2: "(N, H, W, C)", 3: "(N, D, H, W, C)"}


def _check_format(data_format: str | None) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")


class _ZeroPadding(Layer):
    rank = 2

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format)
        self.padding = normalize_pairs(padding, self.rank, "padding")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, self.rank + 2, _LAYOUTS[self.rank])
        return (input_shape[0], *arithmetic.padded_shape(input_shape[1:-1], self.padding), input_shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # F.pad lists (before, after) pairs from the last axis backwards; the channel axis gets none.
        return F.pad(x, [0, 0, *(p for pair in reversed(self.padding) for p in pair)])

    def receptive_step(self, input_shape: Shape) -> list[tuple[int, int, int, int]]:
        return [(1, 1, before, 1) for before, _ in self.padding]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": [list(p) for p in self.padding]}


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after a sequence ``(N, L, C)``: ``padding`` is an int or ``(before, after)``."""

    rank = 1


class ZeroPadding2D(_ZeroPadding):
    """Rows and columns of zeros around each image: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``."""

    rank = 2


class ZeroPadding3D(_ZeroPadding):
    """Zeros around each volume ``(N, D, H, W, C)``: an int, 3 ints or 3 ``(before, after)`` pairs."""

    rank = 3


class Cropping2D(Layer):
    """Cut rows and columns off each image: an int, ``(rows, cols)`` or ``((top, bottom), (left, right))``."""

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format)
        self.cropping = normalize_pairs(cropping, 2, "cropping")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, _LAYOUTS[2])
        try:
            spatial = arithmetic.cropped_shape(input_shape[1:-1], self.cropping)
        except ShapeError as err:
            raise self.shape_error(input_shape, str(err)) from None
        return (input_shape[0], *spatial, input_shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (top, bottom), (left, right) = self.cropping
        return x[:, top:x.shape[1] - bottom, left:x.shape[2] - right]

    def receptive_step(self, input_shape: Shape) -> list[tuple[int, int, int, int]]:
        return [(1, 1, -before, 1) for before, _ in self.cropping]  # cropping is negative padding

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": [list(p) for p in self.cropping]}


class UpSampling2D(Layer):
    """Repeat rows and columns ``size`` times (``'nearest'``) or interpolate them (``'bilinear'``)."""

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format)
        self.size = normalize_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"interpolation must be 'nearest' or 'bilinear', got {interpolation!r}")
        self.interpolation = interpolation

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, _LAYOUTS[2])
        return (input_shape[0], *arithmetic.upsampled_shape(input_shape[1:-1], self.size), input_shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.interpolation == "nearest":
            return x.repeat_interleave(self.size[0], dim=1).repeat_interleave(self.size[1], dim=2)
        size = arithmetic.upsampled_shape(tuple(x.shape[1:3]), self.size)
        y = F.interpolate(to_channels_first(x), size=size, mode="bilinear", align_corners=False)
        return to_channels_last(y)

    def receptive_step(self, input_shape: Shape) -> str:
        return "upsample"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": list(self.size), "interpolation": self.interpolation}


class Permute(Layer):
    """Reorder the axes of each sample: ``dims`` numbers the non-batch axes from 1, e.g. ``Permute((2, 1))``."""

    def __init__(self, dims: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"dims must be a permutation of 1..{len(self.dims)} (the batch axis 0 stays first), "
                             f"got {dims!r}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, len(self.dims) + 1, f"with {len(self.dims)} axes after the batch axis")
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.permute(0, *self.dims)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "dims": list(self.dims)}


__all__ = ["ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D", "Cropping2D", "UpSampling2D", "Permute"]
