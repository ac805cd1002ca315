"""``Sequential``: a stack of layers that becomes a functional graph as soon as its input shape is known.

Example:
    >>> from convlens.layers import Conv2D, MaxPooling2D, Flatten, Dense
    >>> model = Sequential()
    >>> model.add(Conv2D(10, (5, 5), activation="relu", input_shape=(28, 28, 1)))
    >>> model.add(MaxPooling2D((2, 2)))
    >>> model.layers[1].output_shape, model.layers[1].output.shape
    ((None, 12, 12, 10), (None, 12, 12, 10))
"""
from __future__ import annotations

from typing import Any, Iterable

from torch import nn

from convlens import saving
from convlens.layers import Input, InputLayer, KerasTensor, Layer
from convlens.layers.base import policy_config
from convlens.models.model import Functional


@saving.register_serializable(package="convlens")
class Sequential(Functional):
    """A linear stack of layers: ``Sequential([Conv2D(...), MaxPooling2D(...), ...])`` or ``add()`` one by one."""

    def __init__(self, layers: Iterable[Any] | None = None, name: str | None = None, trainable: bool = True,
                 dtype: Any = None) -> None:
        super(Functional, self).__init__(name=name, trainable=trainable, dtype=dtype)
        self._plan, self._nodes = [], []
        self._stack = nn.ModuleList()
        self._input: KerasTensor | None = None
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self) -> list[nn.Module]:
        return list(self._stack)

    def _register_layers(self, layers: list[Layer]) -> None:
        """The stack already holds the layers (the InputLayer has no weights)."""

    def add(self, layer: Any) -> None:
        """Append a layer; shapes are checked now if the input shape is known (a layer that does not fit is not
        kept, as in Keras)."""
        if isinstance(layer, InputLayer):
            layer = layer.output_tensor
        if isinstance(layer, KerasTensor):
            if len(self._stack):
                raise ValueError("Input(...) must come before the first layer of a Sequential")
            self._input = layer
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a convlens layer, got {type(layer).__name__}; wrap a torch module "
                            f"with convlens.models.Model.wrap(module, input_shape=…) first")
        if not len(self._stack) and self._input is None and getattr(layer, "declared_input_shape", None):
            self._input = Input(shape=layer.declared_input_shape)
        self._stack.append(layer)
        try:
            self._assign_names(list(self._stack))
            if self._input is not None:
                self._rebuild()
        except (ValueError, TypeError):
            del self._stack[-1]
            if self._input is not None and len(self._stack):
                self._rebuild()
            raise

    def _rebuild(self) -> None:
        """Call the layers on the input, one after another, and make that chain this model's graph."""
        mine = {id(node) for node in self._nodes}
        for layer in self._stack:
            layer._inbound_nodes = [n for n in layer._inbound_nodes if id(n) not in mine]
        x = self._input
        for layer in self._stack:
            x = layer(x)
        self._set_graph(self._input, x)

    def build(self, input_shape: tuple | None = None) -> None:
        """Build every layer for ``input_shape`` (batch axis first, ``None``)."""
        if input_shape is None:
            self._require_built("build")
            return
        shape = (None, *tuple(input_shape)[1:])
        if self._input is None or self._input.shape != shape:
            self._input = Input(batch_shape=shape)
        if len(self._stack):
            self._rebuild()

    def build_for(self, input_shape: Any) -> Any:
        if not self.built:
            self.build(input_shape)
        return super().build_for(input_shape)

    @property
    def input_shape(self) -> tuple | None:
        return self._input.shape if self._input is not None else None

    @input_shape.setter
    def input_shape(self, value: Any) -> None:
        """Set by the graph; a Sequential's input shape is its Input's."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "trainable": self.trainable, **policy_config(self),
                "input_shape": list(self.input_shape[1:]) if self.input_shape else None,
                "layers": [saving.serialize(layer) for layer in self._stack]}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> "Sequential":
        model = cls(name=config.get("name"), trainable=config.get("trainable", True), dtype=config.get("dtype"))
        if config.get("input_shape") is not None:
            model.add(Input(shape=tuple(config["input_shape"])))
        for entry in config["layers"]:
            model.add(saving.deserialize(entry, custom_objects))
        return model
