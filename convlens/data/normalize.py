"""Per-channel standard-score normalisation, with statistics computed in chunks (no float copy of the dataset).

Example:
    >>> import torch
    >>> x = torch.rand(10, 4, 4, 3)
    >>> mean, std = channel_stats(x)
    >>> z = standardize(x, mean, std, epsilon=0.0)
    >>> bool(z.mean(dim=(0, 1, 2)).abs().max() < 1e-5)
    True
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch


def channel_stats(images: torch.Tensor | np.ndarray, chunk: int = 4096,
                  transform: Callable[[torch.Tensor], torch.Tensor] | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (population) standard deviation per channel of ``(N, H, W, C)`` data, in float32.

    Accumulates in float64 over chunks of ``chunk`` images, so a uint8 CIFAR-10 never becomes a float array.
    ``transform`` (e.g. rescaling or augmentation) is applied to each float32 chunk first.
    Example: see the module docstring.
    """
    x = torch.as_tensor(images)
    if x.ndim != 4:
        raise ValueError(f"images must be (N, H, W, C); got shape {tuple(x.shape)}.")
    if x.shape[0] == 0:
        raise ValueError("images is empty; cannot compute statistics of zero images.")
    total = torch.zeros(x.shape[-1], dtype=torch.float64)
    total_sq = torch.zeros_like(total)
    for start in range(0, x.shape[0], chunk):
        part = x[start:start + chunk].float()
        part = (part if transform is None else transform(part)).double()
        total += part.sum(dim=(0, 1, 2))
        total_sq += (part * part).sum(dim=(0, 1, 2))
    count = x.shape[0] * x.shape[1] * x.shape[2]
    mean = total / count
    var = (total_sq / count - mean * mean).clamp_min(0.0)
    return mean.float(), var.sqrt().float()


def standardize(images: torch.Tensor, mean: torch.Tensor, std: torch.Tensor,
                epsilon: float = 1e-6) -> torch.Tensor:
    """``(images - mean) / (std + epsilon)`` per channel (Keras adds ``1e-6`` to the std). Example: module doc."""
    return (images - mean.to(images.dtype)) / (std.to(images.dtype) + epsilon)
