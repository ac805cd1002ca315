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

    def box(self, position: int, input_length: int | None = None) -> tuple[int, int]:
        """Input pixels ``[low, high)`` seen by the unit at ``position``; clipped to ``input_length`` when given
        (a unit near a padded border sees fewer real pixels).

        >>> ReceptiveField().through(3).through(2, 2).box(1)   # conv 3×3 → pool 2×2: unit 1 sees pixels 2..5
        (2, 6)
        >>> ReceptiveField().through(3, 1, pad_before=1).box(0, 28)
        (0, 2)
        """
        centre = self.start + position * self.jump
        low, high = math.floor(centre - self.size / 2), math.ceil(centre + self.size / 2)
        if input_length is not None:
            low, high = max(low, 0), min(high, input_length)
        return low, high


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


# --- merging, padding, cropping, upsampling -------------------------------------------------------------------------

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
