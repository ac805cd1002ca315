"""Core layers: Dense, Flatten, Reshape, Dropout and the activation layers.

Example:
    >>> Flatten().compute_output_shape((None, 4, 4, 20))
    (None, 320)
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from convlens import activations, arithmetic, initializers, regularizers
from convlens.arithmetic import ParamCount
from convlens.layers.base import ActivatedLayer, Layer, Shape, regularizer_config


class Dense(ActivatedLayer):
    """Fully connected layer on the last axis: ``y = activation(x·W + b)``."""

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(activation=activation, **kwargs)
        if not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive int, got {units!r}")
        self.units = units
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self._regularizers = {"kernel": regularizers.get(kernel_regularizer),
                              "bias": regularizers.get(bias_regularizer)}

    def _in_features(self, input_shape: Shape) -> int:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise self.shape_error(input_shape, "Dense needs a known last axis (add Flatten() before it?)")
        return input_shape[-1]

    def build(self, input_shape: Shape) -> None:
        keras = self.kernel_initializer((self._in_features(input_shape), self.units))
        self.kernel = nn.Parameter(keras.t().contiguous())  # torch keeps (units, in)
        self.bias = nn.Parameter(self.bias_initializer((self.units,))) if self.use_bias else None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._in_features(input_shape)
        return (*input_shape[:-1], self.units)

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        y = F.linear(x, self.kernel, self.bias)
        return self.activate(y) if activate else y

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.dense_params(self._in_features(input_shape), self.units, self.use_bias)

    def receptive_step(self, input_shape: Shape) -> str | None:
        return "global" if len(input_shape) == 2 else None

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        positions = math.prod(d for d in input_shape[1:-1] if d is not None)
        return positions * arithmetic.dense_macs(input_shape[-1], self.units)

    def _to_keras(self, index: int, tensor: torch.Tensor) -> torch.Tensor:
        return tensor.t() if index == 0 else tensor

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        return array.t().contiguous() if index == 0 else array

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer), **regularizer_config(self)}


class Flatten(Layer):
    """Flatten each sample in ``(H, W, C)`` order, as Keras does (a plain reshape of channels-last memory).
    ``data_format="channels_first"`` (Keras's option for inputs laid out ``(N, C, H, W)``) moves axis 1 last first,
    so the weights that follow keep Keras's order."""

    def __init__(self, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
        self.data_format = data_format or "channels_last"

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.data_format == "channels_first" and x.dim() > 2:
            x = x.movedim(1, -1)
        return x.reshape(x.shape[0], -1)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        return {**config, "data_format": self.data_format} if self.data_format != "channels_last" else config

    def receptive_step(self, input_shape: Shape) -> str:
        return "global"


class Reshape(Layer):
    """Reshape each sample to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(f"target_shape may hold at most one -1, got {self.target_shape}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        size = math.prod(input_shape[1:]) if None not in input_shape[1:] else None
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size is None:
                return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
            if size % known:
                raise self.shape_error(input_shape, f"{size} values do not divide into {self.target_shape}")
            return (input_shape[0], *(size // known if d == -1 else d for d in self.target_shape))
        if size is not None and size != known:
            raise self.shape_error(input_shape, f"{size} values cannot be reshaped to {self.target_shape}")
        return (input_shape[0], *self.target_shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], *self.target_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "target_shape": list(self.target_shape)}


class Dropout(Layer):
    """Zero a fraction ``rate`` of the inputs while training, scaling the rest by ``1 / (1 - rate)``.

    ``noise_shape`` shares one mask along the axes where it is 1 (Keras's meaning; ``None`` entries follow the
    input); ``seed`` gives the layer its own random generator, so its masks do not depend on torch's global one.
    """

    uses_training = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._generators: dict[torch.device, torch.Generator] = {}

    def _generator(self, device: torch.device) -> torch.Generator | None:
        if self.seed is None:
            return None
        if device not in self._generators:
            self._generators[device] = torch.Generator(device).manual_seed(int(self.seed))
        return self._generators[device]

    def forward(self, x: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        if not self.rate or not self._call_mode(training):
            return x
        if self.noise_shape is None and self.seed is None:
            return F.dropout(x, self.rate, True)
        shape = x.shape if self.noise_shape is None else \
            tuple(d if n is None else n for n, d in zip(self.noise_shape, x.shape))
        keep = torch.rand(shape, generator=self._generator(x.device), device=x.device) >= self.rate
        return x * keep.to(x.dtype) / (1.0 - self.rate)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": list(self.noise_shape) if self.noise_shape is not None else None, "seed": self.seed}


class Activation(ActivatedLayer):
    """Apply an activation by name: ``Activation('relu')``."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(activation=activation, **kwargs)

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        return self.activation(x) if activate else x


class ReLU(Layer):
    """``max(x, 0)``, or Keras's general form with ``max_value``, ``negative_slope`` and ``threshold``."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0, threshold: float = 0.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.negative_slope == 0 and self.threshold == 0:
            y = torch.relu(x)
        else:
            y = torch.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold))
        return y.clamp(max=self.max_value) if self.max_value is not None else y

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class ELU(Layer):
    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.elu(x, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha}


class LeakyReLU(Layer):
    """Keras 3's ``negative_slope=0.3``; Keras 2's ``alpha=`` is accepted too."""

    def __init__(self, negative_slope: float = 0.3, alpha: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.negative_slope = negative_slope if alpha is None else alpha

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class Softmax(Layer):
    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        return torch.softmax(x, dim=self.axis) if activate else x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}

    @property
    def activation(self):  # lets the engine see "ends with softmax" as for Dense(..., activation='softmax')
        return activations.softmax


__all__ = ["Dense", "Flatten", "Reshape", "Dropout", "Activation", "ReLU", "ELU", "LeakyReLU", "Softmax"]
