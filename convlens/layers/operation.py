"""``OpLayer``: one call of a ``convlens.ops`` function on symbolic tensors, recorded as a node of the graph.

``ops.mean(x, axis=-1)`` or ``x * 2`` on an ``Input`` tensor returns a symbolic tensor made by an ``OpLayer``, as
Keras 3 records its ops. The layer's config is the op's name and its arguments, with each symbolic input replaced by
a placeholder, so a model that uses ops saves and loads like any other (no Python code is stored). The output shape
and dtype come from running the op on shape-only ("meta") tensors.

Example:
    >>> from convlens import ops
    >>> from convlens.layers import Input
    >>> y = ops.mean(Input(shape=(8, 8, 3)), axis=-1)
    >>> y.shape, y.node.layer.get_config()["op"]
    ((None, 8, 8), 'mean')
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from convlens.arithmetic import ShapeError
from convlens.layers.base import Layer, Shape
from convlens.layers.symbolic import KerasTensor
from convlens.ops.dispatch import dtype_name, eager_function, is_pointwise, torch_dtype


def encode(value: Any, symbolic: list[KerasTensor], op: str) -> Any:
    """``value`` as JSON-ready data: symbolic tensors become ``{"__tensor__": i}`` (appended to ``symbolic``),
    constant arrays ``{"__array__": …}``, tuples and slices keep their kind."""
    if isinstance(value, KerasTensor):
        symbolic.append(value)
        return {"__tensor__": len(symbolic) - 1}
    if isinstance(value, (torch.Tensor, np.ndarray)):
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value
        return {"__array__": array.tolist(), "dtype": array.dtype.name}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, symbolic, op) for v in value]}
    if isinstance(value, list):
        return [encode(v, symbolic, op) for v in value]
    if isinstance(value, dict):
        return {"__dict__": {str(k): encode(v, symbolic, op) for k, v in value.items()}}
    if isinstance(value, slice):
        return {"__slice__": [encode(v, symbolic, op) for v in (value.start, value.stop, value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"op {op!r} got an argument of type {type(value).__name__} ({value!r:.60}), which a model "
                    f"config cannot hold; pass numbers, strings, tuples, arrays or symbolic tensors")


def decode(value: Any, tensors: Sequence[torch.Tensor], device: torch.device) -> Any:
    """The inverse of ``encode``, with ``tensors`` in place of the placeholders and arrays on ``device``."""
    if isinstance(value, list):
        return [decode(v, tensors, device) for v in value]
    if not isinstance(value, dict):
        return value
    if "__tensor__" in value:
        return tensors[value["__tensor__"]]
    if "__array__" in value:
        return torch.as_tensor(np.asarray(value["__array__"], dtype=value["dtype"]), device=device)
    if "__tuple__" in value:
        return tuple(decode(v, tensors, device) for v in value["__tuple__"])
    if "__slice__" in value:
        return slice(*(decode(v, tensors, device) for v in value["__slice__"]))
    if "__ellipsis__" in value:
        return Ellipsis
    return {k: decode(v, tensors, device) for k, v in value["__dict__"].items()}


class OpLayer(Layer):
    """A ``convlens.ops`` call in a functional graph: ``op`` is the op's name, ``args``/``kwargs`` its encoded
    arguments and ``dtypes`` the dtypes of its symbolic inputs (used to work out the output)."""

    def __init__(self, op: str, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None,
                 dtypes: Sequence[str] | None = None, **layer_kwargs: Any) -> None:
        super().__init__(**layer_kwargs)
        self.function = eager_function(op)
        self.op, self.op_args, self.op_kwargs = op, list(args), dict(kwargs or {})
        self.dtypes = list(dtypes or [])
        self.output_dtypes: list[str] = []

    @property
    def name(self) -> str:
        return self._name or self.op

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @classmethod
    def record(cls, op: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        """What an op does on symbolic tensors: make the layer, call it on them, return symbolic outputs."""
        symbolic: list[KerasTensor] = []
        encoded_args, encoded_kwargs = encode(list(args), symbolic, op), encode(kwargs, symbolic, op)["__dict__"]
        layer = cls(op, encoded_args, encoded_kwargs, [t.dtype for t in symbolic])
        outputs = layer(symbolic)
        for tensor, dtype in zip(outputs if isinstance(outputs, list) else [outputs], layer.output_dtypes):
            tensor.dtype = dtype
        return outputs

    def forward(self, inputs: Sequence[torch.Tensor]) -> Any:
        tensors = list(inputs)
        device = tensors[0].device if tensors else torch.device("cpu")
        args = decode(self.op_args, tensors, device)
        kwargs = decode({"__dict__": self.op_kwargs}, tensors, device)
        return self.function(*args, **kwargs)

    def compute_output_shape(self, input_shape: Sequence[Shape]) -> Any:
        """Run the op twice on meta tensors, with unknown sizes set to 2 and then 3: sizes that change are None."""
        def fake(fill: int) -> list[torch.Tensor]:
            dtypes = self.dtypes or ["float32"] * len(input_shape)
            return [torch.empty([fill if d is None else d for d in shape], device="meta", dtype=torch_dtype(dtype))
                    for shape, dtype in zip(input_shape, dtypes)]

        try:
            with torch.no_grad():
                first, second = (self.forward(fake(fill)) for fill in (2, 3))
        except Exception as err:  # any error of the op on these shapes; the message names it
            raise ShapeError(f"op {self.op!r} cannot take input shape(s) {list(input_shape)}: "
                             f"{type(err).__name__}: {err}") from None
        many = isinstance(first, (list, tuple))
        results = list(zip(first, second)) if many else [(first, second)]
        if not all(isinstance(a, torch.Tensor) for a, _ in results):
            raise ShapeError(f"op {self.op!r} did not return tensors on symbolic inputs; use it eagerly instead")
        self.output_dtypes = [dtype_name(a.dtype) for a, _ in results]
        shapes = [tuple(m if m == n else None for m, n in zip(a.shape, b.shape)) for a, b in results]
        return shapes if many else shapes[0]

    def receptive_step(self, input_shape: Any) -> str | None:
        """Element-wise ops keep the receptive field; any other op may mix positions, so it counts as global."""
        return None if is_pointwise(self.op) else "global"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "op": self.op, "args": self.op_args, "kwargs": self.op_kwargs,
                "dtypes": self.dtypes}


__all__ = ["OpLayer"]
