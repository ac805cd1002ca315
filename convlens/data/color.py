"""Batched photometric changes: brightness, contrast and Keras's channel shift.

Example:
    >>> import torch
    >>> adjust_brightness(torch.full((1, 2, 2, 3), 100.0), 1.5).max().item()
    150.0
"""
from __future__ import annotations

import torch

from convlens.data.affine import uniform


def _per_image(values: torch.Tensor | float, images: torch.Tensor) -> torch.Tensor:
    v = torch.as_tensor(values, dtype=images.dtype)
    return v.reshape(-1, 1, 1, 1) if v.ndim == 1 else v


def adjust_brightness(images: torch.Tensor, factor: torch.Tensor | float,
                      max_value: float | None = 255.0) -> torch.Tensor:
    """Multiply pixels by ``factor`` (a number or one per image) and clip to ``[0, max_value]``, like Keras.

    Example: see the module docstring.
    """
    out = images * _per_image(factor, images)
    return out if max_value is None else out.clamp(0.0, max_value)


def random_brightness(images: torch.Tensor, generator: torch.Generator, brightness_range: tuple[float, float],
                      max_value: float | None = 255.0) -> torch.Tensor:
    """Keras ``brightness_range``: each image scaled by a factor from ``U[low, high)``.

    Example:
        >>> random_brightness(torch.rand(3, 4, 4, 1), torch.Generator().manual_seed(0), (0.5, 1.5)).shape
        torch.Size([3, 4, 4, 1])
    """
    low, high = brightness_range
    return adjust_brightness(images, uniform(generator, images.shape[0], low, high), max_value)


def adjust_contrast(images: torch.Tensor, factor: torch.Tensor | float) -> torch.Tensor:
    """Scale each channel's distance from that image's channel mean by ``factor``.

    Example:
        >>> adjust_contrast(torch.tensor([0.0, 2.0]).reshape(1, 1, 2, 1), 2.0).flatten().tolist()
        [-1.0, 3.0]
    """
    mean = images.mean(dim=(1, 2), keepdim=True)
    return (images - mean) * _per_image(factor, images) + mean


def random_contrast(images: torch.Tensor, generator: torch.Generator, factor_range: tuple[float, float]
                    ) -> torch.Tensor:
    """Contrast factor from ``U[low, high)`` per image.

    Example:
        >>> random_contrast(torch.rand(3, 4, 4, 1), torch.Generator().manual_seed(0), (0.8, 1.2)).shape
        torch.Size([3, 4, 4, 1])
    """
    low, high = factor_range
    return adjust_contrast(images, uniform(generator, images.shape[0], low, high))


def channel_shift(images: torch.Tensor, intensity: torch.Tensor | float) -> torch.Tensor:
    """Add ``intensity`` (a number or one per image) to every channel, clipped to each image's own min and max,
    as Keras's ``apply_channel_shift`` does.

    Example:
        >>> channel_shift(torch.tensor([0.0, 1.0, 2.0]).reshape(1, 1, 3, 1), 1.0).flatten().tolist()
        [1.0, 2.0, 2.0]
    """
    lo = images.amin(dim=(1, 2, 3), keepdim=True)
    hi = images.amax(dim=(1, 2, 3), keepdim=True)
    return torch.minimum(torch.maximum(images + _per_image(intensity, images), lo), hi)


def random_channel_shift(images: torch.Tensor, generator: torch.Generator, intensity: float) -> torch.Tensor:
    """Keras ``channel_shift_range``: one offset from ``U[-intensity, intensity)`` per image (see ``channel_shift``).

    Example:
        >>> random_channel_shift(torch.rand(3, 4, 4, 3), torch.Generator().manual_seed(0), 0.1).shape
        torch.Size([3, 4, 4, 3])
    """
    if intensity == 0:
        return images
    return channel_shift(images, uniform(generator, images.shape[0], -intensity, intensity))
