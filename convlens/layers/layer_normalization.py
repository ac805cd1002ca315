"""``LayerNormalization``: normalize each sample over its feature axes, with Keras's ``epsilon=1e-3``.

Example:
    >>> import torch
    >>> y = LayerNormalization()(torch.tensor([[1.0, 2.0, 3.0]]))
    >>> [round(v, 3) for v in y[0].tolist()]
    [-1.224, 0.0, 1.224]
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from convlens import arithmetic, initializers, regularizers
from convlens.arithmetic import ParamCount
from convlens.layers.base import Layer, Shape


class LayerNormalization(Layer):
    """``(x - mean) / sqrt(var + epsilon) · γ + β`` with mean and (biased) variance over ``axis`` of each sample;
    γ and β hold one value per element of ``axis`` (weights ``[gamma, beta]`` in Keras's order)."""

    def __init__(self, axis: int | Sequence[int] = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, int) and not isinstance(axis, bool):
            self.axis: tuple[int, ...] = (axis,)
        elif isinstance(axis, (tuple, list)) and axis and all(isinstance(a, int) for a in axis):
            self.axis = tuple(axis)
        else:
            raise ValueError(f"axis must be an int or a non-empty list of ints, got {axis!r}")
        if not epsilon > 0:
            raise ValueError(f"epsilon must be positive, got {epsilon!r}")
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self._regularizers = {"gamma": regularizers.get(gamma_regularizer),
                              "beta": regularizers.get(beta_regularizer)}

    def _axes(self, input_shape: Shape) -> tuple[int, ...]:
        rank = len(input_shape)
        if any(not -rank < a < rank or a % rank == 0 for a in self.axis):
            raise self.shape_error(input_shape, f"axis {self.axis} must name non-batch axes of a rank-{rank} input")
        axes = tuple(sorted({a % rank for a in self.axis}))
        if any(input_shape[a] is None for a in axes):
            raise self.shape_error(input_shape, f"the normalized axes {axes} must have known sizes")
        return axes

    def build(self, input_shape: Shape) -> None:
        self._normalized = self._axes(input_shape)
        shape = tuple(input_shape[a] for a in self._normalized)
        self._trailing = self._normalized == tuple(range(len(input_shape) - len(shape), len(input_shape)))
        self._broadcast = [input_shape[d] if d in self._normalized else 1 for d in range(len(input_shape))]
        self.gamma = nn.Parameter(self.gamma_initializer(shape)) if self.scale else None
        self.beta = nn.Parameter(self.beta_initializer(shape)) if self.center else None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._axes(input_shape)
        return tuple(input_shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._trailing:  # the usual case (the channel axis): one fused kernel
            return F.layer_norm(x, x.shape[x.ndim - len(self._normalized):], self.gamma, self.beta, self.epsilon)
        var, mean = torch.var_mean(x, dim=self._normalized, unbiased=False, keepdim=True)
        y = (x - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma.reshape(self._broadcast[1:])
        if self.beta is not None:
            y = y + self.beta.reshape(self._broadcast[1:])
        return y

    def weight_tensors(self) -> list[torch.Tensor]:
        return [t for t in (self.gamma, self.beta) if t is not None]

    def param_count(self, input_shape: Shape) -> ParamCount:
        shape = [input_shape[a] for a in self._axes(input_shape)]
        return arithmetic.layer_norm_params(shape, self.center, self.scale)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": list(self.axis), "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                **{f"{k}_regularizer": regularizers.serialize(v) for k, v in self._regularizers.items()}}


__all__ = ["LayerNormalization"]
