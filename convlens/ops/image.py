"""Image ops (``keras.ops.image.resize``) on channels-last images, one ``(H, W, C)`` or a batch ``(N, H, W, C)``.

Sampling is TensorFlow's half-pixel one, so results equal Keras's. The ``Resizing`` layer uses ``resize_batch``.

Example:
    >>> import numpy as np
    >>> resize(np.ones((1, 4, 4, 3)), (2, 2)).shape
    torch.Size([1, 2, 2, 3])
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
import torch.nn.functional as F

from convlens import arithmetic
from convlens.ops.dispatch import floating, operation, to_tensor

_MODES = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic"}


def resize_batch(x: torch.Tensor, height: int, width: int, interpolation: str = "bilinear",
                 antialias: bool = False) -> torch.Tensor:
    """Resize a channels-last float batch ``(N, H, W, C)`` with TensorFlow's half-pixel sampling."""
    if interpolation not in _MODES:
        raise ValueError(f"interpolation must be one of {tuple(_MODES)}, got {interpolation!r}")
    if tuple(x.shape[1:3]) == (height, width):
        return x
    y = F.interpolate(x.movedim(-1, 1), size=(height, width), mode=_MODES[interpolation],
                      align_corners=False if interpolation != "nearest" else None,
                      antialias=antialias and interpolation != "nearest")
    return y.movedim(1, -1)


@operation
def resize(images: Any, size: Sequence[int], interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
           fill_value: float = 0.0, data_format: str | None = None) -> torch.Tensor:
    """Resize images to ``size = (height, width)``, optionally cropping or padding to the target's aspect first."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")
    if len(tuple(size)) != 2:
        raise ValueError(f"size must be (height, width), got {size!r}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
    if fill_mode != "constant":
        raise ValueError(f"fill_mode must be 'constant', got {fill_mode!r}")
    x = floating(to_tensor(images))
    if x.ndim not in (3, 4):
        raise ValueError(f"images must be (H, W, C) or (N, H, W, C), got shape {tuple(x.shape)}")
    batch = x if x.ndim == 4 else x[None]
    height, width = (int(s) for s in size)
    h, w = batch.shape[1], batch.shape[2]
    if crop_to_aspect_ratio:
        top, left, ch, cw = arithmetic.aspect_crop_box(h, w, height, width)
        batch = batch[:, top:top + ch, left:left + cw]
    elif pad_to_aspect_ratio:
        rows, cols = arithmetic.aspect_pad_box(h, w, height, width)
        batch = F.pad(batch, [0, 0, cols, cols, rows, rows], value=fill_value)
    out = resize_batch(batch, height, width, interpolation, antialias)
    return out if x.ndim == 4 else out[0]


@operation
def rgb_to_grayscale(images: Any, data_format: str | None = None) -> torch.Tensor:
    """RGB images ``(…, H, W, 3)`` as one luminance channel ``(…, H, W, 1)`` (ITU-R 601 weights, as Keras)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")
    x = floating(to_tensor(images))
    if x.ndim not in (3, 4) or x.shape[-1] != 3:
        raise ValueError(f"images must be (H, W, 3) or (N, H, W, 3), got shape {tuple(x.shape)}")
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=x.dtype, device=x.device)
    return (x * weights).sum(dim=-1, keepdim=True)


__all__ = ["resize", "rgb_to_grayscale"]
