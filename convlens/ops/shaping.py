"""NumPy-style ops that change shapes, pick values or make new arrays (``keras.ops.reshape``, ``concatenate``,
``where``, ``zeros``, ``arange`` …). Shapes include the batch axis, as in Keras.

Example:
    >>> import numpy as np
    >>> reshape(np.zeros((2, 3, 4)), (-1, 12)).shape
    torch.Size([2, 12])
    >>> concatenate([np.ones((1, 2)), np.zeros((1, 3))], axis=-1).tolist()
    [[1.0, 1.0, 0.0, 0.0, 0.0]]
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from convlens.ops.dispatch import default_device, operation, tensors, to_tensor, torch_dtype


def _common(values: Sequence[Any]) -> list[torch.Tensor]:
    items = tensors(*values)
    items = [v if isinstance(v, torch.Tensor) else to_tensor(v) for v in items]
    dtype = items[0].dtype
    for item in items[1:]:
        dtype = torch.promote_types(dtype, item.dtype)
    return [item.to(dtype) for item in items]


@operation
def reshape(x: Any, newshape: Sequence[int] | int) -> torch.Tensor:
    """``x`` with ``newshape`` (batch axis included; one ``-1`` is inferred)."""
    shape = (newshape,) if isinstance(newshape, int) else tuple(-1 if d is None else d for d in newshape)
    return torch.reshape(to_tensor(x), shape)


@operation
def transpose(x: Any, axes: Sequence[int] | None = None) -> torch.Tensor:
    """Permute the axes (reverse them when ``axes`` is ``None``)."""
    value = to_tensor(x)
    return value.permute(*(tuple(axes) if axes is not None else range(value.ndim - 1, -1, -1)))


@operation
def moveaxis(x: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> torch.Tensor:
    """Move axes to new positions."""
    return torch.movedim(to_tensor(x), source, destination)


@operation
def swapaxes(x: Any, axis1: int, axis2: int) -> torch.Tensor:
    """Exchange two axes."""
    return torch.swapaxes(to_tensor(x), axis1, axis2)


@operation
def expand_dims(x: Any, axis: int | Sequence[int]) -> torch.Tensor:
    """Insert axes of length 1 at ``axis``."""
    value = to_tensor(x)
    axes = [axis] if isinstance(axis, int) else list(axis)
    rank = value.ndim + len(axes)
    for a in sorted(a % rank for a in axes):
        value = value.unsqueeze(a)
    return value


@operation
def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> torch.Tensor:
    """Remove axes of length 1 (only ``axis`` when given; it must have length 1)."""
    value = to_tensor(x)
    if axis is None:
        return value.squeeze()
    axes = [axis] if isinstance(axis, int) else list(axis)
    for a in axes:
        if value.shape[a] != 1:
            raise ValueError(f"squeeze: axis {a} has length {value.shape[a]}, not 1 (shape {tuple(value.shape)})")
    return value.squeeze(tuple(axes))


@operation
def ravel(x: Any) -> torch.Tensor:
    """All values in one axis."""
    return to_tensor(x).reshape(-1)


@operation
def concatenate(xs: Sequence[Any], axis: int | None = 0) -> torch.Tensor:
    """Join the arrays along an existing ``axis`` (NumPy's default ``0``; flattened first when ``None``)."""
    items = _common(xs)
    return torch.cat([i.reshape(-1) for i in items]) if axis is None else torch.cat(items, dim=axis)


@operation
def stack(x: Sequence[Any], axis: int = 0) -> torch.Tensor:
    """Join the arrays along a new ``axis``."""
    return torch.stack(_common(x), dim=axis)


@operation
def split(x: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[torch.Tensor]:
    """NumPy's ``split``: ``n`` equal parts, or cut before each given index."""
    value = to_tensor(x)
    if isinstance(indices_or_sections, int):
        if value.shape[axis] % indices_or_sections:
            raise ValueError(f"split: axis {axis} of length {value.shape[axis]} does not divide into "
                             f"{indices_or_sections} equal parts")
        return list(torch.chunk(value, indices_or_sections, dim=axis))
    return list(torch.tensor_split(value, list(indices_or_sections), dim=axis))


@operation
def tile(x: Any, repeats: int | Sequence[int]) -> torch.Tensor:
    """Repeat the whole array ``repeats`` times along each axis."""
    return torch.tile(to_tensor(x), (repeats,) if isinstance(repeats, int) else tuple(repeats))


@operation
def repeat(x: Any, repeats: int, axis: int | None = None) -> torch.Tensor:
    """Repeat each value ``repeats`` times along ``axis`` (of the flattened array when ``None``)."""
    value = to_tensor(x)
    return torch.repeat_interleave(value.reshape(-1) if axis is None else value, repeats, dim=0 if axis is None
                                   else axis)


@operation
def flip(x: Any, axis: int | Sequence[int] | None = None) -> torch.Tensor:
    """Reverse the order along ``axis`` (every axis when ``None``)."""
    value = to_tensor(x)
    axes = range(value.ndim) if axis is None else [axis] if isinstance(axis, int) else axis
    return torch.flip(value, dims=tuple(axes))


@operation
def broadcast_to(x: Any, shape: Sequence[int]) -> torch.Tensor:
    """``x`` broadcast to ``shape``."""
    return torch.broadcast_to(to_tensor(x), tuple(shape))


@operation(pointwise=True)
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """``x1`` where ``condition`` holds, else ``x2``; with the condition alone, the indices where it holds."""
    cond = to_tensor(condition).bool()
    if x1 is None and x2 is None:
        return tuple(torch.nonzero(cond, as_tuple=True))
    if x1 is None or x2 is None:
        raise ValueError("where needs both x1 and x2, or neither")
    a, b = _common([x1, x2])
    return torch.where(cond.to(a.device), a, b)


@operation
def take(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    """Values at ``indices`` along ``axis`` (of the flattened array when ``None``); float indices are truncated."""
    value = to_tensor(x)
    index = to_tensor(indices, like=value).long()
    if axis is None:
        return value.reshape(-1)[index]
    axis = axis % value.ndim
    return torch.index_select(value, axis, index.reshape(-1)).reshape(
        *value.shape[:axis], *index.shape, *value.shape[axis + 1:])


@operation
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    """NumPy's ``take_along_axis``."""
    value = to_tensor(x)
    index = to_tensor(indices, like=value).long()
    if axis is None:
        return value.reshape(-1)[index.reshape(-1)]
    shape = torch.broadcast_shapes(tuple(d if i != axis % value.ndim else 1 for i, d in enumerate(value.shape)),
                                   tuple(d if i != axis % index.ndim else 1 for i, d in enumerate(index.shape)))
    value = value.expand(*[s if i != axis % value.ndim else value.shape[i] for i, s in enumerate(shape)])
    index = index.expand(*[s if i != axis % index.ndim else index.shape[i] for i, s in enumerate(shape)])
    return torch.gather(value, axis, index)


@operation
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> torch.Tensor:
    """NumPy's ``pad``: ``pad_width`` is one ``(before, after)`` pair per axis (or one pair, or one int, for all);
    ``mode`` ``'constant'``, ``'reflect'``, ``'symmetric'`` or ``'edge'``."""
    value = to_tensor(x)
    widths = [(pad_width, pad_width)] * value.ndim if isinstance(pad_width, int) else [tuple(p) for p in pad_width]
    if len(widths) == 1:
        widths = widths * value.ndim
    if len(widths) != value.ndim:
        raise ValueError(f"pad_width needs one (before, after) pair per axis ({value.ndim}), got {pad_width!r}")
    flat = [p for pair in reversed(widths) for p in pair]
    if mode == "constant":
        return F.pad(value, flat, value=constant_values or 0)
    if mode == "symmetric":
        for axis, (before, after) in enumerate(widths):
            parts = [value.narrow(axis, 0, before).flip(axis), value,
                     value.narrow(axis, value.shape[axis] - after, after).flip(axis)]
            value = torch.cat(parts, dim=axis)
        return value
    torch_mode = {"reflect": "reflect", "edge": "replicate"}.get(mode)
    if torch_mode is None:
        raise ValueError(f"mode must be 'constant', 'reflect', 'symmetric' or 'edge', got {mode!r}")
    # torch pads the trailing axes of a batched, channelled tensor: view the array as (1, 1, *axes) to pad them all
    padded = [(i, w) for i, w in enumerate(widths) if w != (0, 0)]
    for axis, (before, after) in padded:
        moved = value.movedim(axis, -1)
        shape = moved.shape
        out = F.pad(moved.reshape(1, -1, shape[-1]), [before, after], mode=torch_mode)
        value = out.reshape(*shape[:-1], out.shape[-1]).movedim(-1, axis)
    return value


# --- new arrays (Keras: integer ranges are int32, filled arrays float32) --------------------------------------------
@operation
def zeros(shape: int | Sequence[int], dtype: Any = None) -> torch.Tensor:
    """An array of zeros (float32 unless ``dtype``)."""
    return torch.zeros(shape, dtype=torch_dtype(dtype) or torch.float32, device=default_device())


@operation
def ones(shape: int | Sequence[int], dtype: Any = None) -> torch.Tensor:
    """An array of ones (float32 unless ``dtype``)."""
    return torch.ones(shape, dtype=torch_dtype(dtype) or torch.float32, device=default_device())


@operation
def full(shape: int | Sequence[int], fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """An array filled with ``fill_value``."""
    return torch.full(tuple([shape] if isinstance(shape, int) else shape), fill_value,
                      dtype=torch_dtype(dtype) or to_tensor(fill_value).dtype, device=default_device())


@operation
def zeros_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Zeros of ``x``'s shape (and dtype unless ``dtype``)."""
    return torch.zeros_like(to_tensor(x), dtype=torch_dtype(dtype))


@operation
def ones_like(x: Any, dtype: Any = None) -> torch.Tensor:
    """Ones of ``x``'s shape (and dtype unless ``dtype``)."""
    return torch.ones_like(to_tensor(x), dtype=torch_dtype(dtype))


@operation
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    """``fill_value`` in ``x``'s shape (and dtype unless ``dtype``)."""
    return torch.full_like(to_tensor(x), fill_value, dtype=torch_dtype(dtype))


@operation
def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> torch.Tensor:
    """``[start, stop)`` in steps of ``step``; int32 for integer arguments, float32 otherwise."""
    if stop is None:
        start, stop = 0, start
    integer = all(isinstance(v, int) for v in (start, stop, step))
    return torch.arange(start, stop, step, dtype=torch_dtype(dtype) or (torch.int32 if integer else torch.float32),
                        device=default_device())


@operation
def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None) -> torch.Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` (included when ``endpoint``)."""
    if endpoint:
        values = torch.linspace(float(start), float(stop), num, dtype=torch.float64)
    else:
        values = torch.linspace(float(start), float(stop), num + 1, dtype=torch.float64)[:-1]
    return values.to(torch_dtype(dtype) or torch.float32).to(default_device())


@operation
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:
    """A 2-D array with ones on the ``k``-th diagonal."""
    M = N if M is None else M
    ones_ = torch.ones(N, M, dtype=torch_dtype(dtype) or torch.float32, device=default_device())
    return torch.triu(torch.tril(ones_, diagonal=k), diagonal=k)


@operation
def identity(n: int, dtype: Any = None) -> torch.Tensor:
    """The ``n`` × ``n`` identity matrix."""
    return torch.eye(n, dtype=torch_dtype(dtype) or torch.float32, device=default_device())


def size(x: Any) -> int:
    """The number of values."""
    return int(to_tensor(x).numel())


def ndim(x: Any) -> int:
    """The number of axes."""
    return len(x.shape) if hasattr(x, "shape") else to_tensor(x).ndim


__all__ = ["arange", "broadcast_to", "concatenate", "expand_dims", "eye", "flip", "full", "full_like", "identity",
           "linspace", "moveaxis", "ndim", "ones", "ones_like", "pad", "ravel", "repeat", "reshape", "size",
           "split", "squeeze", "stack", "swapaxes", "take", "take_along_axis", "tile", "transpose", "where", "zeros",
           "zeros_like"]
