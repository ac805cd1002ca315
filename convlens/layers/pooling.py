"""Pooling layers: Max/AveragePooling 1D/2D/3D and the global poolings.

Example:
    >>> MaxPooling2D((2, 2)).compute_output_shape((None, 24, 24, 10))
    (None, 12, 12, 10)
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from convlens import arithmetic
from convlens.arithmetic import ShapeError, normalize_tuple
from convlens.layers.base import Layer, Shape, to_channels_first, to_channels_last

_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}
_LAYOUTS = {1: "(N, L, C)", 2: "(N, H, W, C)", 3: "(N, D, H, W, C)"}


class _Pooling(Layer):
    rank = 2
    mode = "max"

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")
        self.pool_size = normalize_tuple(pool_size, self.rank, "pool_size")
        # Keras: strides default to pool_size (non-overlapping windows).
        self.strides = self.pool_size if strides is None else normalize_tuple(strides, self.rank, "strides")
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
        self.padding = padding

    def _pads(self, spatial: tuple) -> list[tuple[int, int]]:
        return [arithmetic.explicit_padding(n, k, s, self.padding) for n, k, s in
                zip(spatial, self.pool_size, self.strides)]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, self.rank + 2, _LAYOUTS[self.rank])
        try:
            spatial = arithmetic.pool_output_shape(input_shape[1:-1], self.pool_size, self.strides, self.padding)
        except ShapeError as err:
            raise self.shape_error(input_shape, str(err)) from None
        return (input_shape[0], *spatial, input_shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = to_channels_first(x)
        pads = self._pads(tuple(x.shape[2:]))
        flat = [p for pair in reversed(pads) for p in pair]
        if self.mode == "max":
            if any(flat):  # padded cells never win the max, as in TensorFlow
                x = F.pad(x, flat, value=float("-inf"))
            y = _MAX[self.rank](x, self.pool_size, self.strides)
        elif any(flat):
            # TensorFlow averages 'same' windows over the real cells only.
            total = _AVG[self.rank](F.pad(x, flat), self.pool_size, self.strides)
            ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
            y = total / _AVG[self.rank](F.pad(ones, flat), self.pool_size, self.strides)
        else:
            y = _AVG[self.rank](x, self.pool_size, self.strides)
        return to_channels_last(y)

    def receptive_step(self, input_shape: Shape) -> list[tuple[int, int, int, int]]:
        spatial = input_shape[1:-1]
        pads = self._pads(spatial) if None not in spatial else [(0, 0)] * self.rank
        return [(k, s, p[0], 1) for k, s, p in zip(self.pool_size, self.strides, pads)]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding}


class MaxPooling1D(_Pooling):
    rank, mode = 1, "max"


class MaxPooling2D(_Pooling):
    """Max over ``pool_size`` windows; ``strides`` default to ``pool_size``."""

    rank, mode = 2, "max"


class MaxPooling3D(_Pooling):
    rank, mode = 3, "max"


class AveragePooling1D(_Pooling):
    rank, mode = 1, "average"


class AveragePooling2D(_Pooling):
    rank, mode = 2, "average"


class AveragePooling3D(_Pooling):
    rank, mode = 3, "average"


# Keras's short names, one per line so documentation tools see each alias.
MaxPool1D = MaxPooling1D
MaxPool2D = MaxPooling2D
MaxPool3D = MaxPooling3D
AvgPool1D = AveragePooling1D
AvgPool2D = AveragePooling2D
AvgPool3D = AveragePooling3D


class _GlobalPooling(Layer):
    rank = 2
    mode = "average"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")
        self.keepdims = keepdims

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, self.rank + 2, _LAYOUTS[self.rank])
        if self.keepdims:
            return (input_shape[0], *(1,) * self.rank, input_shape[-1])
        return (input_shape[0], input_shape[-1])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dims = tuple(range(1, 1 + self.rank))
        if self.mode == "max":
            return x.amax(dim=dims, keepdim=self.keepdims)
        return x.mean(dim=dims, keepdim=self.keepdims)

    def receptive_step(self, input_shape: Shape) -> str:
        return "global"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    rank, mode = 1, "average"


class GlobalAveragePooling2D(_GlobalPooling):
    """Average of each feature map: ``(N, H, W, C)`` → ``(N, C)``."""

    rank, mode = 2, "average"


class GlobalMaxPooling1D(_GlobalPooling):
    rank, mode = 1, "max"


class GlobalMaxPooling2D(_GlobalPooling):
    rank, mode = 2, "max"


__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D",
           "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D"]
