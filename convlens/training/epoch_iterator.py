"""``EpochIterator``: the batches of one pass over a data adapter, as ``fit``, ``evaluate`` and ``predict`` take them.

It knows the steps of a pass (all batches, or Keras's ``steps_per_epoch`` / ``steps``), this process's shard of each
global batch under torchrun, and the per-epoch permutation of in-memory arrays. The permutation is drawn from its
own generator seeded with ``shuffle seed + epoch`` (never the global RNG), so every process, and a run resumed at any
batch, draws the same order; a resumed epoch starts at its batch ``start`` without replaying the ones before.

Example:
    >>> import numpy as np
    >>> from convlens.training.data import ArrayData
    >>> passes = EpochIterator(ArrayData(np.arange(10.0).reshape(10, 1)), batch_size=4, shuffle=True)
    >>> passes.steps, [rows for _, _, rows in passes.epoch(0, seed=1)]
    (3, [4, 4, 2])
    >>> [index for index, _, _ in passes.epoch(0, seed=1, start=2)]
    [2]
"""
from __future__ import annotations

from typing import Iterator

import torch

from convlens.training.data import ArrayData, Batch, SequenceData, Shard


class EpochIterator:
    """Passes over ``data`` in batches of ``batch_size``; ``shard(n)`` → ``(lo, hi)`` picks this process's rows."""

    def __init__(self, data: ArrayData | SequenceData, batch_size: int, shuffle: bool = False,
                 shard: Shard | None = None) -> None:
        self.data, self.batch_size, self.shuffle, self.shard = data, batch_size, shuffle, shard
        self.steps = data.steps(batch_size)

    def order(self, epoch: int, seed: int | None) -> torch.Tensor | None:
        """The epoch's permutation of the samples (arrays only: a Sequence orders its own batches)."""
        if not self.shuffle or seed is None or not isinstance(self.data, ArrayData):
            return None
        return torch.randperm(len(self.data), generator=torch.Generator().manual_seed(seed + epoch))

    def epoch(self, epoch: int = 0, seed: int | None = None, start: int = 0) -> Iterator[tuple[int, Batch, int]]:
        """``(batch index, batch, rows of the global batch)`` of one pass, from batch ``start`` on."""
        batches = self.data.batches(self.batch_size, self.order(epoch, seed), start, self.shard)
        for index, (batch, rows) in enumerate(batches, start):
            yield index, batch, rows


__all__ = ["EpochIterator"]
