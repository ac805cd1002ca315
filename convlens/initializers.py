"""Keras weight initializers. Each returns a tensor in the *Keras* layout of the shape it is given, with Keras's
fan-in / fan-out rules (a conv kernel ``(k_h, k_w, C_in, filters)`` has fan_in ``k_h·k_w·C_in``).

Example:
    >>> get("zeros")((2, 3)).sum().item()
    0.0
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

import torch

Initializer = Callable[[Sequence[int]], torch.Tensor]


def compute_fans(shape: Sequence[int]) -> tuple[int, int]:
    """Keras's fans: the last two axes are (in, out), the others form the receptive field."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def _uniform(shape: Sequence[int], limit: float) -> torch.Tensor:
    return torch.empty(tuple(shape)).uniform_(-limit, limit)


def _truncated_normal(shape: Sequence[int], stddev: float) -> torch.Tensor:
    # Keras divides by .8796 so that the truncated (±2σ) normal still has the intended standard deviation.
    std = stddev / 0.87962566103423978
    return torch.nn.init.trunc_normal_(torch.empty(tuple(shape)), std=std, a=-2 * std, b=2 * std)


def glorot_uniform(shape: Sequence[int]) -> torch.Tensor:
    fan_in, fan_out = compute_fans(shape)
    return _uniform(shape, math.sqrt(6.0 / (fan_in + fan_out)))


def glorot_normal(shape: Sequence[int]) -> torch.Tensor:
    fan_in, fan_out = compute_fans(shape)
    return _truncated_normal(shape, math.sqrt(2.0 / (fan_in + fan_out)))


def he_uniform(shape: Sequence[int]) -> torch.Tensor:
    return _uniform(shape, math.sqrt(6.0 / compute_fans(shape)[0]))


def he_normal(shape: Sequence[int]) -> torch.Tensor:
    return _truncated_normal(shape, math.sqrt(2.0 / compute_fans(shape)[0]))


def lecun_normal(shape: Sequence[int]) -> torch.Tensor:
    return _truncated_normal(shape, math.sqrt(1.0 / compute_fans(shape)[0]))


def random_uniform(shape: Sequence[int], minval: float = -0.05, maxval: float = 0.05) -> torch.Tensor:
    return torch.empty(tuple(shape)).uniform_(minval, maxval)


def random_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 0.05) -> torch.Tensor:
    return torch.empty(tuple(shape)).normal_(mean, stddev)


def zeros(shape: Sequence[int]) -> torch.Tensor:
    return torch.zeros(tuple(shape))


def ones(shape: Sequence[int]) -> torch.Tensor:
    return torch.ones(tuple(shape))


_INITIALIZERS: dict[str, Initializer] = {fn.__name__: fn for fn in (
    glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_normal, random_uniform, random_normal, zeros, ones)}


_ALIASES = {"uniform": "random_uniform", "normal": "random_normal"}  # Keras's short names (Embedding's default)


def get(identifier: str | Initializer) -> Initializer:
    """Return the initializer for a Keras name (``'glorot_uniform'``, ``'he_normal'`` …) or a callable."""
    if callable(identifier):
        return identifier
    name = _ALIASES.get(identifier.lower(), identifier.lower()) if isinstance(identifier, str) else None
    if name in _INITIALIZERS:
        return _INITIALIZERS[name]
    raise ValueError(f"unknown initializer {identifier!r}; expected one of {sorted(_INITIALIZERS)} or a callable")


def serialize(initializer: Initializer) -> str:
    return getattr(initializer, "__name__", repr(initializer))
