"""The layer base class: a small ``torch.nn.Module`` that knows its Keras config, shapes and arithmetic.

Every layer takes and returns channels-last tensors. Parameters are created in ``build(input_shape)``, either when a
model is given an input shape or lazily on the first call.

Example:
    >>> from convlens.layers import Dense
    >>> layer = Dense(4)
    >>> layer.compute_output_shape((None, 3))
    (None, 4)
"""
from __future__ import annotations

import re
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from convlens import activations, arithmetic, regularizers
from convlens.arithmetic import ParamCount, ShapeError

Shape = tuple  # a full shape with the batch dimension, which is None


def snake_case(name: str) -> str:
    """``MaxPooling2D`` → ``max_pooling2d``, as Keras names layers."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def to_channels_first(x: torch.Tensor) -> torch.Tensor:
    """View ``(N, *spatial, C)`` as ``(N, C, *spatial)``; no copy, the memory stays channels_last."""
    return x.movedim(-1, 1)


def to_channels_last(x: torch.Tensor) -> torch.Tensor:
    """View ``(N, C, *spatial)`` as ``(N, *spatial, C)``; contiguous when torch kept the channels_last format."""
    return x.movedim(1, -1)


def batch_shape(x: torch.Tensor | Sequence[torch.Tensor]) -> Shape | list[Shape]:
    """The Keras shape of a tensor, ``(None, *x.shape[1:])``, or a list of them for multi-input layers."""
    if isinstance(x, (list, tuple)):
        return [batch_shape(t) for t in x]
    return (None, *x.shape[1:])


class Layer(nn.Module):
    """Base of every convlens layer.

    Subclasses override ``build``, ``forward``, ``compute_output_shape`` and, where they have any, ``param_count``,
    ``receptive_step``, ``macs`` and the Keras weight layout (``_to_keras`` / ``_from_keras``).

    Layers that behave differently in training (Dropout, BatchNormalization, Random*) set ``uses_training = True``
    and take ``forward(x, training=None)``; ``None`` means "follow ``self.training``". Multi-input layers (Add,
    Concatenate) take a list of tensors in ``forward`` and a list of shapes in ``build``/``compute_output_shape``.
    """

    uses_training = False

    def __init__(self, *, name: str | None = None, input_shape: Sequence[int | None] | None = None,
                 trainable: bool = True, dtype: Any = None, input_dim: int | None = None,
                 batch_input_shape: Sequence[int | None] | None = None) -> None:
        super().__init__()
        self._name = name
        if input_dim is not None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            input_shape = tuple(batch_input_shape)[1:]
        self.declared_input_shape: tuple | None = tuple(input_shape) if input_shape is not None else None
        self._trainable = trainable
        self.built = False
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None

    # --- naming ---------------------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name or snake_case(type(self).__name__)

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    def extra_repr(self) -> str:
        return f"name={self.name!r}"

    # --- building -------------------------------------------------------------------------------------------------
    def __call__(self, x: torch.Tensor | list[torch.Tensor], *args: Any, **kwargs: Any) -> torch.Tensor:
        if not self.built:
            self.build_for(batch_shape(x))
        return super().__call__(x, *args, **kwargs)

    def build_for(self, input_shape: Shape) -> Shape:
        """Check the input shape, create the parameters and return the output shape."""
        input_shape = tuple(input_shape)
        output_shape = self.compute_output_shape(input_shape)
        if not self.built:
            self.build(input_shape)
            self.built = True
            self.trainable = self._trainable
        self.input_shape, self.output_shape = input_shape, output_shape
        return output_shape

    def build(self, input_shape: Shape) -> None:
        """Create the parameters for ``input_shape``; layers without weights need nothing."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def shape_error(self, input_shape: Shape, why: str) -> ShapeError:
        return ShapeError(f"layer {self.name!r} ({type(self).__name__}) cannot take input shape {input_shape}: {why}")

    def expect_rank(self, input_shape: Shape, rank: int, layout: str) -> None:
        if len(input_shape) != rank:
            raise self.shape_error(input_shape, f"expected rank {rank} {layout} (batch first, channels last)")

    # --- trainability ---------------------------------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for p in self.parameters():
            p.requires_grad_(self._trainable)

    # --- arithmetic (from convlens.arithmetic) ---------------------------------------------------------------------
    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.NO_PARAMS

    def receptive_step(self, input_shape: Shape) -> list[tuple[int, int, int, int]] | str | None:
        """Per spatial dimension ``(kernel, stride, pad_before, dilation)``; ``None`` for pointwise layers and
        ``'global'`` for layers whose every output sees the whole input."""
        return None

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return 0

    # --- weights in Keras layouts ---------------------------------------------------------------------------------
    def weight_tensors(self) -> list[torch.Tensor]:
        """Parameters and buffers in Keras's ``get_weights()`` order (torch layouts)."""
        return [p for p in self.parameters()]

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        return tensor

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        return array

    def get_weights(self) -> list[np.ndarray]:
        """Weights as NumPy arrays in Keras layouts, e.g. a Conv2D kernel ``(k_h, k_w, C_in, filters)``."""
        return [self._to_keras(i, t.detach()).cpu().numpy().copy() for i, t in enumerate(self.weight_tensors())]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Load weights given in Keras layouts."""
        targets = self.weight_tensors()
        if len(weights) != len(targets):
            raise ValueError(f"layer {self.name!r} has {len(targets)} weight arrays, got {len(weights)}")
        with torch.no_grad():
            for i, (target, array) in enumerate(zip(targets, weights)):
                value = self._from_keras(i, torch.as_tensor(np.asarray(array), dtype=target.dtype))
                if tuple(value.shape) != tuple(target.shape):
                    expected = tuple(self._to_keras(i, target).shape)
                    raise ValueError(f"layer {self.name!r} weight {i}: expected shape {expected}, "
                                     f"got {tuple(np.shape(array))}")
                target.copy_(value)

    # --- regularization -------------------------------------------------------------------------------------------
    def regularization_loss(self) -> torch.Tensor | None:
        """Sum of this layer's weight penalties, or ``None`` when it has none."""
        total = None
        for attr, reg in getattr(self, "_regularizers", {}).items():
            tensor = getattr(self, attr, None)
            if reg is not None and tensor is not None:
                total = reg(tensor) if total is None else total + reg(tensor)
        return total

    # --- config ---------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        return cls(**config)


class ActivatedLayer(Layer):
    """A layer with a Keras ``activation=`` argument; ``forward(x, activate=False)`` gives pre-activations, which
    lets the training engine fuse softmax with cross-entropy."""

    def __init__(self, activation: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def activate(self, y: torch.Tensor) -> torch.Tensor:
        """Apply the activation; in place for ReLU when no gradient is recorded (inference allocates less)."""
        if self.activation is torch.relu and not torch.is_grad_enabled():
            return y.relu_()
        return self.activation(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


def regularizer_config(layer: Layer) -> dict[str, Any]:
    return {f"{attr.removesuffix('_kernel')}_regularizer": regularizers.serialize(reg)
            for attr, reg in layer._regularizers.items()}
