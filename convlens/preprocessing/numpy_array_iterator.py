"""Keras's ``NumpyArrayIterator``: batches from in-memory arrays, augmented as one tensor per batch.

The images stay ONE tensor sharing memory with the NumPy array (uint8 stays uint8); only the rows of a batch are
gathered and turned into float32.

Example:
    >>> import numpy as np
    >>> from convlens.preprocessing.image_data_generator import ImageDataGenerator
    >>> it = NumpyArrayIterator(np.zeros((10, 4, 4, 1), np.uint8), np.arange(10), ImageDataGenerator(),
    ...                         batch_size=4, shuffle=False)
    >>> len(it), it[2][1].tolist()
    (3, [8.0, 9.0])
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch

from convlens.preprocessing.iterator import BatchAugmenter, Iterator


def as_image_tensor(x: Any) -> torch.Tensor:
    """A channels-last image tensor sharing memory with ``x`` when possible (uint8 and float32 are kept)."""
    if isinstance(x, torch.Tensor):
        t = x.detach().cpu()
    else:
        a = np.asarray(x)
        if a.dtype not in (np.uint8, np.float32):
            a = a.astype(np.float32)
        t = torch.from_numpy(np.ascontiguousarray(a))
    if t.ndim != 4:
        raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4 (N, H, W, C); got shape "
                         f"{tuple(t.shape)}.")
    if t.shape[-1] not in (1, 3, 4):
        warnings.warn(f"NumpyArrayIterator expects 1, 3 or 4 channels on axis 3; got {t.shape[-1]} (shape "
                      f"{tuple(t.shape)}).")
    return t


def _split_index(n: int, validation_split: float, subset: str | None) -> slice:
    if subset is None:
        return slice(None)
    if subset not in ("training", "validation"):
        raise ValueError(f"subset={subset!r} is invalid; expected 'training' or 'validation'.")
    split = int(n * validation_split)
    return slice(None, split) if subset == "validation" else slice(split, None)


class NumpyArrayIterator(Iterator):
    """Sequence of ``(x, y)`` float32 batches (``x`` alone when ``y`` is None; ``(x, y, w)`` with weights).

    With the generator's ``validation_split``, ``subset='validation'`` is the first ``int(n * split)`` samples
    and ``'training'`` the rest, as in Keras. Example: see the module docstring.
    """

    def __init__(self, x: Any, y: Any, image_data_generator: BatchAugmenter, batch_size: int = 32,
                 shuffle: bool = False, sample_weight: Any = None, seed: int | None = None,
                 subset: str | None = None, ignore_class_split: bool = False, dtype: str = "float32") -> None:
        images = as_image_tensor(x)
        if y is not None and len(y) != len(images):
            raise ValueError(f"`x` (images tensor) and `y` (labels) should have the same length. Found: "
                             f"x.shape = {tuple(images.shape)}, y.shape = {np.shape(y)}")
        if sample_weight is not None and len(sample_weight) != len(images):
            raise ValueError(f"`x` and `sample_weight` should have the same length; got {len(images)} and "
                             f"{len(sample_weight)}.")
        part = _split_index(len(images), image_data_generator.validation_split, subset)
        if subset is not None and y is not None and not ignore_class_split:
            split = int(len(images) * image_data_generator.validation_split)
            if not np.array_equal(np.unique(np.asarray(y)[:split]), np.unique(np.asarray(y)[split:])):
                raise ValueError("Training and validation subsets have different number of classes after the "
                                 "split. If your numpy arrays are sorted by the label, you might want to shuffle "
                                 "them (or pass ignore_class_split=True).")
        self.x = images[part]
        self.y = None if y is None else np.asarray(y)[part]
        if self.y is not None and self.y.dtype.kind in "biuf":
            self.y = self.y.astype(np.float32)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight, np.float32)[part]
        if len(self.x) == 0:
            raise ValueError(f"subset={subset!r} of {len(images)} samples with validation_split="
                             f"{image_data_generator.validation_split} is empty.")
        self.image_data_generator = image_data_generator
        self.dtype = dtype
        super().__init__(len(self.x), batch_size, shuffle, seed)

    def _get_batch(self, index_array: np.ndarray, batch_index: int, generator: torch.Generator) -> Any:
        rows = torch.from_numpy(index_array)
        batch = self.image_data_generator.transform_batch(self.x[rows], generator).numpy()
        batch = batch if self.dtype == "float32" else batch.astype(self.dtype)
        if self.y is None:
            return batch
        out = (batch, self.y[index_array])
        return out if self.sample_weight is None else out + (self.sample_weight[index_array],)
