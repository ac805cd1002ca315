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

import warnings
from typing import Any

from convlens.callbacks.callback import Callback, Logs
from convlens.callbacks.history_display import history_html

_KERAS2_KEYS = {"acc": "accuracy", "val_acc": "val_accuracy"}


class HistoryDict(dict):
    """``History.history``: Keras 3's keys, and Keras < 2.3's ``'acc'`` / ``'val_acc'`` answering for
    ``'accuracy'`` / ``'val_accuracy'`` (older notes plot them), with a note the first time.

    Example:
        >>> h = HistoryDict(accuracy=[0.5])
        >>> import warnings; warnings.simplefilter("ignore")
        >>> h["acc"], list(h)
        ([0.5], ['accuracy'])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._noted = False

    def __missing__(self, key: str) -> Any:
        new = _KERAS2_KEYS.get(key)
        if new is None or new not in self:
            raise KeyError(key)
        if not self._noted:
            self._noted = True
            warnings.warn(f"history.history[{key!r}] is Keras < 2.3's name; Keras 3 records {new!r} for "
                          f"metrics=['accuracy'] (write metrics=['acc'] to record 'acc')", UserWarning, stacklevel=2)
        return self[new]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self or (key in _KERAS2_KEYS and _KERAS2_KEYS[key] in self) else default


class History(Callback):
    """Keeps `history` (dict of per-epoch lists keyed like the logs) and `epoch` (0-based epoch indices)."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = HistoryDict()
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
