"""`History`: records the epoch-end logs; `model.fit` returns it.

Example:
    >>> h = History()
    >>> h.on_train_begin()
    >>> h.on_epoch_end(0, {"loss": 0.9, "val_loss": 1.1})
    >>> h.on_epoch_end(1, {"loss": 0.5, "val_loss": 0.8})
    >>> h.history["loss"], h.epoch
    ([0.9, 0.5], [0, 1])
"""
from __future__ import annotations

from typing import Any

from convlens.callbacks.callback import Callback, Logs
from convlens.callbacks.history_display import history_html


class History(Callback):
    """Keeps `history` (dict of per-epoch lists keyed like the logs) and `epoch` (0-based epoch indices)."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            # As Keras: `model.history` is the latest History after each epoch.
            self.model.history = self

    def _repr_html_(self) -> str:
        """Jupyter's view: the curves of every metric (training and validation) and the per-epoch table."""
        return history_html(self.history, self.epoch)
