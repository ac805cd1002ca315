"""``export_model``: ``Model.export`` plus real verification samples — MNIST digits from the embedded
``mnist_sample`` test split, resized and given as many channels as the model takes.

Example:
    >>> float(real_samples((8, 8, 3), 2).max()) <= 1.0
    True
"""
from __future__ import annotations

import os
from typing import Any

import numpy as np
from PIL import Image

from convlens.datasets import mnist_sample
from convlens.saving.onnx import ParityReport, export_onnx

FORMATS = ("onnx",)


def real_samples(input_shape: tuple[int, ...], count: int = 64) -> np.ndarray:
    """``count`` real digits ``(count, H, W, C)`` in [0, 1], fitted to ``input_shape`` ``(H, W, C)``."""
    height, width, channels = (int(d) for d in input_shape)
    _, (x_test, _) = mnist_sample.load_data()
    picked = x_test[np.linspace(0, len(x_test) - 1, count).astype(int)]
    if (height, width) != picked.shape[1:3]:
        picked = np.stack([np.asarray(Image.fromarray(d).resize((width, height), Image.Resampling.BILINEAR))
                           for d in picked])
    return np.repeat(picked[..., None].astype(np.float32) / 255.0, channels, axis=-1)


def export_model(model: Any, path: str | os.PathLike, format: str = "onnx", verbose: bool = True) -> ParityReport:
    """Write ``model`` to ``path`` in ``format``, verified on random batches and 64 real digits."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}")
    shape = tuple(model.input_shape[1:])
    samples = real_samples(shape) if len(shape) == 3 and None not in shape else None
    return export_onnx(model, path, samples=samples, verbose=verbose)
