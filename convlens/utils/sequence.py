"""Keras's ``Sequence`` / ``PyDataset`` base classes: subclass, define ``__len__`` and ``__getitem__``.

Example:
    >>> import numpy as np
    >>> class Batches(Sequence):
    ...     def __len__(self): return 2
    ...     def __getitem__(self, i): return np.full((3, 1), i, "float32"), np.zeros(3)
    >>> [x.sum() for x, _ in Batches()]
    [np.float32(0.0), np.float32(3.0)]
"""
from __future__ import annotations

from typing import Any, Iterator


class PyDataset:
    """Keras 3's base for Python batch sources: ``len()`` batches per epoch, ``[i]`` gives batch ``i``.

    ``fit`` reads batches in order and calls ``on_epoch_end()`` after each epoch. Keras's ``workers`` /
    ``use_multiprocessing`` / ``max_queue_size`` are refused when set: convlens reads a Sequence in the training
    thread (decode in threads inside ``__getitem__``, or use ``convlens.data.Dataset.prefetch``).
    """

    def __init__(self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10) -> None:
        if workers != 1 or use_multiprocessing:
            raise ValueError("convlens reads a PyDataset in the training thread; workers>1 / use_multiprocessing "
                             "are not supported")
        self.max_queue_size = max_queue_size

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__ (the number of batches)")

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__ (batch number index)")

    def on_epoch_end(self) -> None:
        """Called after every epoch; override to reshuffle."""

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self[i]


class Sequence(PyDataset):
    """Keras 2's name of :class:`PyDataset`."""


__all__ = ["PyDataset", "Sequence"]
