"""`MonitorCallback`: the monitor / mode / min_delta / best logic shared by ModelCheckpoint, EarlyStopping and
ReduceLROnPlateau.

Example:
    >>> cb = MonitorCallback(monitor="val_accuracy")
    >>> cb.mode, cb.best
    ('max', -inf)
    >>> cb.is_improvement(0.9, cb.best)
    True
"""
from __future__ import annotations

import math
import warnings
from typing import Any

from convlens.callbacks.callback import Callback, Logs

_MODES = ("auto", "min", "max")
# Monitored names for which higher is better in 'auto' mode (Keras: 'acc' in the name, auc, fmeasure).
_HIGHER_IS_BETTER = ("acc", "auc", "fmeasure", "precision", "recall")


def resolve_mode(monitor: str, mode: str) -> str:
    """Return 'min' or 'max'; 'auto' means 'max' for accuracy-like names and 'min' otherwise.

    Example:
        >>> resolve_mode("val_acc", "auto"), resolve_mode("val_loss", "auto"), resolve_mode("val_loss", "max")
        ('max', 'min', 'max')
    """
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}; got {mode!r}.")
    if mode != "auto":
        return mode
    name = monitor.lower()
    return "max" if any(word in name for word in _HIGHER_IS_BETTER) else "min"


class MonitorCallback(Callback):
    """Base for callbacks that watch one logged quantity and track its best value.

    `is_improvement(current, reference)` is True when `current` beats `reference` by more than `min_delta` in the
    direction of `mode`. `best` starts at +inf ('min') or -inf ('max'); call `reset_best()` to start over.
    """

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", min_delta: float = 0.0) -> None:
        super().__init__()
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"monitor must be the non-empty name of a logged quantity; got {monitor!r}.")
        self.monitor = monitor
        self.mode = resolve_mode(monitor, mode)
        self.min_delta = abs(float(min_delta))
        self.best: float = math.inf
        self.reset_best()

    def reset_best(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf

    def is_improvement(self, current: float, reference: float | None) -> bool:
        if reference is None:
            return True
        if self.mode == "min":
            return current < reference - self.min_delta
        return current > reference + self.min_delta

    def get_monitor_value(self, logs: Logs) -> float | None:
        """The monitored value as a float, or None (with a warning naming the available keys) when it is missing."""
        logs = logs or {}
        value: Any = logs.get(self.monitor)
        if value is None:
            available = ", ".join(sorted(logs)) or "none"
            warnings.warn(f"{type(self).__name__} is conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {available}.", stacklevel=3)
            return None
        return float(value)
