"""NumPy-style ops, Keras 3's ``keras.ops`` (``keras.ops.numpy``): math, comparisons and reductions.

Each works on torch tensors, NumPy arrays and Python numbers and returns a torch tensor; on symbolic tensors it
records a graph node instead (see ``convlens.ops.dispatch``). Shape-changing and creation ops are in
``convlens.ops.shaping``.

Example:
    >>> import numpy as np
    >>> mean(np.array([[1.0, 2.0], [3.0, 5.0]]), axis=-1).tolist()
    [1.5, 4.0]
    >>> argmax(np.array([[0.1, 0.9], [0.8, 0.2]]), axis=-1).tolist()
    [1, 0]
"""
from __future__ import annotations

from typing import Any

import torch

from convlens.ops.dispatch import floating, operation, tensors, to_tensor

Axis = int | tuple[int, ...] | list[int] | None


def _dims(axis: Axis) -> tuple[int, ...] | None:
    if axis is None:
        return None
    return (axis,) if isinstance(axis, int) else tuple(axis)


def _reduce(fn: Any, x: torch.Tensor, axis: Axis, keepdims: bool) -> torch.Tensor:
    dims = _dims(axis)
    if dims is None:
        out = fn(x.reshape(-1), dim=0, keepdim=False)
        return out.reshape((1,) * x.ndim) if keepdims else out
    return fn(x, dim=dims, keepdim=keepdims)


def _keep_int(result: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """torch widens integer sums to int64; Keras keeps the input's integer type (bool counts as int32)."""
    if x.dtype == torch.bool:
        return result.to(torch.int32)
    return result.to(x.dtype) if not x.is_floating_point() else result


# --- element-wise, one argument -------------------------------------------------------------------------------------
def _unary(name: str, fn: Any, float_only: bool = False) -> Any:
    def op(x: Any) -> torch.Tensor:
        value = to_tensor(x)
        return fn(floating(value) if float_only else value)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Element-wise ``{name}``, as ``keras.ops.{name}``."
    return operation(op, pointwise=True)


abs = _unary("abs", torch.abs)
absolute = _unary("absolute", torch.abs)
negative = _unary("negative", torch.negative)
square = _unary("square", torch.square)
sqrt = _unary("sqrt", torch.sqrt, float_only=True)
exp = _unary("exp", torch.exp, float_only=True)
log = _unary("log", torch.log, float_only=True)
log1p = _unary("log1p", torch.log1p, float_only=True)
expm1 = _unary("expm1", torch.expm1, float_only=True)
tanh = _unary("tanh", torch.tanh, float_only=True)
sin = _unary("sin", torch.sin, float_only=True)
cos = _unary("cos", torch.cos, float_only=True)
sign = _unary("sign", torch.sign)
floor = _unary("floor", torch.floor, float_only=True)
ceil = _unary("ceil", torch.ceil, float_only=True)
logical_not = _unary("logical_not", torch.logical_not)
reciprocal = _unary("reciprocal", torch.reciprocal, float_only=True)


@operation(pointwise=True)
def round(x: Any, decimals: int = 0) -> torch.Tensor:
    """Round half to even to ``decimals`` places, as NumPy does."""
    return torch.round(to_tensor(x), decimals=decimals)


@operation(pointwise=True)
def clip(x: Any, x_min: Any, x_max: Any) -> torch.Tensor:
    """Limit the values to ``[x_min, x_max]``."""
    value = to_tensor(x)
    return torch.clamp(value, min=x_min, max=x_max)


# --- element-wise, two arguments (NumPy broadcasting) ---------------------------------------------------------------
def _binary(name: str, fn: Any, float_only: bool = False) -> Any:
    def op(x1: Any, x2: Any) -> torch.Tensor:
        a, b = tensors(x1, x2)
        if float_only:
            a = floating(a) if isinstance(a, torch.Tensor) else float(a)
            b = floating(b) if isinstance(b, torch.Tensor) else float(b)
        if not isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
            a = to_tensor(a)
        return fn(a, b)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Element-wise ``{name}`` with NumPy broadcasting, as ``keras.ops.{name}``."
    return operation(op, pointwise=True)


add = _binary("add", torch.add)
subtract = _binary("subtract", torch.subtract)
multiply = _binary("multiply", torch.multiply)
divide = _binary("divide", torch.true_divide, float_only=True)
true_divide = _binary("true_divide", torch.true_divide, float_only=True)
floor_divide = _binary("floor_divide", torch.floor_divide)
mod = _binary("mod", torch.remainder)
power = _binary("power", torch.pow)
maximum = _binary("maximum", lambda a, b: torch.maximum(*_both(a, b)))
minimum = _binary("minimum", lambda a, b: torch.minimum(*_both(a, b)))
equal = _binary("equal", torch.eq)
not_equal = _binary("not_equal", torch.ne)
greater = _binary("greater", torch.gt)
greater_equal = _binary("greater_equal", torch.ge)
less = _binary("less", torch.lt)
less_equal = _binary("less_equal", torch.le)
logical_and = _binary("logical_and", lambda a, b: torch.logical_and(*_both(a, b)))
logical_or = _binary("logical_or", lambda a, b: torch.logical_or(*_both(a, b)))


def _both(a: Any, b: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """torch.maximum and friends want two tensors: a Python number takes the other's dtype and device."""
    if not isinstance(a, torch.Tensor):
        a = torch.as_tensor(a, dtype=torch.result_type(b, a), device=b.device)
    if not isinstance(b, torch.Tensor):
        b = torch.as_tensor(b, dtype=torch.result_type(a, b), device=a.device)
    common = torch.promote_types(a.dtype, b.dtype)
    return a.to(common), b.to(common)


@operation
def matmul(x1: Any, x2: Any) -> torch.Tensor:
    """Matrix product with NumPy's rules (batched over leading axes)."""
    a, b = _both(*tensors(x1, x2))
    return torch.matmul(a, b)


@operation
def dot(x1: Any, x2: Any) -> torch.Tensor:
    """NumPy's ``dot``: a product for scalars, ``matmul`` for vectors and matrices, last-by-second-last otherwise."""
    a, b = _both(*tensors(x1, x2))
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim <= 2:
        return torch.matmul(a, b)
    return torch.tensordot(a, b, dims=([-1], [b.ndim - 2]))


@operation
def einsum(subscripts: str, *operands: Any) -> torch.Tensor:
    """Einstein summation: ``einsum('bij,bjk->bik', a, b)``."""
    return torch.einsum(subscripts, *_both(*tensors(*operands)) if len(operands) == 2 else tensors(*operands))


# --- reductions -------------------------------------------------------------------------------------------------------
@operation
def sum(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Sum over ``axis`` (all axes when ``None``)."""
    value = to_tensor(x)
    return _keep_int(_reduce(torch.sum, value, axis, keepdims), value)


@operation
def prod(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Product over ``axis`` (all axes when ``None``)."""
    value = to_tensor(x)
    dims = _dims(axis)
    result = value.reshape(-1).prod() if dims is None else value
    for dim in sorted((d % value.ndim for d in dims or ()), reverse=True):
        result = result.prod(dim=dim, keepdim=keepdims)
    if dims is None and keepdims:
        result = result.reshape((1,) * value.ndim)
    return _keep_int(result, value)


@operation
def mean(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Mean over ``axis``; integers average to float32."""
    return _reduce(torch.mean, floating(to_tensor(x)), axis, keepdims)


@operation
def var(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance (NumPy's ``ddof=0``)."""
    return _reduce(lambda t, dim, keepdim: torch.var(t, dim=dim, keepdim=keepdim, correction=0),
                   floating(to_tensor(x)), axis, keepdims)


@operation
def std(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation (NumPy's ``ddof=0``)."""
    return torch.sqrt(var.eager(x, axis, keepdims))


@operation
def max(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> torch.Tensor:
    """Largest value over ``axis``; ``initial`` joins the comparison."""
    result = _reduce(torch.amax, to_tensor(x), axis, keepdims)
    return result if initial is None else torch.clamp(result, min=initial)


@operation
def min(x: Any, axis: Axis = None, keepdims: bool = False, initial: Any = None) -> torch.Tensor:
    """Smallest value over ``axis``; ``initial`` joins the comparison."""
    result = _reduce(torch.amin, to_tensor(x), axis, keepdims)
    return result if initial is None else torch.clamp(result, max=initial)


amax = operation(lambda x, axis=None, keepdims=False: max.eager(x, axis, keepdims), name="amax")
amin = operation(lambda x, axis=None, keepdims=False: min.eager(x, axis, keepdims), name="amin")


def _arg(fn: Any, x: Any, axis: int | None, keepdims: bool) -> torch.Tensor:
    value = to_tensor(x)
    if axis is None:
        result = fn(value.reshape(-1))
        return (result.reshape((1,) * value.ndim) if keepdims else result).to(torch.int32)
    return fn(value, dim=axis, keepdim=keepdims).to(torch.int32)


@operation
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the largest value along ``axis`` (of the flattened array when ``None``), as int32."""
    return _arg(torch.argmax, x, axis, keepdims)


@operation
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    """Index of the smallest value along ``axis`` (of the flattened array when ``None``), as int32."""
    return _arg(torch.argmin, x, axis, keepdims)


@operation
def any(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Whether any value along ``axis`` is true (non-zero)."""
    return _reduce(lambda t, dim, keepdim: torch.any(t, dim=dim, keepdim=keepdim), to_tensor(x).bool(), axis,
                   keepdims)


@operation
def all(x: Any, axis: Axis = None, keepdims: bool = False) -> torch.Tensor:
    """Whether every value along ``axis`` is true (non-zero)."""
    return _reduce(lambda t, dim, keepdim: torch.all(t, dim=dim, keepdim=keepdim), to_tensor(x).bool(), axis,
                   keepdims)


@operation
def count_nonzero(x: Any, axis: Axis = None) -> torch.Tensor:
    """How many values along ``axis`` are not zero, as int32."""
    return torch.count_nonzero(to_tensor(x), dim=_dims(axis)).to(torch.int32)


@operation
def average(x: Any, axis: int | None = None, weights: Any = None) -> torch.Tensor:
    """Weighted mean along ``axis`` (``weights`` 1-D along that axis, or of ``x``'s shape)."""
    value = floating(to_tensor(x))
    if weights is None:
        return mean.eager(value, axis)
    w = to_tensor(weights, dtype=value.dtype, like=value)
    if axis is not None and w.ndim == 1 and value.ndim > 1:
        shape = [1] * value.ndim
        shape[axis] = -1
        w = w.reshape(shape)
    w = torch.broadcast_to(w, value.shape)
    return sum.eager(value * w, axis) / sum.eager(w, axis)


@operation
def cumsum(x: Any, axis: int | None = None) -> torch.Tensor:
    """Running sum along ``axis`` (of the flattened array when ``None``)."""
    value = to_tensor(x)
    return _keep_int(torch.cumsum(value.reshape(-1) if axis is None else value, dim=0 if axis is None else axis),
                     value)


@operation
def sort(x: Any, axis: int = -1) -> torch.Tensor:
    """Values sorted along ``axis``."""
    return torch.sort(to_tensor(x), dim=axis).values


@operation
def argsort(x: Any, axis: int = -1) -> torch.Tensor:
    """Indices that sort ``x`` along ``axis`` (stable), as int32."""
    return torch.argsort(to_tensor(x), dim=axis, stable=True).to(torch.int32)


__all__ = ["abs", "absolute", "add", "all", "amax", "amin", "any", "argmax", "argmin", "argsort", "average", "ceil",
           "clip", "cos", "count_nonzero", "cumsum", "divide", "dot", "einsum", "equal", "exp", "expm1", "floor",
           "floor_divide", "greater", "greater_equal", "less", "less_equal", "log", "log1p", "logical_and",
           "logical_not", "logical_or", "matmul", "max", "maximum", "mean", "min", "minimum", "mod", "multiply",
           "negative", "not_equal", "power", "prod", "reciprocal", "round", "sign", "sin", "sort", "sqrt", "square",
           "std", "subtract", "sum", "tanh", "true_divide", "var"]
