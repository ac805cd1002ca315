"""How every op runs: eagerly on tensors and arrays, or recorded as a graph node on symbolic tensors.

``@operation`` turns an eager function into Keras 3's op: when an argument is a symbolic tensor (anything with a
``_record_op`` method, such as ``convlens.Input(...)``'s ``KerasTensor``), the call is handed to that tensor, which
records an op node in the functional graph; otherwise the function runs on the values. The op's name finds the
eager function again when a saved model is rebuilt (``eager_function``).

Example:
    >>> import torch
    >>> from convlens.ops import square
    >>> square(torch.full((2,), 3.0)).tolist(), eager_function("square") is square.eager
    ([9.0, 9.0], True)
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np
import torch

from convlens.backend import resolve_device

_EAGER: dict[str, Callable[..., Any]] = {}  # op name → eager function; filled as the op modules are defined
_POINTWISE: set[str] = set()  # ops whose every output value reads the input values at its own position


def find_symbolic(value: Any) -> Any:
    """The first symbolic tensor in ``value`` (nested lists, tuples and dicts are searched), or ``None``."""
    if hasattr(value, "_record_op"):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        found = find_symbolic(item)
        if found is not None:
            return found
    return None


def operation(fn: Callable[..., Any] | None = None, *, name: str | None = None, pointwise: bool = False) -> Any:
    """Decorator: register ``fn`` under ``name`` (default: its own name) and make it record itself on symbolic
    tensors. ``pointwise=True`` says each output value depends on the inputs at its own position only (so an op
    node leaves the receptive field as it is)."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        op_name = name or function.__name__
        previous = _EAGER.get(op_name)
        if previous is not None and (previous.__module__, previous.__qualname__) != (function.__module__,
                                                                                    function.__qualname__):
            raise ValueError(f"op {op_name!r} is defined twice: in {previous.__module__} and {function.__module__}")
        _EAGER[op_name] = function
        if pointwise:
            _POINTWISE.add(op_name)

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            symbolic = find_symbolic((args, kwargs))
            if symbolic is not None:
                return symbolic._record_op(op_name, args, kwargs)
            return function(*args, **kwargs)

        call.eager = function
        call.op_name = op_name
        return call

    return decorate(fn) if fn is not None else decorate


def eager_function(name: str) -> Callable[..., Any]:
    """The eager function of the op called ``name`` (how a saved op node finds its code again)."""
    if name not in _EAGER:
        raise ValueError(f"unknown op {name!r}; convlens.ops has {len(_EAGER)} ops, e.g. {sorted(_EAGER)[:5]}")
    return _EAGER[name]


def is_pointwise(name: str) -> bool:
    """Whether the op called ``name`` works value by value (element-wise math, activations, casts)."""
    return name in _POINTWISE


def op_names() -> list[str]:
    """Every registered op name, sorted."""
    return sorted(_EAGER)


_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32, "float64": torch.float64,
           "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32, "int64": torch.int64,
           "bool": torch.bool}


def torch_dtype(dtype: Any) -> torch.dtype | None:
    """A Keras dtype name (``'float32'``), NumPy dtype or torch dtype as a torch dtype; ``None`` stays ``None``."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    key = dtype if isinstance(dtype, str) else np.dtype(dtype).name
    if key not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
    return _DTYPES[key]


def dtype_name(dtype: torch.dtype) -> str:
    """``torch.float32`` → ``'float32'``."""
    return str(dtype).removeprefix("torch.")


def to_tensor(x: Any, dtype: Any = None, like: torch.Tensor | None = None) -> torch.Tensor:
    """``x`` as a torch tensor (on ``like``'s device when given). As in Keras, Python floats become float32 and
    Python ints int32; NumPy arrays keep their dtype."""
    dtype = torch_dtype(dtype)
    device = like.device if like is not None else None
    if isinstance(x, torch.Tensor):
        return x.to(device=device or x.device, dtype=dtype or x.dtype)
    if isinstance(x, bool):
        dtype = dtype or torch.bool
    elif isinstance(x, int):
        dtype = dtype or torch.int32
    elif isinstance(x, float):
        dtype = dtype or torch.float32
    elif isinstance(x, (list, tuple)) and x and all(isinstance(v, torch.Tensor) for v in x):
        return torch.stack([to_tensor(v, dtype, like) for v in x])
    elif isinstance(x, (list, tuple)):
        array = np.asarray(x)
        if dtype is None and array.dtype == np.float64:
            dtype = torch.float32
        elif dtype is None and array.dtype == np.int64:
            dtype = torch.int32
        x = array
    return torch.as_tensor(x, dtype=dtype, device=device)


def default_device() -> torch.device:
    """Where new arrays (``zeros``, ``arange``, random draws) go: the device a model trains on by default (CUDA
    when there is one, as Keras's torch backend; ``$CONVLENS_DEVICE`` overrides)."""
    return resolve_device()


def tensors(*values: Any) -> list[Any]:
    """Arrays among ``values`` become tensors on the device of the first tensor; Python numbers stay numbers (torch
    then promotes them weakly, as Keras does)."""
    like = next((v for v in values if isinstance(v, torch.Tensor)), None)
    return [v if isinstance(v, (int, float, bool)) and not isinstance(v, np.generic) else to_tensor(v, like=like)
            for v in values]


def floating(x: torch.Tensor) -> torch.Tensor:
    """Integer and boolean tensors as float32 (Keras's result type for ``mean``, ``sqrt`` … of integers)."""
    return x if x.is_floating_point() else x.to(torch.float32)
