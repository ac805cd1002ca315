"""The arithmetic of convolutional networks, in one pure module (no torch import).

Output sizes, the padding that ``'same'`` needs, parameter counts with their formula as text, receptive fields and
multiply-accumulates. Layers, ``summary()``, the explainer and the docs all call these functions, so a number shown
anywhere in convlens comes from here.

Example:
    >>> conv_output_length(227, 11, stride=4)          # AlexNet conv1
    55
    >>> conv_params((5, 5), 1, 10).formula
    '(5·5·1 + 1)·10 = 260'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence, Union

Padding = Union[str, int, Sequence[int]]


class ShapeError(ValueError):
    """A shape that makes no sense for a layer: an empty or negative feature map, say."""


def normalize_tuple(value: int | Iterable[int], n: int, name: str) -> tuple[int, ...]:
    """Turn an int or an iterable of ``n`` ints into a tuple of ``n`` positive ints.

    >>> normalize_tuple(3, 2, "kernel_size")
    (3, 3)
    """
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    if isinstance(value, int):
        result: tuple[int, ...] = (value,) * n
    else:
        try:
            result = tuple(value)  # type: ignore[arg-type]
        except TypeError:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}") from None
        if len(result) != n or not all(isinstance(v, int) and not isinstance(v, bool) for v in result):
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < 1 for v in result):
        raise ValueError(f"{name} must be positive, got {value!r}")
    return result


def effective_kernel(kernel_size: int, dilation: int = 1) -> int:
    """Extent of a dilated kernel: ``(k - 1)·d + 1``."""
    return (kernel_size - 1) * dilation + 1


def explicit_padding(input_length: int, kernel_size: int, stride: int = 1, padding: Padding = "valid",
                     dilation: int = 1) -> tuple[int, int]:
    """Zeros added ``(before, after)`` along one dimension.

    ``'same'`` pads as Keras/TensorFlow do: the total is split with the extra zero *after*, which happens for even
    kernels and for strides > 1.

    >>> explicit_padding(5, 2, padding="same")
    (0, 1)
    >>> explicit_padding(5, 3, stride=2, padding=1)
    (1, 1)
    """
    if isinstance(padding, str):
        mode = padding.lower()
        k = effective_kernel(kernel_size, dilation)
        if mode == "valid":
            return (0, 0)
        if mode == "same":
            out = math.ceil(input_length / stride)
            total = max((out - 1) * stride + k - input_length, 0)
            return (total // 2, total - total // 2)
        if mode == "causal":
            return (k - 1, 0)
        raise ValueError(f"padding must be 'valid', 'same', 'causal', an int or a (before, after) pair, "
                         f"got {padding!r}")
    if isinstance(padding, int) and not isinstance(padding, bool):
        if padding < 0:
            raise ValueError(f"padding must be non-negative, got {padding}")
        return (padding, padding)
    pair = tuple(padding)
    if len(pair) != 2 or not all(isinstance(p, int) and p >= 0 for p in pair):
        raise ValueError(f"padding must be 'valid', 'same', an int or a (before, after) pair, got {padding!r}")
    return (pair[0], pair[1])


def _sliding_length(input_length: int, window: int, stride: int, before: int, after: int, what: str) -> int:
    padded = input_length + before + after
    out = (padded - window) // stride + 1
    if out < 1:
        raise ShapeError(
            f"{what}: output length (n + p_before + p_after - k) // s + 1 = ({input_length} + {before} + {after} - "
            f"{window}) // {stride} + 1 = {out}, but it must be at least 1: the input is too small for this window")
    return out


def conv_output_length(input_length: int | None, kernel_size: int, stride: int = 1, padding: Padding = "valid",
                       dilation: int = 1) -> int | None:
    """Output length of a convolution along one dimension: ``floor((n + p - k_eff) / s) + 1``.

    >>> conv_output_length(28, 3), conv_output_length(28, 3, stride=2)
    (26, 13)
    >>> conv_output_length(5, 3, stride=2, padding=1)
    3
    """
    if input_length is None:
        return None
    before, after = explicit_padding(input_length, kernel_size, stride, padding, dilation)
    return _sliding_length(input_length, effective_kernel(kernel_size, dilation), stride, before, after,
                           "convolution")


def pool_output_length(input_length: int | None, pool_size: int, stride: int | None = None,
                       padding: Padding = "valid") -> int | None:
    """Output length of pooling along one dimension; ``stride`` defaults to ``pool_size`` as in Keras.

    >>> pool_output_length(12, 3)
    4
    """
    if input_length is None:
        return None
    stride = pool_size if stride is None else stride
    before, after = explicit_padding(input_length, pool_size, stride, padding)
    return _sliding_length(input_length, pool_size, stride, before, after, "pooling")


def conv_transpose_output_length(input_length: int | None, kernel_size: int, stride: int = 1,
                                 padding: str = "valid", output_padding: int | None = None,
                                 dilation: int = 1) -> int | None:
    """Output length of a transposed convolution, as Keras's ``Conv2DTranspose`` computes it.

    >>> conv_transpose_output_length(4, 3, stride=2), conv_transpose_output_length(4, 3, 2, "same")
    (9, 8)
    """
    if input_length is None:
        return None
    k = effective_kernel(kernel_size, dilation)
    if padding not in ("valid", "same"):
        raise ValueError(f"padding of a transposed convolution must be 'valid' or 'same', got {padding!r}")
    if output_padding is None:
        return input_length * stride + (max(k - stride, 0) if padding == "valid" else 0)
    pad = k // 2 if padding == "same" else 0
    return (input_length - 1) * stride + k - 2 * pad + output_padding


def conv_transpose_crop(input_length: int, kernel_size: int, stride: int = 1, padding: str = "valid",
                        output_padding: int | None = None, dilation: int = 1) -> tuple[int, int]:
    """``(start, length)`` to cut from the full transposed convolution (length ``(n-1)·s + k_eff``) to get Keras's.

    A transposed convolution is the gradient of a convolution, so it drops the zeros that convolution padded
    *before* (``'same'`` puts the extra one after) and keeps Keras's output length, zero-extended if longer.

    >>> conv_transpose_crop(4, 4, 1, "same")
    (1, 4)
    """
    k = effective_kernel(kernel_size, dilation)
    length = conv_transpose_output_length(input_length, kernel_size, stride, padding, output_padding, dilation)
    if output_padding is None:
        start = explicit_padding(length, kernel_size, stride, padding, dilation)[0]
    else:
        start = k // 2 if padding == "same" else 0
    return start, length


def conv_output_shape(spatial_shape: Sequence[int | None], kernel_size: Sequence[int], strides: Sequence[int],
                      padding: Padding | Sequence[Padding], dilation: Sequence[int] | None = None
                      ) -> tuple[int | None, ...]:
    """Spatial output shape of an N-d convolution; ``padding`` may be one value or one per dimension.

    >>> conv_output_shape((28, 28), (5, 5), (1, 1), "valid")
    (24, 24)
    """
    rank = len(spatial_shape)
    dilation = dilation or (1,) * rank
    pads = per_dimension_padding(padding, rank)
    return tuple(conv_output_length(n, k, s, p, d)
                 for n, k, s, p, d in zip(spatial_shape, kernel_size, strides, pads, dilation))


def pool_output_shape(spatial_shape: Sequence[int | None], pool_size: Sequence[int], strides: Sequence[int],
                      padding: str = "valid") -> tuple[int | None, ...]:
    """Spatial output shape of N-d pooling.

    >>> pool_output_shape((24, 24), (2, 2), (2, 2))
    (12, 12)
    """
    return tuple(pool_output_length(n, k, s, padding) for n, k, s in zip(spatial_shape, pool_size, strides))


def per_dimension_padding(padding: Padding | Sequence[Padding], rank: int) -> list[Padding]:
    """Spread a padding spec over ``rank`` dimensions: a string or int applies to all, else one entry each."""
    if isinstance(padding, (str, int)):
        return [padding] * rank
    entries = list(padding)
    if len(entries) != rank:
        raise ValueError(f"padding needs one entry per spatial dimension ({rank}), got {padding!r}")
    return [p if isinstance(p, (str, int)) else tuple(p) for p in entries]


# --- parameters ---------------------------------------------------------------------------------------------------

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


# --- receptive field ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceptiveField:
    """Along one dimension: ``size`` input pixels seen by one output unit, ``jump`` input pixels between
    neighbouring output units, and ``start`` the input coordinate of the first unit's centre."""

    size: int = 1
    jump: int = 1
    start: float = 0.5

    def through(self, kernel_size: int, stride: int = 1, pad_before: int = 0, dilation: int = 1) -> "ReceptiveField":
        """The field after one more sliding-window layer.

        >>> ReceptiveField().through(3).through(3).size
        5
        """
        k = effective_kernel(kernel_size, dilation)
        return ReceptiveField(size=self.size + (k - 1) * self.jump, jump=self.jump * stride,
                              start=self.start + ((k - 1) / 2 - pad_before) * self.jump)


def receptive_field(layers: Iterable[tuple[int, int]] | Iterable[tuple[int, int, int]]) -> ReceptiveField:
    """Receptive field through a stack of ``(kernel_size, stride[, pad_before])`` layers along one dimension.

    >>> receptive_field([(3, 1), (3, 1), (3, 1)]).size
    7
    """
    rf = ReceptiveField()
    for spec in layers:
        kernel, stride, *rest = spec
        rf = rf.through(kernel, stride, rest[0] if rest else 0)
    return rf


FieldStep = "list[tuple[int, int, int, int]] | str | None"


def graph_receptive_fields(nodes: Iterable[tuple[str, Sequence[str], Any]], spatial_dims: int
                           ) -> dict[str, tuple[list[ReceptiveField] | None, bool]]:
    """Receptive fields over a graph of layers, in topological order.

    Each node is ``(name, parent names, step)``: ``step`` is ``None`` for a pointwise layer, ``'global'`` when
    every output sees the whole input, or ``[(kernel, stride, pad_before, dilation)]`` per spatial dimension. A
    node with several parents (Add, Concatenate) takes, per dimension, the largest field over its paths; the
    flag says that paths disagree in stride (jump), so one unit's field is not one square. Returns
    ``{name: (fields or None for 'all', disagree)}``.

    >>> residual = [("x", [], None), ("a", ["x"], [(3, 1, 1, 1)]), ("b", ["a"], [(3, 1, 1, 1)]),
    ...             ("add", ["x", "b"], None)]
    >>> fields, disagree = graph_receptive_fields(residual, 1)["add"]
    >>> fields[0].size, disagree
    (5, False)
    """
    result: dict[str, tuple[list[ReceptiveField] | None, bool]] = {}
    for name, parents, step in nodes:
        incoming = [result[p] for p in parents]
        disagree = any(flag for _, flag in incoming)
        if not incoming:
            fields: list[ReceptiveField] | None = [ReceptiveField() for _ in range(spatial_dims)]
        elif any(f is None for f, _ in incoming):
            fields = None
        else:
            paths = [f for f, _ in incoming]
            fields = [max((path[d] for path in paths), key=lambda rf: rf.size) for d in range(len(paths[0]))]
            disagree = disagree or any(len({path[d].jump for path in paths}) > 1 for d in range(len(paths[0])))
        if step in ("global", "upsample"):
            fields = None
        elif step is not None and fields is not None:
            fields = [f.through(k, s, pad, dil) for f, (k, s, pad, dil) in zip(fields, step)]
        result[name] = (fields, disagree)
    return result


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
