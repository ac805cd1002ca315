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

import contextlib
import re
from typing import Any, Iterator, Sequence

import numpy as np
import torch
from torch import nn

from convlens import activations, arithmetic, dtype_policies, regularizers
from convlens.arithmetic import ParamCount, ShapeError
from convlens.layers.symbolic import KerasTensor, is_symbolic, symbolic_call

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


def _device_type(x: Any) -> str:
    """The device type of the first tensor in ``x`` (a tensor, or a list/tuple/dict of them)."""
    if torch.is_tensor(x):
        return x.device.type
    values = x.values() if isinstance(x, dict) else x if isinstance(x, (list, tuple)) else ()
    for value in values:
        if torch.is_tensor(value):
            return value.device.type
    return "cpu"


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
        self._dtype_policy = dtype_policies.get(dtype)  # Keras: the global policy when dtype= is not given
        self._dtype_given = dtype is not None
        self.built = False
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        self._inbound_nodes: list = []  # one Node per call on symbolic tensors

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
    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """Run the layer on tensors, or record a node when called on symbolic tensors (``Input(...)``).

        ``training=`` reaches layers that use it (Dropout, BatchNormalization, Random*, models) and is ignored by
        the rest, as in Keras.
        """
        if is_symbolic(x):
            return symbolic_call(self, x, kwargs)
        if not self.uses_training:
            kwargs.pop("training", None)
        if not self.built:
            self.build_for(batch_shape(x))
        policy = self._dtype_policy
        if torch.is_tensor(x):  # the common case, kept short: it runs once per layer per batch
            device_type = x.device.type
            if not policy.is_mixed and x.dtype != torch.float32 and x.is_floating_point():
                x = x.float()  # a float32 layer takes float32 inputs, as Keras casts them
        else:
            device_type = _device_type(x)
            if not policy.is_mixed:
                x = dtype_policies.to_float32(x)
        scope = dtype_policies.scope(policy, device_type)
        if scope is None:  # already computing as this layer's policy says (the usual case, and the fast one)
            return super().__call__(x, *args, **kwargs)
        with scope:
            return super().__call__(x, *args, **kwargs)

    # --- precision (Keras's dtype policies) -------------------------------------------------------------------
    @property
    def dtype_policy(self) -> dtype_policies.DTypePolicy:
        """The layer's policy: weights in ``variable_dtype`` (float32), computation in ``compute_dtype``."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        self._dtype_policy = dtype_policies.get(value)
        self._dtype_given = True

    @property
    def compute_dtype(self) -> str:
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._dtype_policy.variable_dtype

    @property
    def dtype(self) -> str:
        """Keras's ``layer.dtype``: the dtype of the weights."""
        return self._dtype_policy.variable_dtype

    def _call_mode(self, training: bool | None) -> bool:
        """Whether this call runs in training mode: an explicit ``training=`` wins over ``self.training``."""
        return self.training if training is None else bool(training)

    # --- the graph this layer was called in --------------------------------------------------------------------
    def _node_attribute(self, attribute: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"layer {self.name!r} has not been called on symbolic inputs yet, so it has no "
                                 f"{attribute}; put it in a model with a known input shape first")
        node = self._inbound_nodes[0]
        tensors = node.output_tensors if attribute == "output" else node.input_tensors
        if attribute == "input" and node.multi_input:
            return list(tensors)
        return tensors[0] if len(tensors) == 1 else list(tensors)

    @property
    def input(self) -> KerasTensor | list[KerasTensor]:
        """The symbolic input of this layer's first call (as Keras's ``layer.input``)."""
        return self._node_attribute("input")

    @property
    def output(self) -> KerasTensor | list[KerasTensor]:
        """The symbolic output of this layer's first call: ``Model(base.input, base.get_layer(n).output)``."""
        return self._node_attribute("output")

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
        """Freeze or unfreeze this layer and every layer inside it, as Keras does."""
        for module in self.modules():
            if isinstance(module, Layer):
                module._trainable = bool(value)
        for p in self.parameters():
            p.requires_grad_(bool(value))

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

    def weight_names(self) -> list[str]:
        """Keras's names of ``weight_tensors()`` (``kernel``, ``bias``, ``gamma``, ``moving_mean`` …)."""
        by_identity = {id(t): n for n, t in (*self._parameters.items(), *self._buffers.items()) if t is not None}
        return [by_identity.get(id(t), f"weight_{i}") for i, t in enumerate(self.weight_tensors())]

    @property
    def weights(self) -> list["Weight"]:
        """Every weight (trainable ones first within the layer, as Keras orders them), with Keras layouts."""
        return [Weight(self, i, n) for i, n in enumerate(self.weight_names())]

    @property
    def trainable_weights(self) -> list["Weight"]:
        return [w for w in self.weights if w.trainable]

    @property
    def non_trainable_weights(self) -> list["Weight"]:
        return [w for w in self.weights if not w.trainable]

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        return tensor

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        return array

    def get_weights(self) -> list[np.ndarray]:
        """Weights as NumPy arrays in Keras layouts, e.g. a Conv2D kernel ``(k_h, k_w, C_in, filters)``."""
        return [self._to_keras(i, t.detach()).cpu().numpy().copy() for i, t in enumerate(self.weight_tensors())]

    def count_params(self) -> int:
        """Number of weights, moving statistics included (as Keras counts them)."""
        return sum(int(np.prod(t.shape)) for t in self.weight_tensors())

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
        config: dict[str, Any] = {"name": self.name, "trainable": self.trainable, **policy_config(self)}
        if self.declared_input_shape is not None:
            config["input_shape"] = list(self.declared_input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Layer":
        return cls(**config)


class Weight:
    """One of a layer's weights seen as Keras shows it: ``.numpy()`` and ``.shape`` in Keras's layout, ``.name``,
    ``.path`` (``conv2d_1/kernel``), ``.trainable`` and ``.assign(value)``.

    Example:
        >>> from convlens.layers import Conv2D
        >>> layer = Conv2D(4, 3); _ = layer.build_for((None, 8, 8, 2))
        >>> [(w.name, w.shape) for w in layer.weights]
        [('kernel', (3, 3, 2, 4)), ('bias', (4,))]
    """

    def __init__(self, layer: Layer, index: int, name: str) -> None:
        self.layer, self.index, self.name = layer, index, name

    @property
    def value(self) -> torch.Tensor:
        """The torch tensor itself (torch layout), e.g. to hand to a torch optimizer."""
        return self.layer.weight_tensors()[self.index]

    @property
    def path(self) -> str:
        return f"{self.layer.name}/{self.name}"

    @property
    def trainable(self) -> bool:
        tensor = self.value
        return isinstance(tensor, nn.Parameter) and tensor.requires_grad

    def numpy(self) -> np.ndarray:
        return self.layer._to_keras(self.index, self.value.detach()).cpu().numpy().copy()

    @property
    def shape(self) -> tuple:
        return tuple(self.layer._to_keras(self.index, self.value.detach()).shape)

    def assign(self, value: Any) -> None:
        weights = self.layer.get_weights()
        weights[self.index] = np.asarray(value)
        self.layer.set_weights(weights)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype)

    def __repr__(self) -> str:
        return f"<Weight path={self.path}, shape={self.shape}, trainable={self.trainable}>"


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


def policy_config(layer: Layer) -> dict[str, str]:
    """``{"dtype": name}`` for a config, when the layer's policy is mixed or was chosen by ``dtype=``; default
    float32 layers keep the configs (and files) they always had."""
    if layer._dtype_policy.is_mixed or layer._dtype_given:
        return {"dtype": layer._dtype_policy.name}
    return {}


def set_model_policy(module: nn.Module, policy: Any) -> None:
    """Give ``policy`` to every convlens layer in ``module`` (itself included) that was not made with a ``dtype=``
    of its own: ``compile(precision=…)`` for a whole model, explicit per-layer choices kept (Keras's float32 head)."""
    policy = dtype_policies.get(policy)
    for layer in module.modules():
        if isinstance(layer, Layer) and not layer._dtype_given:
            layer._dtype_policy = policy


@contextlib.contextmanager
def float32_policies(module: nn.Module) -> Iterator[None]:
    """Run every convlens layer of ``module`` in float32 inside the block, then give each its policy back: an ONNX
    file is a float32 graph, whatever policy the model trains in."""
    saved = [(layer, layer._dtype_policy) for layer in module.modules() if isinstance(layer, Layer)]
    float32 = dtype_policies.DTypePolicy("float32")
    try:
        for layer, _ in saved:
            layer._dtype_policy = float32
        yield
    finally:
        for layer, policy in saved:
            layer._dtype_policy = policy


def regularizer_config(layer: Layer) -> dict[str, Any]:
    return {f"{attr.removesuffix('_kernel')}_regularizer": regularizers.serialize(reg)
            for attr, reg in layer._regularizers.items()}
