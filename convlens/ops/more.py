"""More of ``keras.ops``: further element-wise math, ``top_k`` / ``in_top_k`` / ``logsumexp`` / ``normalize`` /
``psnr``, ``separable_conv``, ``depth_to_space``, triangle and stacking helpers. Same rules as the other op modules.

Example:
    >>> import numpy as np
    >>> values, indices = top_k(np.array([[0.1, 0.7, 0.2]]), 2)
    >>> values.tolist(), indices.tolist()
    ([[0.7, 0.2]], [[1, 2]])
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch

from convlens.ops.dispatch import default_device, floating, operation, tensors, to_tensor, torch_dtype
from convlens.ops.nn import conv, depthwise_conv
from convlens.ops.numpy import _binary, _dims, _reduce, _unary

arccos = _unary("arccos", torch.arccos, float_only=True)
arccosh = _unary("arccosh", torch.arccosh, float_only=True)
arcsin = _unary("arcsin", torch.arcsin, float_only=True)
arcsinh = _unary("arcsinh", torch.arcsinh, float_only=True)
arctan = _unary("arctan", torch.arctan, float_only=True)
arctanh = _unary("arctanh", torch.arctanh, float_only=True)
cosh = _unary("cosh", torch.cosh, float_only=True)
sinh = _unary("sinh", torch.sinh, float_only=True)
tan = _unary("tan", torch.tan, float_only=True)
cbrt = _unary("cbrt", lambda x: torch.sign(x) * torch.abs(x).pow(1.0 / 3.0), float_only=True)
erf = _unary("erf", torch.erf, float_only=True)
erfinv = _unary("erfinv", torch.erfinv, float_only=True)
exp2 = _unary("exp2", torch.exp2, float_only=True)
fabs = _unary("fabs", torch.abs, float_only=True)
log10 = _unary("log10", torch.log10, float_only=True)
log2 = _unary("log2", torch.log2, float_only=True)
rsqrt = _unary("rsqrt", torch.rsqrt, float_only=True)
trunc = _unary("trunc", torch.trunc)
isnan = _unary("isnan", torch.isnan)
isinf = _unary("isinf", torch.isinf)
isfinite = _unary("isfinite", torch.isfinite)
signbit = _unary("signbit", torch.signbit)
deg2rad = _unary("deg2rad", torch.deg2rad, float_only=True)
rad2deg = _unary("rad2deg", torch.rad2deg, float_only=True)
copy = _unary("copy", torch.clone)
arctan2 = _binary("arctan2", torch.arctan2, float_only=True)
fmod = _binary("fmod", torch.fmod)
hypot = _binary("hypot", torch.hypot, float_only=True)
logaddexp = _binary("logaddexp", torch.logaddexp, float_only=True)
logical_xor = _binary("logical_xor", lambda a, b: torch.logical_xor(to_tensor(a), to_tensor(b)))
erfc = _unary("erfc", torch.erfc, float_only=True)
isneginf = _unary("isneginf", torch.isneginf)
isposinf = _unary("isposinf", torch.isposinf)
fmax = _binary("fmax", lambda a, b: torch.fmax(to_tensor(a), to_tensor(b)))
fmin = _binary("fmin", lambda a, b: torch.fmin(to_tensor(a), to_tensor(b)))
heaviside = _binary("heaviside", lambda a, b: torch.heaviside(floating(to_tensor(a)), floating(to_tensor(b))))
logaddexp2 = _binary("logaddexp2", torch.logaddexp2, float_only=True)
divide_no_nan = _binary("divide_no_nan", lambda a, b: torch.where(to_tensor(b) == 0, 0.0, a / b), float_only=True)


@operation
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """``log(sum(exp(x)))`` over ``axis``, computed stably."""
    return _reduce(torch.logsumexp, floating(to_tensor(x)), axis, keepdims)


@operation
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Range (maximum − minimum) over ``axis``."""
    value = to_tensor(x)
    return _reduce(torch.amax, value, axis, keepdims) - _reduce(torch.amin, value, axis, keepdims)


@operation
def cumprod(x: Any, axis: int | None = None) -> torch.Tensor:
    """Running product along ``axis`` (of the flattened array when ``None``)."""
    value = to_tensor(x)
    return torch.cumprod(value.reshape(-1) if axis is None else value, dim=0 if axis is None else axis)


@operation
def diff(a: Any, n: int = 1, axis: int = -1) -> torch.Tensor:
    """The ``n``-th difference along ``axis``."""
    return torch.diff(to_tensor(a), n=n, dim=axis)


@operation
def median(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """NumPy's median (the mean of the two middle values for an even count)."""
    return quantile.eager(x, 0.5, axis=axis, keepdims=keepdims)


@operation
def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> torch.Tensor:
    """The ``q``-th quantile(s) over ``axis``; ``method`` as NumPy's (``'linear'``, ``'lower'``, ``'higher'``,
    ``'midpoint'``, ``'nearest'``)."""
    value = floating(to_tensor(x))
    dims = _dims(axis)
    if dims is None:
        value, dims = value.reshape(-1), (0,)
    dims = tuple(d % value.ndim for d in dims)
    rest = [d for d in range(value.ndim) if d not in dims]
    moved = value.permute(*rest, *dims).reshape(*[value.shape[d] for d in rest], -1)
    out = torch.quantile(moved, to_tensor(q, dtype=value.dtype, like=value), dim=-1, interpolation=method)
    if keepdims:
        for d in sorted(dims):
            out = out.unsqueeze(d + (out.ndim - len(rest)) if out.ndim > len(rest) else d)
    return out


@operation
def top_k(x: Any, k: int, sorted: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` largest values along the last axis and their indices (int32)."""
    result = torch.topk(to_tensor(x), k, dim=-1, sorted=sorted)
    return result.values, result.indices.to(torch.int32)


@operation
def in_top_k(targets: Any, predictions: Any, k: int) -> torch.Tensor:
    """Whether each target class is among the ``k`` highest predictions of its row (ties count, as in Keras)."""
    scores = floating(to_tensor(predictions))
    labels = to_tensor(targets, like=scores).long()
    target_scores = scores.gather(-1, labels.unsqueeze(-1))
    return (scores > target_scores).sum(-1) < k


@operation
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> torch.Tensor:
    """``x`` divided by its ``order``-norm along ``axis`` (L2 by default)."""
    value = floating(to_tensor(x))
    norm = torch.linalg.vector_norm(value, ord=order, dim=axis, keepdim=True)
    return value / torch.clamp(norm, min=epsilon if epsilon is not None else 1e-7)


@operation
def psnr(x1: Any, x2: Any, max_val: float) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB: ``20·log10(max_val) − 10·log10(mse)``."""
    a, b = (floating(t) for t in tensors(x1, x2))
    mse = torch.mean(torch.square(a - b))
    return 20.0 * math.log10(max_val) - 10.0 * torch.log10(mse)


@operation
def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: Any = 1,
                   padding: str = "valid", data_format: str | None = None, dilation_rate: Any = 1) -> torch.Tensor:
    """A depthwise convolution followed by a 1×1 (pointwise) one, channels-last, Keras kernels."""
    return conv.eager(depthwise_conv.eager(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate),
                      pointwise_kernel, 1, "valid", data_format)


def _blocks(x: torch.Tensor, block_size: int, data_format: str | None) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")
    if x.ndim != 4 or block_size < 2:
        raise ValueError(f"needs (N, H, W, C) images and block_size >= 2, got shape {tuple(x.shape)} and "
                         f"block_size={block_size}")


@operation
def depth_to_space(x: Any, block_size: int, data_format: str | None = None) -> torch.Tensor:
    """Move channel blocks into ``block_size`` × ``block_size`` spatial tiles (TensorFlow's order)."""
    value = to_tensor(x)
    _blocks(value, block_size, data_format)
    n, h, w, c = value.shape
    out = value.reshape(n, h, w, block_size, block_size, c // block_size ** 2).permute(0, 1, 3, 2, 4, 5)
    return out.reshape(n, h * block_size, w * block_size, c // block_size ** 2)


@operation
def space_to_depth(x: Any, block_size: int, data_format: str | None = None) -> torch.Tensor:
    """Move ``block_size`` × ``block_size`` spatial tiles into channels (the inverse of ``depth_to_space``)."""
    value = to_tensor(x)
    _blocks(value, block_size, data_format)
    n, h, w, c = value.shape
    out = value.reshape(n, h // block_size, block_size, w // block_size, block_size, c).permute(0, 1, 3, 2, 4, 5)
    return out.reshape(n, h // block_size, w // block_size, block_size * block_size * c)


@operation
def multi_hot(inputs: Any, num_classes: int, axis: int = -1, dtype: Any = None) -> torch.Tensor:
    """Rows of integer labels as multi-hot vectors (1 where any label of the row names the class)."""
    labels = to_tensor(inputs).long()
    encoded = (labels.unsqueeze(-1) == torch.arange(num_classes, device=labels.device)).any(dim=-2)
    encoded = encoded.to(torch_dtype(dtype) or torch.float32)
    return encoded if axis == -1 else encoded.movedim(-1, axis)


@operation
def tril(x: Any, k: int = 0) -> torch.Tensor:
    """Zeros above the ``k``-th diagonal."""
    return torch.tril(to_tensor(x), diagonal=k)


@operation
def triu(x: Any, k: int = 0) -> torch.Tensor:
    """Zeros below the ``k``-th diagonal."""
    return torch.triu(to_tensor(x), diagonal=k)


@operation
def hstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along the second axis (the first for 1-D arrays)."""
    return torch.hstack([to_tensor(v) for v in tensors(*xs)])


@operation
def vstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along the first axis (1-D arrays become rows)."""
    return torch.vstack([to_tensor(v) for v in tensors(*xs)])


@operation
def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[torch.Tensor]:
    """The slices along ``axis``, as a list."""
    return list(torch.unbind(to_tensor(x), dim=axis))


@operation
def roll(x: Any, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> torch.Tensor:
    """Shift values along ``axis`` with wrap-around (of the flattened array when ``None``)."""
    value = to_tensor(x)
    if axis is None:
        return torch.roll(value.reshape(-1), shift).reshape(value.shape)
    return torch.roll(value, shift, dims=axis)


@operation
def outer(x1: Any, x2: Any) -> torch.Tensor:
    """The outer product of the flattened arrays."""
    a, b = tensors(x1, x2)
    return torch.outer(to_tensor(a).reshape(-1), to_tensor(b).reshape(-1))


@operation
def tensordot(x1: Any, x2: Any, axes: Any = 2) -> torch.Tensor:
    """NumPy's ``tensordot``."""
    a, b = tensors(x1, x2)
    return torch.tensordot(to_tensor(a), to_tensor(b), dims=axes if isinstance(axes, int) else [list(a_) for a_ in
                                                                                                axes])


@operation
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """Sum along a diagonal."""
    return torch.diagonal(to_tensor(x), offset=offset, dim1=axis1, dim2=axis2).sum(-1)


@operation
def diag(x: Any, k: int = 0) -> torch.Tensor:
    """The ``k``-th diagonal of a matrix, or a matrix with a vector on it."""
    return torch.diag(to_tensor(x), diagonal=k)


@operation
def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> torch.Tensor:
    """NaN and infinities replaced by finite numbers."""
    return torch.nan_to_num(to_tensor(x), nan=nan, posinf=posinf, neginf=neginf)


@operation
def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> torch.Tensor:
    """Element-wise ``|x1 − x2| <= atol + rtol·|x2|``."""
    a, b = (floating(to_tensor(t)) for t in tensors(x1, x2))
    return torch.isclose(a, b.to(a.dtype), rtol=rtol, atol=atol, equal_nan=equal_nan)


@operation
def fliplr(x: Any) -> torch.Tensor:
    """Reverse the second axis."""
    return torch.fliplr(to_tensor(x))


@operation
def flipud(x: Any) -> torch.Tensor:
    """Reverse the first axis."""
    return torch.flipud(to_tensor(x))


@operation
def rot90(array: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> torch.Tensor:
    """Rotate by 90° ``k`` times in the plane of ``axes``."""
    return torch.rot90(to_tensor(array), k, dims=list(axes))


@operation
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:
    """Ones at and below the ``k``-th diagonal."""
    ones_ = torch.ones(N, N if M is None else M, dtype=torch_dtype(dtype) or torch.float32, device=default_device())
    return torch.tril(ones_, diagonal=k)


@operation
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> torch.Tensor:
    """Where ``values`` would go in the 1-D ``sorted_sequence`` to keep it sorted (int32)."""
    seq, vals = tensors(sorted_sequence, values)
    return torch.searchsorted(to_tensor(seq), to_tensor(vals).to(to_tensor(seq).dtype), right=side == "right"
                              ).to(torch.int32)


@operation
def slice(inputs: Any, start_indices: Sequence[int], shape: Sequence[int]) -> torch.Tensor:
    """The block of ``shape`` starting at ``start_indices``."""
    value = to_tensor(inputs)
    for axis, (start, size) in enumerate(zip(start_indices, shape)):
        value = value.narrow(axis, int(start), int(size) if size != -1 else value.shape[axis] - int(start))
    return value


@operation
def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> torch.Tensor:
    """The ``q``-th percentile(s) (0…100) over ``axis``."""
    return quantile.eager(x, to_tensor(q, dtype="float64") / 100.0, axis=axis, method=method, keepdims=keepdims)


@operation
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> torch.Tensor:
    """A diagonal of the plane of ``axis1`` and ``axis2`` (moved to the last axis)."""
    return torch.diagonal(to_tensor(x), offset=offset, dim1=axis1, dim2=axis2)


@operation
def dstack(xs: Sequence[Any]) -> torch.Tensor:
    """Join along the third axis."""
    return torch.dstack([to_tensor(v) for v in tensors(*xs)])


@operation
def inner(x1: Any, x2: Any) -> torch.Tensor:
    """NumPy's ``inner``: sum over the last axes."""
    a, b = tensors(x1, x2)
    return torch.inner(to_tensor(a), to_tensor(b))


__all__ = ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2", "arctanh", "cbrt", "copy", "cosh",
           "cumprod", "deg2rad", "depth_to_space", "diag", "diagonal", "diff", "divide_no_nan", "dstack", "erf", "erfc",
           "erfinv", "exp2", "fabs", "fliplr", "flipud", "fmax", "fmin", "fmod", "heaviside", "inner", "isneginf",
           "isposinf", "logaddexp2", "percentile", "hstack", "hypot", "in_top_k", "isclose", "isfinite", "isinf", "isnan",
           "log10", "log2", "logaddexp", "logical_xor", "logsumexp", "median", "multi_hot", "nan_to_num",
           "normalize", "outer", "psnr", "ptp", "quantile", "rad2deg", "roll", "rot90", "rsqrt", "searchsorted",
           "separable_conv", "signbit", "sinh", "slice", "space_to_depth", "tan", "tensordot", "top_k", "trace",
           "tri", "tril", "triu", "trunc", "unstack", "vstack"]
