"""Sampling and applying Keras's per-image random transform parameters, for a whole batch at once.

The parameter names are Keras's (``theta``, ``tx``, ``ty``, ``shear``, ``zx``, ``zy``, ``flip_horizontal``,
``flip_vertical``, ``channel_shift_intensity``, ``brightness``); here each holds one value per image.

Example:
    >>> import torch
    >>> g = torch.Generator().manual_seed(0)
    >>> p = sample_params(4, 32, 32, g, rotation_range=15, horizontal_flip=True)
    >>> sorted(p)[:3], tuple(p["theta"].shape)
    (['brightness', 'channel_shift_intensity', 'flip_horizontal'], (4,))
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from convlens.data.affine import affine_warp, keras_affine_matrices, uniform
from convlens.data.color import adjust_brightness, channel_shift
from convlens.data.geometry import flip_chosen


def _shift(value: float | int | Sequence[float], size: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """Keras's shift ranges: float -> U(-r, r); int -> integer in [0, r) with a random sign; list -> choice."""
    if isinstance(value, (list, tuple, np.ndarray)):
        choices = torch.as_tensor(np.asarray(value, dtype=np.float64))
        picks = choices[torch.randint(0, len(choices), (n,), generator=generator)]
        shift = picks * (torch.randint(0, 2, (n,), generator=generator) * 2 - 1)
        largest = float(np.max(value))
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1:
        magnitude = torch.randint(0, int(value), (n,), generator=generator).double()
        shift = magnitude * (torch.randint(0, 2, (n,), generator=generator) * 2 - 1)
        largest = float(value)
    else:
        shift = uniform(generator, n, -float(value), float(value))
        largest = float(value)
    return shift * size if largest < 1 else shift


def _coin(generator: torch.Generator, n: int, enabled: bool) -> torch.Tensor:
    if not enabled:
        return torch.zeros(n, dtype=torch.bool)
    return torch.rand(n, generator=generator) < 0.5


def sample_params(n: int, height: int, width: int, generator: torch.Generator, *, rotation_range: float = 0.0,
                  width_shift_range: Any = 0.0, height_shift_range: Any = 0.0, shear_range: float = 0.0,
                  zoom_range: tuple[float, float] = (1.0, 1.0), channel_shift_range: float = 0.0,
                  horizontal_flip: bool = False, vertical_flip: bool = False,
                  brightness_range: tuple[float, float] | None = None) -> dict[str, torch.Tensor | None]:
    """Draw every image's transform parameters from ``generator``. Example: see the module docstring."""
    theta = uniform(generator, n, -rotation_range, rotation_range)
    tx = _shift(height_shift_range, height, n, generator)
    ty = _shift(width_shift_range, width, n, generator)
    shear = uniform(generator, n, -shear_range, shear_range)
    zx = uniform(generator, n, zoom_range[0], zoom_range[1])
    zy = uniform(generator, n, zoom_range[0], zoom_range[1])
    shift = uniform(generator, n, -channel_shift_range, channel_shift_range) if channel_shift_range else None
    brightness = uniform(generator, n, *brightness_range) if brightness_range is not None else None
    return {"theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
            "flip_horizontal": _coin(generator, n, horizontal_flip),
            "flip_vertical": _coin(generator, n, vertical_flip),
            "channel_shift_intensity": shift, "brightness": brightness}


def apply_params(images: torch.Tensor, params: dict[str, Any], fill_mode: str = "nearest", cval: float = 0.0,
                 interpolation: str = "bilinear") -> torch.Tensor:
    """Keras's ``apply_transform`` order for a float batch: affine warp, channel shift, flips, brightness.

    Example:
        >>> x = torch.rand(2, 4, 4, 1)
        >>> torch.equal(apply_params(x, {}), x)
        True
    """
    n = images.shape[0]

    def get(name: str, default: float) -> torch.Tensor:
        value = params.get(name)
        return torch.full((n,), default, dtype=torch.float64) if value is None else torch.as_tensor(value).double()

    matrices = keras_affine_matrices(get("theta", 0.0), get("tx", 0.0), get("ty", 0.0), get("shear", 0.0),
                                     get("zx", 1.0), get("zy", 1.0))
    flips = {name: params.get(name) for name in ("flip_horizontal", "flip_vertical")}
    warping = not torch.equal(matrices, torch.eye(3, dtype=matrices.dtype).expand_as(matrices))
    if warping:
        # A flip after the warp is the warp of a mirrored output grid: fold it into the matrix (channel shift
        # commutes with flips), so the batch is resampled once instead of warped and then copied twice.
        for name, column in (("flip_horizontal", 1), ("flip_vertical", 0)):
            if flips[name] is not None:
                sign = 1.0 - 2.0 * torch.as_tensor(flips[name], dtype=torch.float64).reshape(-1)
                matrices[:, :, column] *= sign[:, None]
                flips[name] = None
        images = affine_warp(images, matrices, fill_mode, cval, interpolation)
    if params.get("channel_shift_intensity") is not None:
        images = channel_shift(images, torch.as_tensor(params["channel_shift_intensity"]).reshape(-1))
    for name, axis in (("flip_horizontal", 2), ("flip_vertical", 1)):
        flags = flips[name]
        if flags is not None and bool(torch.as_tensor(flags).any()):
            images = flip_chosen(images, torch.as_tensor(flags, dtype=torch.bool).reshape(-1), axis)
    if params.get("brightness") is not None:
        images = adjust_brightness(images, torch.as_tensor(params["brightness"]).reshape(-1))
    return images
