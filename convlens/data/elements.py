"""What the dataset pipeline does to one element (a tensor, or a tuple/dict of them): stack, count and pick rows,
call a function on it, and hand it to the user as an ``ArrayTensor``; and ``AUTOTUNE``.

Example:
    >>> import torch
    >>> _rows((torch.zeros(3, 2), torch.arange(3)))
    3
"""
from __future__ import annotations

import os
from typing import Any, Callable

import torch


AUTOTUNE = -1  # ``tf.data.AUTOTUNE``: let the dataset pick (a few elements ahead, a thread per core)


def _workers(value: int | None) -> int:
    return min(4, os.cpu_count() or 1) if value is None or value == AUTOTUNE else max(1, int(value))


def _stack(items: list[Any]) -> Any:
    """Stack a list of elements component-wise (tuples, dicts, tensors, arrays or numbers)."""
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_stack([item[i] for item in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([item[key] for item in items]) for key in first}
    return torch.stack([torch.as_tensor(item) for item in items])


def _rows(element: Any) -> int:
    first = element[0] if isinstance(element, tuple) else next(iter(element.values())) \
        if isinstance(element, dict) else element
    return len(first)


def _row(element: Any, index: int) -> Any:
    if isinstance(element, tuple):
        return tuple(_row(part, index) for part in element)
    if isinstance(element, dict):
        return {key: _row(value, index) for key, value in element.items()}
    return element[index]


class ArrayTensor(torch.Tensor):
    """A torch tensor that NumPy functions accept as well (``np.min(t)``, ``np.argmax(t)``), as TensorFlow's eager
    tensors are; results of torch operations on it stay ``ArrayTensor``. ``fit`` reads plain tensors."""

    def __array_function__(self, func: Callable[..., Any], types: Any, args: Any, kwargs: Any) -> Any:
        return func(*_to_numpy(args), **_to_numpy(kwargs))


def _to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    return value


def _for_user(element: Any) -> Any:
    if isinstance(element, tuple):
        return tuple(_for_user(part) for part in element)
    if isinstance(element, dict):
        return {key: _for_user(value) for key, value in element.items()}
    if isinstance(element, torch.Tensor) and type(element) is torch.Tensor:
        return element.as_subclass(ArrayTensor)
    return element


def _call(fn: Callable[..., Any], element: Any) -> Any:
    return fn(*element) if isinstance(element, tuple) else fn(element)
