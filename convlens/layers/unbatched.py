"""Keras's preprocessing layers also take one image without its batch axis: ``(H, W, C)`` in, ``(h, w, C)`` out.

Example:
    >>> import torch
    >>> from convlens.layers import Resizing
    >>> Resizing(4, 6)(torch.rand(8, 8, 3)).shape
    torch.Size([4, 6, 3])
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch


class TakesOneImage:
    """Mixin for image layers: NumPy arrays become tensors, and a single ``(H, W, C)`` image runs as a batch of
    one."""

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(x, np.ndarray):
            x = torch.as_tensor(x)
        if isinstance(x, torch.Tensor) and x.ndim == 3:
            return super().__call__(x[None], *args, **kwargs)[0]
        return super().__call__(x, *args, **kwargs)
