"""Keras utilities: ``to_categorical``, ``normalize``, ``set_random_seed``, ``image_dataset_from_directory``, the
image helpers (``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``), ``Sequence`` / ``PyDataset`` and
``get_file``.

Example:
    >>> to_categorical([0, 2], 3).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    >>> normalize([[3.0, 4.0]]).tolist()
    [[0.6, 0.8]]
"""
from __future__ import annotations

import random

import numpy as np
import torch

from convlens.backend import clear_session
from convlens.callbacks.progbar import Progbar
from convlens.datasets import get_file
from convlens.utils.image_dataset import image_dataset_from_directory
from convlens.utils.image_utils import array_to_img, img_to_array, load_img, save_img
from convlens.utils.sequence import PyDataset, Sequence
from convlens.viz.model_graph import plot_model


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


def normalize(x, axis: int = -1, order: int = 2) -> np.ndarray:
    """Keras's ``normalize``: ``x`` divided by its ``order``-norm along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(x)
    x = x if np.issubdtype(x.dtype, np.floating) else x.astype("float32")
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def pack_x_y_sample_weight(x, y=None, sample_weight=None) -> tuple:
    """Keras's ``pack_x_y_sample_weight``: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``, what a
    ``train_step`` receives."""
    if y is None:
        return (x,)
    return (x, y) if sample_weight is None else (x, y, sample_weight)


def unpack_x_y_sample_weight(data) -> tuple:
    """Keras's ``unpack_x_y_sample_weight``: ``(x, y, sample_weight)`` from a batch of 1 to 3 items (``None`` for
    what is missing).

    Example:
        >>> unpack_x_y_sample_weight((1, 2))
        (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"data must be (x,), (x, y) or (x, y, sample_weight); got a tuple of {len(data)} items")


__all__ = ["Progbar", "PyDataset", "Sequence", "array_to_img", "clear_session", "get_file",
           "image_dataset_from_directory", "img_to_array", "load_img", "normalize", "pack_x_y_sample_weight",
           "plot_model", "save_img", "set_random_seed", "to_categorical", "unpack_x_y_sample_weight"]
