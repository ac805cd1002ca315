"""The weights of a network of layers, in Keras order: ``get_weights``/``set_weights``/``weights``/``count_params``
written once, for the functional graph and for every ``Model`` (subclassed ones included).

Example:
    >>> from convlens.graph import Functional
    >>> from convlens.layers import Dense, Input
    >>> x = Input(shape=(3,))
    >>> net = Functional(x, Dense(2)(x))
    >>> [w.shape for w in net.get_weights()], net.count_params()
    ([(3, 2), (2,)], 8)
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from convlens.layers import InputLayer, Layer


def layer_weights(layer: nn.Module) -> list[np.ndarray]:
    """A convlens layer's ``get_weights()``; a plain torch module's parameters then buffers, as NumPy copies."""
    if hasattr(layer, "get_weights"):
        return layer.get_weights()
    return [t.detach().cpu().numpy().copy() for t in (*layer.parameters(), *layer.buffers())]


def set_layer_weights(layer: nn.Module, weights: list[np.ndarray]) -> None:
    """The inverse of :func:`layer_weights`."""
    if hasattr(layer, "set_weights"):
        layer.set_weights(weights)
        return
    with torch.no_grad():
        for target, value in zip((*layer.parameters(), *layer.buffers()), weights):
            target.copy_(torch.as_tensor(np.asarray(value)))


class NetworkWeights:
    """Mixin for anything with ``name`` and ``layers``: its weights are its layers' weights, layer after layer
    (input layers have none), in Keras layouts."""

    name: str
    layers: list[nn.Module]

    def _weight_layers(self) -> list[nn.Module]:
        return [layer for layer in self.layers if not isinstance(layer, InputLayer)]

    def get_weights(self) -> list[np.ndarray]:
        """All weights in Keras layouts, layer by layer (as ``model.get_weights()`` in Keras)."""
        return [w for layer in self._weight_layers() for w in layer_weights(layer)]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Load weights in Keras layouts and order (as ``get_weights()`` returns them); all or nothing."""
        weights = list(weights)
        current = self.get_weights()
        if len(weights) != len(current):
            raise ValueError(f"model {self.name!r} has {len(current)} weight arrays, got {len(weights)}")
        for i, (old, new) in enumerate(zip(current, weights)):
            if tuple(np.shape(new)) != old.shape:
                raise ValueError(f"model {self.name!r} weight {i}: expected shape {old.shape}, got "
                                 f"{tuple(np.shape(new))}; nothing was changed")
        start = 0
        for layer in self._weight_layers():
            count = len(layer_weights(layer))
            set_layer_weights(layer, weights[start:start + count])
            start += count

    @property
    def weights(self) -> list:
        """Every layer's ``Weight`` handles (``.numpy()``, ``.path``, ``.assign``), in ``get_weights()`` order."""
        return [w for layer in self._weight_layers() if isinstance(layer, Layer) for w in layer.weights]

    def count_params(self) -> int:
        """Number of weights, moving statistics included (as Keras counts them)."""
        return sum(w.size for w in self.get_weights())
