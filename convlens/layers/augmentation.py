"""Random augmentation layers, active only in training: RandomFlip, RandomRotation, RandomZoom, RandomTranslation,
RandomContrast and RandomBrightness.

Each works on the whole batch at once (one ``grid_sample`` for the geometric ones, from ``convlens.data``), draws
different values for every image, and at inference returns its input; one unbatched image ``(H, W, C)`` is taken
too, as in Keras. ``seed=`` gives the layer its own
``torch.Generator`` (the same seed, the same augmentations); without it the layer draws from torch's default
generator, so ``torch.manual_seed`` makes a run repeatable.

Example:
    >>> import torch
    >>> layer = RandomRotation(0.1, seed=0)
    >>> x = torch.rand(8, 16, 16, 3)
    >>> torch.equal(layer(x, training=False), x), layer(x, training=True).shape
    (True, torch.Size([8, 16, 16, 3]))
"""
from __future__ import annotations

from typing import Any, Sequence

import torch

from convlens.data.affine import FILL_MODES, affine_warp, keras_affine_matrices
from convlens.data.color import adjust_contrast
from convlens.data.geometry import flip_chosen
from convlens.layers.base import Layer, Shape
from convlens.layers.unbatched import TakesOneImage

_FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def factor_range(factor: float | Sequence[float], name: str, bound: float | None = None) -> tuple[float, float]:
    """Keras's ``factor`` argument as ``(lower, upper)``: a number ``f`` means ``(-|f|, |f|)``, a pair is sorted."""
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(isinstance(f, (int, float)) for f in factor):
            raise ValueError(f"{name} must be a number or a (lower, upper) pair, got {factor!r}")
        lower, upper = sorted(float(f) for f in factor)
    elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
        lower, upper = -abs(float(factor)), abs(float(factor))
    else:
        raise ValueError(f"{name} must be a number or a (lower, upper) pair, got {factor!r}")
    if bound is not None and (lower < -bound or upper > bound):
        raise ValueError(f"{name} must lie in [-{bound}, {bound}], got {factor!r}")
    return lower, upper


def _floating(x: torch.Tensor) -> torch.Tensor:
    return x if x.is_floating_point() else x.to(torch.get_default_dtype())


class RandomLayer(Layer):
    """Base of the layers that draw random numbers in training; ``seed`` gives them their own generator."""

    uses_training = True

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"seed must be an int or None, got {seed!r}")
        self.seed = seed
        self.generator = torch.Generator().manual_seed(seed) if seed is not None else None

    def uniform(self, n: int, low: float, high: float) -> torch.Tensor:
        """``n`` float64 draws from ``U[low, high)`` on the CPU (a few numbers per batch; no device sync)."""
        return low + (high - low) * torch.rand(n, generator=self.generator, dtype=torch.float64)

    def forward(self, x: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        training = self.training if training is None else training
        x = _floating(x)
        return self.augment(x) if training and x.shape[0] else x

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed}


class _ImageAugmentation(TakesOneImage, RandomLayer):
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(N, H, W, C)")
        return tuple(input_shape)


class RandomFlip(_ImageAugmentation):
    """Flip each image with probability 1/2: ``mode`` is ``'horizontal'``, ``'vertical'`` or
    ``'horizontal_and_vertical'`` (each direction drawn independently)."""

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if mode not in _FLIP_MODES:
            raise ValueError(f"mode must be one of {_FLIP_MODES}, got {mode!r}")
        self.mode = mode

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        for direction, axis in (("horizontal", 2), ("vertical", 1)):
            if direction in self.mode:
                x = flip_chosen(x, (self.uniform(x.shape[0], 0.0, 1.0) < 0.5).to(x.device), axis)
        return x

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}


class _AffineAugmentation(_ImageAugmentation):
    """Rotation, zoom and translation: per-image Keras matrices, one warp for the batch."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if fill_mode not in FILL_MODES:
            raise ValueError(f"fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(f"interpolation must be 'bilinear' or 'nearest', got {interpolation!r}")
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, float(fill_value)

    def parameters_for(self, n: int, height: int, width: int) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        n, h, w = x.shape[:3]
        zero, one = torch.zeros(n, dtype=torch.float64), torch.ones(n, dtype=torch.float64)
        p = {"theta": zero, "tx": zero, "ty": zero, "shear": zero, "zx": one, "zy": one,
             **self.parameters_for(n, h, w)}
        matrices = keras_affine_matrices(p["theta"], p["tx"], p["ty"], p["shear"], p["zx"], p["zy"])
        return affine_warp(x, matrices, self.fill_mode, self.fill_value, self.interpolation).to(x.dtype)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "fill_value": self.fill_value}


class RandomRotation(_AffineAugmentation):
    """Rotate each image by ``factor`` of a full turn: ``0.1`` draws angles in ``[-36°, 36°]``; positive angles
    turn counter-clockwise. ``fill_mode``: ``'reflect'`` (default), ``'wrap'``, ``'constant'`` or ``'nearest'``."""

    def __init__(self, factor: float | Sequence[float], fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.factor = factor_range(factor, "factor")

    def parameters_for(self, n: int, height: int, width: int) -> dict[str, torch.Tensor]:
        turns = self.uniform(n, *self.factor)
        return {"theta": -360.0 * turns}  # Keras matrices turn clockwise for positive theta

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor)}


class RandomZoom(_AffineAugmentation):
    """Zoom each image: ``height_factor`` ``0.2`` draws zooms in ``[-20%, +20%]``; positive values zoom out.
    ``width_factor=None`` keeps the aspect ratio (the height's draw is used for the width)."""

    def __init__(self, height_factor: float | Sequence[float], width_factor: float | Sequence[float] | None = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = factor_range(height_factor, "height_factor")
        self.width_factor = None if width_factor is None else factor_range(width_factor, "width_factor")
        for name, pair in (("height_factor", self.height_factor), ("width_factor", self.width_factor)):
            if pair is not None and pair[0] < -1:
                raise ValueError(f"{name} must not be below -1 (a zoom in by 100% or more), got {pair}")

    def parameters_for(self, n: int, height: int, width: int) -> dict[str, torch.Tensor]:
        zx = 1.0 + self.uniform(n, *self.height_factor)
        zy = zx if self.width_factor is None else 1.0 + self.uniform(n, *self.width_factor)
        return {"zx": zx, "zy": zy}

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": None if self.width_factor is None else list(self.width_factor)}


class RandomTranslation(_AffineAugmentation):
    """Shift each image by a fraction of its size: ``height_factor`` ``0.1`` draws shifts in ``[-10%, +10%]`` of
    the height (positive moves the content down); ``width_factor`` likewise (positive moves it right)."""

    def __init__(self, height_factor: float | Sequence[float], width_factor: float | Sequence[float],
                 fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(fill_mode, interpolation, seed, fill_value, **kwargs)
        self.height_factor = factor_range(height_factor, "height_factor", bound=1.0)
        self.width_factor = factor_range(width_factor, "width_factor", bound=1.0)

    def parameters_for(self, n: int, height: int, width: int) -> dict[str, torch.Tensor]:
        down = self.uniform(n, *self.height_factor) * height
        right = self.uniform(n, *self.width_factor) * width
        return {"tx": -down, "ty": -right}  # Keras matrices sample from +t, which moves the content by -t

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": list(self.height_factor),
                "width_factor": list(self.width_factor)}


def _value_range(value_range: Sequence[float]) -> tuple[float, float]:
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(f"value_range must be a (low, high) pair, got {value_range!r}")
    low, high = sorted(float(v) for v in value_range)
    return low, high


class RandomContrast(_ImageAugmentation):
    """Scale each image's distance from its per-channel mean by a factor from ``[1 - lower, 1 + upper]``
    (``factor`` ``0.2``: ``[0.8, 1.2]``), then clip to ``value_range``.

    Keras 3.15's code draws from ``[1, 1 + factor]`` for a single number although its documentation says
    ``[1 - factor, 1 + factor]``; convlens follows the documentation.
    """

    def __init__(self, factor: float | Sequence[float], value_range: Sequence[float] = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if isinstance(factor, (tuple, list)):
            self.factor = factor_range(factor, "factor")
            if self.factor[0] < 0:
                raise ValueError(f"factor must lie in [0, 1], got {factor!r}")
        else:
            self.factor = (abs(factor_range(factor, "factor")[0]),) * 2
        if max(self.factor) > 1:
            raise ValueError(f"factor must lie in [0, 1], got {factor!r}")
        self.value_range = _value_range(value_range)

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        factors = self.uniform(x.shape[0], 1.0 - self.factor[0], 1.0 + self.factor[1])
        return adjust_contrast(x, factors.to(x.device, x.dtype)).clamp(*self.value_range)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor), "value_range": list(self.value_range)}


class RandomBrightness(_ImageAugmentation):
    """Add to each image a delta of ``factor`` times the width of ``value_range`` (``factor`` ``0.2`` with pixels
    in ``(0, 255)``: up to ±51), then clip to ``value_range``; ``factor`` lies in ``[-1, 1]``."""

    def __init__(self, factor: float | Sequence[float], value_range: Sequence[float] = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        self.factor = factor_range(factor, "factor", bound=1.0)
        self.value_range = _value_range(value_range)

    def augment(self, x: torch.Tensor) -> torch.Tensor:
        low, high = self.value_range
        delta = self.uniform(x.shape[0], *self.factor) * (high - low)
        return (x + delta.to(x.device, x.dtype)[:, None, None, None]).clamp(low, high)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": list(self.factor), "value_range": list(self.value_range)}


__all__ = ["RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness"]
