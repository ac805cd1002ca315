"""`TrainingSpeed`: training images per second, over the training batches only (validation passes excluded).

Example:
    >>> speed = TrainingSpeed()
    >>> # model.fit(x, y, epochs=3, validation_split=0.1, callbacks=[speed]); speed.images_per_s
    >>> speed.images_per_s is None   # nothing trained yet
    True
"""
from __future__ import annotations

import time
from typing import Any, Callable

from convlens.callbacks.callback import Callback, Logs


class TrainingSpeed(Callback):
    """Counts the images of every training batch (the batch logs' ``size``) and the time from each epoch's start
    to its last training batch, so a validation pass does not slow the figure down. Under torchrun the logs' size is
    the global batch, so the figure is the whole run's. ``clock`` is for tests."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__()
        self.clock = clock
        self.images: Any = 0  # may be a 0-dim tensor until read: no device sync per batch
        self.seconds = 0.0
        self._start: float | None = None
        self._last: float | None = None

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._start, self._last = self.clock(), None

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if logs and "size" in logs:
            self.images = self.images + logs["size"]
        self._last = self.clock()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if self._start is not None and self._last is not None:
            self.seconds += self._last - self._start
        self._start = self._last = None

    @property
    def images_per_s(self) -> float | None:
        """Training images per second so far, rounded to 0.1; None before any training batch ran."""
        images = float(self.images)
        return round(images / self.seconds, 1) if images and self.seconds > 0 else None
