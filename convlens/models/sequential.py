"""``Sequential``: a plain stack of layers, built as soon as the input shape is known.

Example:
    >>> from convlens.layers import Conv2D, MaxPooling2D, Flatten, Dense
    >>> model = Sequential()
    >>> model.add(Conv2D(10, (5, 5), activation="relu", input_shape=(28, 28, 1)))
    >>> model.add(MaxPooling2D((2, 2)))
    >>> model.layers[1].output_shape
    (None, 12, 12, 10)
"""
from __future__ import annotations

from typing import Any, Iterable

import torch
from torch import nn

from convlens import layers as layer_lib
from convlens.layers import ActivatedLayer, Input, Layer
from convlens.layers.pooling import _Pooling
from convlens.models.model import Model


def _relu_then_max_pool(layer: nn.Module, following: nn.Module) -> bool:
    return (isinstance(following, _Pooling) and following.mode == "max"
            and getattr(layer, "activation", None) is torch.relu
            and isinstance(layer, ActivatedLayer)
            and not (layer._forward_hooks or following._forward_hooks or following._forward_pre_hooks))


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Conv2D(...), MaxPooling2D(...), ...])`` or ``add()`` one by one."""

    def __init__(self, layers: Iterable[Layer | Input] | None = None, name: str | None = None) -> None:
        super().__init__(name=name or "sequential")
        self._stack = nn.ModuleList()
        self.input_shape: tuple | None = None
        for layer in layers or ():
            self.add(layer)

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def add(self, layer: Layer | Input) -> None:
        """Append a layer; shapes are checked now if the input shape is known."""
        if isinstance(layer, Input):
            if self._stack:
                raise ValueError("Input(...) must come before the first layer")
            self.input_shape = layer.shape
            return
        if not isinstance(layer, nn.Module):
            raise TypeError(f"Sequential.add expects a layer (torch.nn.Module), got {type(layer).__name__}")
        if not self._stack and self.input_shape is None and getattr(layer, "declared_input_shape", None):
            self.input_shape = (None, *layer.declared_input_shape)
        self._assign_name(layer)
        self._stack.append(layer)
        if self.input_shape is not None:
            try:
                self.build(self.input_shape)
            except ValueError:
                del self._stack[-1]  # a layer that does not fit is not kept, as in Keras
                raise

    def _assign_name(self, layer: nn.Module) -> None:
        if not isinstance(layer, Layer):
            return
        taken = {existing.name for existing in self._stack if isinstance(existing, Layer)}
        if layer._name is None:
            base, number = layer.name, 1
            while f"{base}_{number}" in taken:
                number += 1
            layer.name = f"{base}_{number}"
        elif layer.name in taken:
            raise ValueError(f"layer name {layer.name!r} is already used in this model; names must be unique")

    def build(self, input_shape: tuple) -> None:
        """Create every layer's weights for ``input_shape`` (batch axis first, ``None``)."""
        shape = (None, *tuple(input_shape)[1:])
        self.input_shape = shape
        for layer in self._stack:
            shape = layer.build_for(shape) if isinstance(layer, Layer) else shape
        self.built = True

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        """Run the stack; ``activate=False`` skips the last layer's activation (logits for a fused loss)."""
        if not self.built:
            self.build((None, *x.shape[1:]))
        layers = list(self._stack)
        last = len(layers) - 1
        i = 0
        while i <= last:
            layer = layers[i]
            if i < last and _relu_then_max_pool(layer, layers[i + 1]):
                # max(relu(a), relu(b)) = relu(max(a, b)), gradients included: pooling first makes ReLU touch a
                # quarter of the values. Same numbers; skipped when a hook wants the layer's own output.
                x = layers[i + 1](layer(x, activate=False))
                x = x.relu_() if not torch.is_grad_enabled() else torch.relu(x)
                i += 2
                continue
            x = layer(x, activate=False) if (i == last and not activate) else layer(x)
            i += 1
        return x

    @property
    def output_activation(self) -> str | None:
        last = self._stack[-1] if len(self._stack) else None
        fn = getattr(last, "activation", None)
        return getattr(fn, "__name__", None) if fn is not None else None

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "input_shape": list(self.input_shape[1:]) if self.input_shape else None,
                "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                           for layer in self._stack]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Sequential":
        model = cls(name=config.get("name"))
        if config.get("input_shape") is not None:
            model.add(Input(shape=tuple(config["input_shape"])))
        for entry in config["layers"]:
            model.add(layer_lib.get(entry["class_name"]).from_config(dict(entry["config"])))
        return model
