"""Sliding windows: output lengths and shapes of convolution and pooling, the padding that ``'same'`` needs, and
``ShapeError``.

Example:
    >>> conv_output_length(227, 11, stride=4)          # AlexNet conv1
    55
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence, Union


Padding = Union[str, int, Sequence[int]]


class ShapeError(ValueError):
    """A shape that makes no sense for a layer: an empty or negative feature map, say."""

    __module__ = "convlens.arithmetic"  # its public home: tracebacks say convlens.arithmetic.ShapeError


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
