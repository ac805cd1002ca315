"""Seeded, batched augmentation of ``(N, H, W, C)`` float tensors; every random function takes a
``torch.Generator`` and has no hidden state. Compose them with :func:`compose`.

Example:
    >>> import torch
    >>> from functools import partial
    >>> pipeline = compose(partial(random_affine, rotation_range=15, width_shift_range=0.1,
    ...                            height_shift_range=0.1, zoom_range=0.1), random_flip)
    >>> pipeline(torch.rand(128, 32, 32, 3), torch.Generator().manual_seed(0)).shape
    torch.Size([128, 32, 32, 3])
"""
from __future__ import annotations

from typing import Callable

import torch

from convlens.data.affine import (FILL_MODES, affine_warp, keras_affine_matrices, random_affine, random_rotation,
                                  random_shear, random_translation, random_zoom, rotate, translate)
from convlens.data.color import (adjust_brightness, adjust_contrast, channel_shift, random_brightness,
                                 random_channel_shift, random_contrast)
from convlens.data.geometry import cutout, flip_left_right, flip_up_down, random_crop, random_flip
from convlens.data.normalize import channel_stats, standardize

Augmentation = Callable[[torch.Tensor, torch.Generator], torch.Tensor]

__all__ = [
    "FILL_MODES", "Augmentation", "adjust_brightness", "adjust_contrast", "affine_warp", "channel_shift",
    "channel_stats", "compose",
    "cutout", "flip_left_right", "flip_up_down", "keras_affine_matrices", "random_affine", "random_brightness",
    "random_channel_shift", "random_contrast", "random_crop", "random_flip", "random_rotation", "random_shear",
    "random_translation", "random_zoom", "rotate", "standardize", "translate",
]


def compose(*steps: Augmentation) -> Augmentation:
    """Chain ``f(images, generator)`` steps left to right into one such function. Example: module docstring."""
    def pipeline(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        for step in steps:
            images = step(images, generator)
        return images
    return pipeline
