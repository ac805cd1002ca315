"""The Keras-``Sequence``-like base of every convlens batch iterator.

``len(it)`` is the number of batches per epoch (the last one may be short), ``it[i]`` is batch ``i`` of the current
epoch, ``on_epoch_end()`` reshuffles (seeded), and ``next(it)`` loops forever like Keras's iterators. Batch ``i``
of epoch ``e`` always gets the same order and the same random augmentation for a given ``seed``, whatever order
the batches are asked for in (so background prefetching cannot change results).

Example:
    >>> class Numbers(Iterator):
    ...     def _get_batch(self, index_array, batch_index, generator):
    ...         return index_array
    >>> it = Numbers(5, batch_size=2, shuffle=False, seed=0)
    >>> len(it), it[2].tolist(), next(it).tolist()
    (3, [4], [0, 1])
"""
from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import torch


class BatchAugmenter(Protocol):
    """What the array and folder iterators ask of their ``image_data_generator`` (an ``ImageDataGenerator``):
    its public ``validation_split`` and the per-batch ``transform_batch``."""

    validation_split: float

    def transform_batch(self, images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """Random transform then standardize a ``(N, H, W, C)`` batch; returns float32."""


def fresh_seed() -> int:
    """A random 32-bit seed from the operating system (used when the caller passes ``seed=None``)."""
    return int(np.random.SeedSequence().entropy % (2**32))


class Iterator:
    """Index bookkeeping shared by array and folder iterators; subclasses implement ``_get_batch``."""

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None) -> None:
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
        self.n = int(n)
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.seed = fresh_seed() if seed is None else int(seed)
        self.epoch = 0
        self.batch_index = 0
        self.total_batches_seen = 0
        self._set_index_array()

    def _set_index_array(self) -> None:
        if self.shuffle:
            self.index_array = np.random.default_rng([self.seed, self.epoch]).permutation(self.n)
        else:
            self.index_array = np.arange(self.n)

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def batch_generator(self, batch_index: int) -> torch.Generator:
        """The ``torch.Generator`` that drives batch ``batch_index`` of the current epoch."""
        state = np.random.SeedSequence([self.seed, self.epoch, batch_index]).generate_state(2, dtype=np.uint32)
        return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))

    def batch_indices(self, batch_index: int) -> np.ndarray:
        """Sample indices of batch ``batch_index`` in the current epoch's order."""
        return self.index_array[self.batch_size * batch_index: self.batch_size * (batch_index + 1)]

    def __getitem__(self, idx: int) -> Any:
        length = len(self)
        if not -length <= idx < length:
            raise IndexError(f"Asked for batch {idx}, but this iterator has {length} batches per epoch.")
        idx = idx % length
        return self._get_batch(self.batch_indices(idx), idx, self.batch_generator(idx))

    def _get_batch(self, index_array: np.ndarray, batch_index: int, generator: torch.Generator) -> Any:
        raise NotImplementedError

    def on_epoch_end(self) -> None:
        """Start the next epoch: a new (seeded) order when ``shuffle``."""
        self.epoch += 1
        self._set_index_array()

    def reset(self) -> None:
        """Restart ``next()`` from the first batch of the current epoch."""
        self.batch_index = 0

    def __iter__(self) -> "Iterator":
        return self

    def __next__(self) -> Any:
        if self.batch_index >= len(self):
            self.on_epoch_end()
            self.batch_index = 0
        idx = self.batch_index
        self.batch_index += 1
        self.total_batches_seen += 1
        return self[idx]

    def next(self) -> Any:
        """Keras 2 spelling of ``next(iterator)``."""
        return self.__next__()
