"""Image preprocessing layers that belong to the model: Rescaling, Resizing and CenterCrop (each also takes one
unbatched ``(H, W, C)`` image, as in Keras).

Example:
    >>> import torch
    >>> Rescaling(1 / 255)(torch.full((1, 2, 2, 1), 255.0)).flatten().tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> Resizing(224, 224).compute_output_shape((None, 32, 32, 3))
    (None, 224, 224, 3)
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from convlens import arithmetic
from convlens.layers.base import Layer, Shape
from convlens.layers.unbatched import TakesOneImage
from convlens.ops.image import resize_batch as resize

_INTERPOLATIONS = ("bilinear", "nearest", "bicubic")


def _check_format(data_format: str | None) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")


def _floating(x: torch.Tensor) -> torch.Tensor:
    """Integer images (uint8 pixels) become the default float dtype, as Keras casts to its compute dtype."""
    return x if x.is_floating_point() else x.to(torch.get_default_dtype())


def _positive_int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


class _ImageLayer(TakesOneImage, Layer):
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(N, H, W, C)")
        return (input_shape[0], self.height, self.width, input_shape[-1])


class Rescaling(TakesOneImage, Layer):
    """``x * scale + offset``, e.g. ``Rescaling(1 / 255)`` for pixels in [0, 1] or ``Rescaling(1 / 127.5, -1)``.

    ``scale`` and ``offset`` may be numbers or one value per channel.
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset
        for name, value in (("scale", scale), ("offset", offset)):
            if not np.issubdtype(np.asarray(value).dtype, np.number):
                raise ValueError(f"{name} must be a number or a list of numbers, got {value!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _floating(x)
        scale = torch.as_tensor(self.scale, dtype=x.dtype, device=x.device)
        offset = torch.as_tensor(self.offset, dtype=x.dtype, device=x.device)
        return x * scale + offset

    def get_config(self) -> dict[str, Any]:
        plain = (lambda v: np.asarray(v).tolist())
        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


class Resizing(_ImageLayer):
    """Resize images to ``(height, width)``; ``crop_to_aspect_ratio`` / ``pad_to_aspect_ratio`` keep the aspect.

    ``interpolation``: ``'bilinear'`` (default), ``'nearest'`` or ``'bicubic'``. Integer images stay integers
    (rounded and clipped), as in Keras.
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format)
        self.height, self.width = _positive_int(height, "height"), _positive_int(width, "width")
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(f"interpolation must be one of {_INTERPOLATIONS}, got {interpolation!r}")
        if crop_to_aspect_ratio and pad_to_aspect_ratio:
            raise ValueError("only one of crop_to_aspect_ratio and pad_to_aspect_ratio can be True")
        if fill_mode != "constant":
            raise ValueError(f"fill_mode must be 'constant' (padding with fill_value), got {fill_mode!r}")
        self.interpolation, self.antialias = interpolation, bool(antialias)
        self.crop_to_aspect_ratio, self.pad_to_aspect_ratio = bool(crop_to_aspect_ratio), bool(pad_to_aspect_ratio)
        self.fill_mode, self.fill_value = fill_mode, float(fill_value)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        images = _floating(x)
        h, w = x.shape[1], x.shape[2]
        if self.crop_to_aspect_ratio:
            top, left, ch, cw = arithmetic.aspect_crop_box(h, w, self.height, self.width)
            images = images[:, top:top + ch, left:left + cw]
        elif self.pad_to_aspect_ratio:
            rows, cols = arithmetic.aspect_pad_box(h, w, self.height, self.width)
            images = F.pad(images, [0, 0, cols, cols, rows, rows], value=self.fill_value)
        y = resize(images, self.height, self.width, self.interpolation, self.antialias)
        if x.is_floating_point():
            return y
        info = torch.iinfo(x.dtype)
        return y.round().clamp(info.min, info.max).to(x.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation, "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_ImageLayer):
    """Cut the central ``(height, width)`` window; an image smaller than that is first cropped to the target's
    aspect ratio and resized up (bilinear), as Keras does."""

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        _check_format(data_format)
        self.height, self.width = _positive_int(height, "height"), _positive_int(width, "width")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _floating(x)
        h, w = x.shape[1], x.shape[2]
        if h >= self.height and w >= self.width:
            top, left = arithmetic.center_crop_box(h, w, self.height, self.width)
            return x[:, top:top + self.height, left:left + self.width]
        top, left, ch, cw = arithmetic.aspect_crop_box(h, w, self.height, self.width)
        return resize(x[:, top:top + ch, left:left + cw], self.height, self.width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width}


__all__ = ["Rescaling", "Resizing", "CenterCrop"]
