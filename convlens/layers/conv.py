"""Convolution layers: Conv1D/2D/3D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose.

Example:
    >>> layer = Conv2D(10, (5, 5), activation="relu")
    >>> layer.compute_output_shape((None, 28, 28, 1))
    (None, 24, 24, 10)
"""
from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from convlens import arithmetic, initializers, regularizers
from convlens.arithmetic import ParamCount, ShapeError, normalize_tuple
from convlens.layers.base import ActivatedLayer, Shape, regularizer_config, to_channels_first, to_channels_last

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_LAYOUTS = {1: "(N, L, C)", 2: "(N, H, W, C)", 3: "(N, D, H, W, C)"}


def _check_data_format(data_format: str | None) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last' (convlens arrays are channels-last), "
                         f"got {data_format!r}")


def _keras_kernel(tensor: torch.Tensor, rank: int) -> torch.Tensor:
    """torch ``(out, in, *k)`` → Keras ``(*k, in, out)``."""
    return tensor.permute(*range(2, rank + 2), 1, 0)


def _torch_kernel(array: torch.Tensor, rank: int) -> torch.Tensor:
    """Keras ``(*k, in, out)`` → torch ``(out, in, *k)``."""
    return array.permute(rank + 1, rank, *range(rank)).contiguous()


class _SlidingConv(ActivatedLayer):
    """What every convolution shares: kernel size, strides, padding, dilation and their arithmetic."""

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: Any = "valid", data_format: str | None = None,
                 dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 bias_initializer: Any = "zeros", bias_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(activation=activation, **kwargs)
        _check_data_format(data_format)
        self.kernel_size = normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = normalize_tuple(strides, self.rank, "strides")
        self.dilation_rate = normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if isinstance(padding, str):
            padding = padding.lower()
            if padding not in ("valid", "same") and not (padding == "causal" and self.rank == 1):
                raise ValueError(f"padding must be 'valid' or 'same'{' or causal' if self.rank == 1 else ''}, "
                                 f"an int or per-dimension values, got {padding!r}")
        self.padding = padding
        self._paddings = arithmetic.per_dimension_padding(padding, self.rank)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self._regularizers = {"bias": regularizers.get(bias_regularizer)}
        self._pad_cache: dict[tuple, tuple] = {}

    def spatial(self, input_shape: Shape) -> tuple:
        self.expect_rank(input_shape, self.rank + 2, _LAYOUTS[self.rank])
        if input_shape[-1] is None:
            raise self.shape_error(input_shape, "the number of channels (last axis) must be known")
        return tuple(input_shape[1:-1])

    def explicit_pads(self, spatial: tuple) -> tuple[tuple[int, int], ...]:
        """``(before, after)`` zeros per spatial dimension for this input size."""
        pads = self._pad_cache.get(spatial)
        if pads is None:
            pads = tuple(arithmetic.explicit_padding(n, k, s, p, d) for n, k, s, p, d in
                         zip(spatial, self.kernel_size, self.strides, self._paddings, self.dilation_rate))
            self._pad_cache[spatial] = pads
        return pads

    def conv_output_spatial(self, input_shape: Shape) -> tuple:
        spatial = self.spatial(input_shape)
        try:
            return arithmetic.conv_output_shape(spatial, self.kernel_size, self.strides, self._paddings,
                                                self.dilation_rate)
        except ShapeError as err:
            raise self.shape_error(input_shape, str(err)) from None

    def receptive_step(self, input_shape: Shape) -> list[tuple[int, int, int, int]]:
        spatial = self.spatial(input_shape)
        pads = self.explicit_pads(spatial) if None not in spatial else [(0, 0)] * self.rank
        return [(k, s, p[0], d) for k, s, p, d in zip(self.kernel_size, self.strides, pads, self.dilation_rate)]

    def _padded_conv(self, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
                     groups: int = 1) -> torch.Tensor:
        """Convolve a channels-first view, padding as Keras/TensorFlow do (asymmetric when 'same' needs it)."""
        pads = self.explicit_pads(tuple(x.shape[2:]))
        if all(before == after for before, after in pads):
            padding = tuple(before for before, _ in pads)
        else:
            x = F.pad(x, [p for pair in reversed(pads) for p in pair])
            padding = 0
        return _CONV[self.rank](x, weight, bias, self.strides, padding, self.dilation_rate, groups)

    def get_config(self) -> dict[str, Any]:
        padding = self.padding if isinstance(self.padding, (str, int)) else [
            list(p) if not isinstance(p, int) else p for p in self.padding]
        return {**super().get_config(), "kernel_size": list(self.kernel_size), "strides": list(self.strides),
                "padding": padding, "dilation_rate": list(self.dilation_rate), "use_bias": self.use_bias,
                "bias_initializer": initializers.serialize(self.bias_initializer), **regularizer_config(self)}


class _Conv(_SlidingConv):
    """An ``N``-d convolution with ``filters`` output channels."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: Any = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"filters must be a positive int, got {filters!r}")
        self.filters = filters
        self.groups = groups
        self.kernel_initializer = initializers.get(kernel_initializer)
        self._regularizers = {"kernel": regularizers.get(kernel_regularizer), **self._regularizers}

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[-1]
        if channels % self.groups or self.filters % self.groups:
            raise self.shape_error(input_shape, f"channels {channels} and filters {self.filters} must both be "
                                                f"divisible by groups={self.groups}")
        keras_shape = (*self.kernel_size, channels // self.groups, self.filters)
        self.kernel = nn.Parameter(_torch_kernel(self.kernel_initializer(keras_shape), self.rank))
        self.bias = nn.Parameter(self.bias_initializer((self.filters,))) if self.use_bias else None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], *self.conv_output_spatial(input_shape), self.filters)

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        y = to_channels_last(self._padded_conv(to_channels_first(x), self.kernel, self.bias, self.groups))
        return self.activate(y) if activate else y

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.conv_params(self.kernel_size, input_shape[-1] // self.groups, self.filters, self.use_bias)

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return arithmetic.conv_macs(output_shape[1:-1], self.kernel_size, input_shape[-1] // self.groups,
                                    self.filters)

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        return _keras_kernel(tensor, self.rank) if index == 0 else tensor

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        return _torch_kernel(array, self.rank) if index == 0 else array

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters, "groups": self.groups,
                "kernel_initializer": initializers.serialize(self.kernel_initializer)}


class Conv1D(_Conv):
    """1-d convolution over ``(N, L, C)``."""

    rank = 1


class Conv2D(_Conv):
    """2-d convolution over ``(N, H, W, C)``: ``Conv2D(filters, kernel_size, strides=1, padding='valid')``."""

    rank = 2


class Conv3D(_Conv):
    """3-d convolution over ``(N, D, H, W, C)``."""

    rank = 3


# Keras's older names, one per line so documentation tools see each alias.
Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution3D = Conv3D


class DepthwiseConv2D(_SlidingConv):
    """One ``k_h×k_w`` filter per input channel (times ``depth_multiplier``); no mixing across channels."""

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: Any = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self._regularizers = {"depthwise_kernel": regularizers.get(depthwise_regularizer), **self._regularizers}

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[-1]
        keras = self.depthwise_initializer((*self.kernel_size, channels, self.depth_multiplier))
        self.depthwise_kernel = nn.Parameter(self._from_keras(0, keras))
        out = channels * self.depth_multiplier
        self.bias = nn.Parameter(self.bias_initializer((out,))) if self.use_bias else None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], *self.conv_output_spatial(input_shape), input_shape[-1] * self.depth_multiplier)

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        channels = x.shape[-1]
        y = to_channels_last(self._padded_conv(to_channels_first(x), self.depthwise_kernel, self.bias, channels))
        return self.activate(y) if activate else y

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.depthwise_params(self.kernel_size, input_shape[-1], self.depth_multiplier, self.use_bias)

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return arithmetic.depthwise_macs(output_shape[1:-1], self.kernel_size, input_shape[-1], self.depth_multiplier)

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        if index:
            return tensor
        # torch (C·m, 1, kh, kw), output channel c·m + j  →  Keras (kh, kw, C, m)
        kh, kw = tensor.shape[2:]
        return tensor.reshape(-1, self.depth_multiplier, kh, kw).permute(2, 3, 0, 1)

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        if index:
            return array
        kh, kw, channels, multiplier = array.shape
        return array.permute(2, 3, 0, 1).reshape(channels * multiplier, 1, kh, kw).contiguous()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": initializers.serialize(self.depthwise_initializer)}


class SeparableConv2D(DepthwiseConv2D):
    """A depthwise convolution followed by a 1×1 (pointwise) convolution to ``filters`` channels."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: Any = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, depthwise_initializer, bias_initializer, depthwise_regularizer, bias_regularizer,
                         **kwargs)
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self._regularizers = {"pointwise_kernel": regularizers.get(pointwise_regularizer), **self._regularizers}

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[-1]
        keras = self.depthwise_initializer((*self.kernel_size, channels, self.depth_multiplier))
        self.depthwise_kernel = nn.Parameter(DepthwiseConv2D._from_keras(self, 0, keras))
        pointwise = self.pointwise_initializer((1, 1, channels * self.depth_multiplier, self.filters))
        self.pointwise_kernel = nn.Parameter(_torch_kernel(pointwise, 2))
        self.bias = nn.Parameter(self.bias_initializer((self.filters,))) if self.use_bias else None

    def weight_tensors(self) -> list[torch.Tensor]:
        return [t for t in (self.depthwise_kernel, self.pointwise_kernel, self.bias) if t is not None]

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (input_shape[0], *self.conv_output_spatial(input_shape), self.filters)

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        depthwise = self._padded_conv(to_channels_first(x), self.depthwise_kernel, None, x.shape[-1])
        y = to_channels_last(F.conv2d(depthwise, self.pointwise_kernel, self.bias))
        return self.activate(y) if activate else y

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.separable_params(self.kernel_size, input_shape[-1], self.filters, self.depth_multiplier,
                                           self.use_bias)

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        middle = input_shape[-1] * self.depth_multiplier
        return (arithmetic.depthwise_macs(output_shape[1:-1], self.kernel_size, input_shape[-1],
                                          self.depth_multiplier)
                + arithmetic.conv_macs(output_shape[1:-1], (1, 1), middle, self.filters))

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        if index == 1:
            return _keras_kernel(tensor, 2)
        return DepthwiseConv2D._to_keras(self, index, tensor)

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        if index == 1:
            return _torch_kernel(array, 2)
        return DepthwiseConv2D._from_keras(self, index, array)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters,
                "pointwise_initializer": initializers.serialize(self.pointwise_initializer)}


class Conv2DTranspose(_SlidingConv):
    """Transposed ("de-") convolution; Keras kernel layout ``(k_h, k_w, filters, C_in)``."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        if padding not in ("valid", "same"):
            raise ValueError(f"padding of Conv2DTranspose must be 'valid' or 'same', got {padding!r}")
        super().__init__(kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
                         bias_initializer, bias_regularizer, **kwargs)
        self.filters = filters
        self.output_padding = None if output_padding is None else normalize_tuple(output_padding, 2,
                                                                                  "output_padding")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self._regularizers = {"kernel": regularizers.get(kernel_regularizer), **self._regularizers}

    def _crops(self, spatial: tuple) -> list[tuple[int, int]]:
        output_padding = self.output_padding or (None,) * 2
        return [arithmetic.conv_transpose_crop(n, k, s, self.padding, op, d) for n, k, s, op, d in
                zip(spatial, self.kernel_size, self.strides, output_padding, self.dilation_rate)]

    def build(self, input_shape: Shape) -> None:
        keras = self.kernel_initializer((*self.kernel_size, self.filters, input_shape[-1]))
        self.kernel = nn.Parameter(self._from_keras(0, keras))
        self.bias = nn.Parameter(self.bias_initializer((self.filters,))) if self.use_bias else None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        spatial = self.spatial(input_shape)
        out = tuple(None if n is None else length for n, (_, length) in
                    zip(spatial, self._crops(tuple(n or 1 for n in spatial))))
        return (input_shape[0], *out, self.filters)

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        y = F.conv_transpose2d(to_channels_first(x), self.kernel, self.bias, self.strides,
                               dilation=self.dilation_rate)
        for dim, (start, length) in enumerate(self._crops(tuple(x.shape[1:-1])), start=2):
            available = y.shape[dim] - start
            y = y.narrow(dim, start, min(length, available))
            if length > available:  # Keras's length is longer than the full output: zeros at the end
                pad = [0, 0] * (y.dim() - dim - 1) + [0, length - available]
                y = F.pad(y, pad)
        y = to_channels_last(y)
        return self.activate(y) if activate else y

    def receptive_step(self, input_shape: Shape) -> str:
        return "upsample"

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.conv_params(self.kernel_size, input_shape[-1], self.filters, self.use_bias)

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return arithmetic.conv_macs(input_shape[1:-1], self.kernel_size, input_shape[-1], self.filters)

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.permute(2, 3, 1, 0) if index == 0 else tensor  # torch (in, out, kh, kw)

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        return array.permute(3, 2, 0, 1).contiguous() if index == 0 else array

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "filters": self.filters,
                "output_padding": list(self.output_padding) if self.output_padding else None,
                "kernel_initializer": initializers.serialize(self.kernel_initializer)}


__all__ = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D", "DepthwiseConv2D",
           "SeparableConv2D", "Conv2DTranspose"]
