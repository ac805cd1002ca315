"""Core ops (``keras.ops.cast``, ``convert_to_tensor``, ``convert_to_numpy``, ``shape``, ``stop_gradient`` …).

Example:
    >>> import numpy as np
    >>> cast(np.array([1.7, -0.2]), "int32").tolist()
    [1, 0]
    >>> shape(np.zeros((2, 3)))
    (2, 3)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from convlens.ops.dispatch import dtype_name, operation, to_tensor, torch_dtype


@operation(pointwise=True)
def cast(x: Any, dtype: Any) -> torch.Tensor:
    """``x`` converted to ``dtype`` (``'float32'``, ``'int32'`` …); floats become integers by truncation."""
    return to_tensor(x).to(torch_dtype(dtype))


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> torch.Tensor:
    """A torch tensor from an array, a list or a number (Python floats become float32, ints int32)."""
    if sparse:
        raise ValueError("sparse tensors are not supported; pass sparse=None or False")
    return to_tensor(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy array from a tensor (detached, on the CPU), an array or a number."""
    if hasattr(x, "_record_op"):
        raise TypeError("a symbolic tensor has no values; build a Model(inputs, outputs) and call it on data")
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor."""
    return isinstance(x, torch.Tensor)


def shape(x: Any) -> tuple:
    """The shape as a tuple (``None`` for a symbolic tensor's unknown sizes, such as the batch axis)."""
    if hasattr(x, "_record_op"):
        return tuple(x.shape)
    return tuple(int(d) for d in to_tensor(x).shape)


def dtype(x: Any) -> str:
    """The dtype's name, e.g. ``'float32'``."""
    if hasattr(x, "_record_op"):
        return x.dtype
    return dtype_name(to_tensor(x).dtype)


@operation(pointwise=True)
def stop_gradient(variable: Any) -> torch.Tensor:
    """The same values, with no gradient flowing back through them."""
    return to_tensor(variable).detach()


__all__ = ["cast", "convert_to_numpy", "convert_to_tensor", "dtype", "is_tensor", "shape", "stop_gradient"]


@operation
def get_item(x: Any, key: Any) -> torch.Tensor:
    """``x[key]`` (what ``symbolic_tensor[...]`` records in functional code)."""
    value = to_tensor(x)
    return value[key.long() if isinstance(key, torch.Tensor) and not key.dtype == torch.bool else key]
