"""Batch normalization with Keras's meaning of ``momentum`` and ``epsilon``.

Example:
    >>> BatchNormalization().param_count((None, 8, 8, 64)).non_trainable
    128
"""
from __future__ import annotations

from typing import Any

import torch
import torch.distributed as dist
import torch.distributed.nn as dist_nn
import torch.nn.functional as F
from torch import nn

from convlens import arithmetic, initializers
from convlens.arithmetic import ParamCount
from convlens.layers.base import Layer, Shape


class BatchNormalization(Layer):
    """Normalize the last (channel) axis.

    Keras's ``momentum=0.99`` is the weight of the *old* moving statistics; torch's momentum is the weight of the
    new batch, so torch gets ``1 - momentum``. As in Keras, a frozen layer (``trainable=False``) runs in inference
    mode: it normalizes with the moving statistics and never updates them. ``synchronized=True`` (Keras's argument)
    computes the batch statistics over all processes of a torchrun run, on the CPU too (one all-reduce of the
    per-channel sums); on one process it is plain batch normalization.
    """

    uses_training = True

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 synchronized: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.synchronized = bool(synchronized)
        if axis not in (-1,):
            raise ValueError(f"BatchNormalization normalizes the channels-last axis: axis must be -1, got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1], got {momentum!r}")
        self.axis, self.momentum, self.epsilon, self.center, self.scale = axis, momentum, epsilon, center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape: Shape) -> None:
        channels = input_shape[-1]
        if channels is None:
            raise self.shape_error(input_shape, "the channel axis must be known")
        self.gamma = nn.Parameter(self.gamma_initializer((channels,))) if self.scale else None
        self.beta = nn.Parameter(self.beta_initializer((channels,))) if self.center else None
        self.register_buffer("moving_mean", self.moving_mean_initializer((channels,)))
        self.register_buffer("moving_variance", self.moving_variance_initializer((channels,)))

    def forward(self, x: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        batch_statistics = self._call_mode(training) and self.trainable
        if batch_statistics and self.synchronized and dist.is_available() and dist.is_initialized() and \
                dist.get_world_size() > 1:
            return self._synchronized_batch_norm(x)
        y = F.batch_norm(x.movedim(-1, 1), self.moving_mean, self.moving_variance, self.gamma, self.beta,
                         batch_statistics, 1.0 - self.momentum, self.epsilon)
        return y.movedim(1, -1)

    def _synchronized_batch_norm(self, x: torch.Tensor) -> torch.Tensor:
        """Batch statistics summed over all processes (differentiably), then the moving statistics updated as
        torch does (unbiased variance)."""
        channels = x.shape[-1]
        flat = x.reshape(-1, channels).float()
        count = torch.full((1,), float(flat.shape[0]), device=flat.device)
        totals = dist_nn.all_reduce(torch.cat([flat.sum(0), flat.square().sum(0), count]))
        n = totals[-1]
        mean = totals[:channels] / n
        var = (totals[channels:2 * channels] / n - mean.square()).clamp(min=0)
        with torch.no_grad():
            new = 1.0 - self.momentum
            self.moving_mean.mul_(self.momentum).add_(new * mean)
            self.moving_variance.mul_(self.momentum).add_(new * var * n / (n - 1).clamp(min=1))
        y = (x.float() - mean) * torch.rsqrt(var + self.epsilon)
        if self.gamma is not None:
            y = y * self.gamma
        if self.beta is not None:
            y = y + self.beta
        return y.to(x.dtype)

    def weight_tensors(self) -> list[torch.Tensor]:
        return [t for t in (self.gamma, self.beta, self.moving_mean, self.moving_variance) if t is not None]

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.batch_norm_params(input_shape[-1], self.center, self.scale)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "synchronized": self.synchronized}


__all__ = ["BatchNormalization"]
