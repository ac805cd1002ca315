"""``Input(shape=...)``: the symbolic start of a functional model, and the ``InputLayer`` behind it.

Example:
    >>> x = Input(shape=(28, 28, 1), name="digits")
    >>> x.shape, x.node.layer.name
    ((None, 28, 28, 1), 'digits')
"""
from __future__ import annotations

from typing import Any, Sequence

from convlens.layers.base import Layer, Shape
from convlens.layers.operation import OpLayer
from convlens.layers.symbolic import KerasTensor, Node


class InputLayer(Layer):
    """The layer behind ``Input(...)``: it holds the input's shape and passes values through."""

    def __init__(self, shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 name: str | None = None, dtype: Any = None, batch_shape: Sequence[int | None] | None = None,
                 **kwargs: Any) -> None:
        if shape is None and batch_shape is None:
            raise ValueError("Input needs shape=(…), the shape of one sample without the batch axis")
        if shape is not None and (isinstance(shape, int) or not all(d is None or (isinstance(d, int) and d > 0)
                                                                   for d in shape)):
            raise ValueError(f"Input shape must be a tuple of positive ints (or None), got {shape!r}; e.g. "
                             f"shape=(28, 28, 1)")
        super().__init__(name=name, **kwargs)
        full = (batch_size, *shape) if shape is not None else tuple(batch_shape)
        self.batch_shape: Shape = (None, *full[1:])
        self.built = True
        self.input_shape = self.output_shape = self.batch_shape
        self.output_tensor = KerasTensor(self.batch_shape, name=name, op_layer=OpLayer)
        Node(self, [], [self.output_tensor], {})
        self._inbound_nodes.append(self.output_tensor.node)

    @property
    def shape(self) -> Shape:
        return self.batch_shape

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return self.batch_shape

    def forward(self, x: Any) -> Any:
        return x

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "batch_shape": list(self.batch_shape)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "InputLayer":
        return cls(batch_shape=config["batch_shape"], name=config.get("name"))


def Input(shape: Sequence[int | None] | None = None, batch_size: int | None = None, name: str | None = None,
          dtype: Any = None, batch_shape: Sequence[int | None] | None = None) -> KerasTensor:
    """A symbolic input of one sample's ``shape`` (no batch axis): ``Input(shape=(28, 28, 1))``."""
    return InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                      batch_shape=batch_shape).output_tensor
