"""Keras utilities: ``to_categorical`` and ``set_random_seed``.

Example:
    >>> to_categorical([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
"""
from __future__ import annotations

import random

import numpy as np
import torch


def to_categorical(y, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot encode integer labels, as ``keras.utils.to_categorical`` does (a trailing axis of 1 is dropped)."""
    labels = np.asarray(y)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.size and (not np.all(np.equal(np.mod(labels, 1), 0)) or labels.min() < 0):
        raise ValueError(f"to_categorical needs non-negative integer labels, got values like {labels.flat[0]!r}")
    labels = labels.astype(np.int64)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"label {int(labels.max())} is outside num_classes={num_classes} (0…{num_classes - 1})")
    out = np.zeros((*labels.shape, num_classes), dtype=dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy and torch at once, so a run can be repeated exactly on the CPU."""
    random.seed(seed)
    np.random.seed(seed % 2 ** 32)
    torch.manual_seed(seed)


__all__ = ["to_categorical", "set_random_seed"]
