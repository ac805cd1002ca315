"""Parameter counts with their formula as text, and multiply-accumulates.

Example:
    >>> conv_params((5, 5), 1, 10).formula
    '(5·5·1 + 1)·10 = 260'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence


@dataclass(frozen=True)
class ParamCount:
    """A layer's parameter count and the arithmetic behind it, e.g. ``(5·5·1 + 1)·10 = 260``."""

    count: int
    formula: str
    non_trainable: int = 0

    @property
    def trainable(self) -> int:
        return self.count - self.non_trainable


def _product(factors: Iterable[int]) -> str:
    return "·".join(str(f) for f in factors)


def conv_params(kernel_size: Sequence[int], in_channels: int, filters: int, use_bias: bool = True) -> ParamCount:
    """Weights of a convolution: ``(k_h·k_w·C_in + 1)·filters``.

    >>> conv_params((3, 3), 32, 64).count
    18496
    """
    weights = math.prod(kernel_size) * in_channels
    count = (weights + int(use_bias)) * filters
    inner = _product((*kernel_size, in_channels))
    text = f"({inner} + 1)·{filters}" if use_bias else f"{inner}·{filters}"
    return ParamCount(count, f"{text} = {count:,}")


def dense_params(in_features: int, units: int, use_bias: bool = True) -> ParamCount:
    """Weights of a fully connected layer: ``(n_in + 1)·units``.

    >>> dense_params(3136, 64).formula
    '(3136 + 1)·64 = 200,768'
    """
    count = (in_features + int(use_bias)) * units
    text = f"({in_features} + 1)·{units}" if use_bias else f"{in_features}·{units}"
    return ParamCount(count, f"{text} = {count:,}")


def embedding_params(input_dim: int, output_dim: int) -> ParamCount:
    """Weights of an embedding table: ``input_dim·output_dim``.

    >>> embedding_params(1000, 64).formula
    '1000·64 = 64,000'
    """
    count = input_dim * output_dim
    return ParamCount(count, f"{input_dim}·{output_dim} = {count:,}")


def depthwise_params(kernel_size: Sequence[int], in_channels: int, depth_multiplier: int = 1,
                     use_bias: bool = True) -> ParamCount:
    """Weights of a depthwise convolution: ``(k_h·k_w + 1)·C_in·depth_multiplier``."""
    out = in_channels * depth_multiplier
    count = (math.prod(kernel_size) + int(use_bias)) * out
    inner = _product(kernel_size)
    factors = f"{in_channels}·{depth_multiplier}"
    text = f"({inner} + 1)·{factors}" if use_bias else f"{inner}·{factors}"
    return ParamCount(count, f"{text} = {count:,}")


def separable_params(kernel_size: Sequence[int], in_channels: int, filters: int, depth_multiplier: int = 1,
                     use_bias: bool = True) -> ParamCount:
    """Depthwise ``k_h·k_w·C_in·m`` plus pointwise ``C_in·m·filters`` plus ``filters`` biases."""
    depthwise = math.prod(kernel_size) * in_channels * depth_multiplier
    pointwise = in_channels * depth_multiplier * filters
    count = depthwise + pointwise + (filters if use_bias else 0)
    text = f"{_product((*kernel_size, in_channels, depth_multiplier))} + {in_channels}·{depth_multiplier}·{filters}"
    if use_bias:
        text += f" + {filters}"
    return ParamCount(count, f"{text} = {count:,}")


def batch_norm_params(channels: int, center: bool = True, scale: bool = True) -> ParamCount:
    """γ and β are trained; the moving mean and variance are not.

    >>> batch_norm_params(64).non_trainable
    128
    """
    trained = channels * (int(center) + int(scale))
    count = trained + 2 * channels
    return ParamCount(count, f"{int(center) + int(scale) + 2}·{channels} = {count:,} "
                             f"({trained:,} trainable γ/β, {2 * channels:,} moving mean/variance)", 2 * channels)


NO_PARAMS = ParamCount(0, "0")


def layer_norm_params(shape: Sequence[int], center: bool = True, scale: bool = True) -> ParamCount:
    """γ and β of ``LayerNormalization``, one of each per normalized element.

    >>> layer_norm_params((64,)).formula
    '2·64 = 128'
    """
    size = math.prod(shape)
    factor = int(center) + int(scale)
    return ParamCount(factor * size, f"{factor}·{_product(shape)} = {factor * size:,}")


def normalization_params(shape: Sequence[int]) -> ParamCount:
    """``Normalization``'s adapted mean and variance (one per kept element) plus its sample count; none trained.

    >>> normalization_params((3,)).formula
    '2·3 + 1 = 7 (mean, variance, count; not trained)'
    """
    size = math.prod(shape)
    count = 2 * size + 1
    return ParamCount(count, f"2·{_product(shape) or 1} + 1 = {count:,} (mean, variance, count; not trained)", count)


# --- multiply-accumulates -----------------------------------------------------------------------------------------

def conv_macs(output_spatial: Sequence[int], kernel_size: Sequence[int], in_channels: int, filters: int) -> int:
    """Multiply-accumulates of one convolution per sample: every output value is a ``k_h·k_w·C_in`` inner product.

    >>> conv_macs((24, 24), (5, 5), 1, 10)
    144000
    """
    return math.prod(output_spatial) * filters * math.prod(kernel_size) * in_channels


def dense_macs(in_features: int, units: int) -> int:
    """Multiply-accumulates of a fully connected layer per sample."""
    return in_features * units


def depthwise_macs(output_spatial: Sequence[int], kernel_size: Sequence[int], in_channels: int,
                   depth_multiplier: int = 1) -> int:
    """Multiply-accumulates of a depthwise convolution per sample."""
    return math.prod(output_spatial) * in_channels * depth_multiplier * math.prod(kernel_size)
