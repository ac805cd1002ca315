"""``SpatialDropout2D``: drop whole feature maps while training.

Example:
    >>> import torch
    >>> layer = SpatialDropout2D(0.5, seed=0)
    >>> y = layer(torch.ones(4, 3, 3, 8), training=True)
    >>> bool(((y == 0) | (y == 2)).all()), bool((y[:, :1] == y).all())   # whole maps are zero or scaled by 2
    (True, True)
"""
from __future__ import annotations

from typing import Any

import torch

from convlens.layers.augmentation import RandomLayer
from convlens.layers.base import Shape


class SpatialDropout2D(RandomLayer):
    """Zero each channel of each image with probability ``rate`` (the whole ``H×W`` map at once) and scale the
    kept ones by ``1 / (1 - rate)``; neighbouring pixels are correlated, so dropping single pixels would not
    regularize. Active only in training."""

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, **kwargs)
        if data_format not in (None, "channels_last"):
            raise ValueError(f"data_format must be 'channels_last', got {data_format!r}")
        if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            raise ValueError(f"SpatialDropout2D rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self.expect_rank(input_shape, 4, "(N, H, W, C)")
        return tuple(input_shape)

    def forward(self, x: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        training = self.training if training is None else training
        if not training or self.rate == 0:
            return x
        n, c = x.shape[0], x.shape[-1]
        if self.generator is None:
            draws = torch.rand(n, 1, 1, c, device=x.device)
        else:
            draws = torch.rand(n, 1, 1, c, generator=self.generator).to(x.device)
        keep = (draws >= self.rate).to(x.dtype) / (1.0 - self.rate)
        return x * keep

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate}


__all__ = ["SpatialDropout2D"]
