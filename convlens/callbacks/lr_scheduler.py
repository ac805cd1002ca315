"""`LearningRateScheduler`: set the learning rate at the start of each epoch from a schedule function.

Example (the notes' step schedule):
    >>> def schedule(epoch, lr):
    ...     if epoch >= 50:
    ...         return 0.001
    ...     if epoch >= 20:
    ...         return 0.01
    ...     return lr
    >>> scheduler = LearningRateScheduler(schedule, verbose=1)
    >>> # model.fit(x, y, epochs=60, callbacks=[scheduler])
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Callable

from convlens.callbacks.callback import Callback, Logs


class LearningRateScheduler(Callback):
    """Calls `schedule(epoch, lr)` (0-based epoch, current lr) or `schedule(epoch)` and sets the returned lr.

    As Keras 3, it adds the epoch's 'learning_rate' to the epoch-end logs.
    """

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise ValueError(f"schedule must be a function schedule(epoch, lr) -> lr; got {schedule!r}.")
        self.schedule = schedule
        self.verbose = verbose
        self._takes_lr = _accepts_two_arguments(schedule)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        if self._takes_lr:
            lr = self.schedule(epoch, float(self.model.optimizer.learning_rate))
        else:
            lr = self.schedule(epoch)
        value = _as_learning_rate(lr)
        if value is None:
            raise ValueError(f"The schedule must return a finite learning rate >= 0 (a float); at epoch {epoch} it "
                             f"returned {lr!r}.")
        self.model.optimizer.learning_rate = value
        if self.verbose > 0:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {value}.")

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


def _as_learning_rate(value: object) -> float | None:
    """`value` as a float if it is a finite number >= 0 (a Python/NumPy number or a 0-dim tensor), else None."""
    if isinstance(value, (bool, str)) or getattr(value, "ndim", 0) != 0:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _accepts_two_arguments(fn: Callable[..., float]) -> bool:
    """True when `fn(epoch, lr)` is a valid call; builtins without a signature are assumed to take both."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(0, 0.0)
    except TypeError:
        return False
    return True
