"""`ModelCheckpoint`: save the model (or its weights) every epoch, every N batches, or only when it improves.

Example:
    >>> checkpointer = ModelCheckpoint(filepath="model.weights.best.hdf5", verbose=1, save_best_only=True)
    >>> # model.fit(x, y, validation_data=(x_val, y_val), epochs=20, callbacks=[checkpointer])
"""
from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import torch

from convlens.callbacks.callback import Logs
from convlens.callbacks.monitor import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Saves with `model.save(path)` or, if `save_weights_only`, `model.save_weights(path)`.

    `filepath` may hold `str.format` fields: `epoch` (1-based), `batch` (1-based, when saving by batch) and any
    logged quantity, e.g. "weights.{epoch:02d}-{val_loss:.2f}.ckpt". The format is convlens's own whatever the
    extension. `save_freq` is 'epoch' or a number of training batches. `initial_value_threshold` is the value the
    monitored quantity must beat for the first save when `save_best_only`.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None) -> None:
        super().__init__(monitor=monitor, mode=mode)
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"save_freq must be 'epoch' or a positive number of batches; got {save_freq!r}.")
        self.filepath = os.fspath(filepath)
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.initial_value_threshold = initial_value_threshold
        if initial_value_threshold is not None:
            self.best = float(initial_value_threshold)
        self._current_epoch = 0
        self._batches_since_save = 0
        self._last_batch_seen = -1

    chief_only = True  # under torchrun only rank 0 writes

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "_batches_since_save": self._batches_since_save,
                "_last_batch_seen": self._last_batch_seen}

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self._should_save_on_batch(batch):
            self._save(self._current_epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        # A batch index that does not grow means a new epoch started: count its batches from 0.
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._last_batch_seen = batch
        self._batches_since_save += added
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            return True
        return False

    def _save(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> None:
        path = self.format_path(epoch, batch, logs)
        if not _weights_finite(self.model):
            warnings.warn(f"ModelCheckpoint: the weights hold NaN or infinite values; {path} was not written, so "
                          f"the last good checkpoint stays", RuntimeWarning, stacklevel=2)
            return
        if self.save_best_only:
            current = self.get_monitor_value(logs)
            if current is None:
                return
            if not self.is_improvement(current, self.best):
                if self.verbose > 0:
                    print(f"Epoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")
                return
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if os.path.isdir(path):
            raise ValueError(f"ModelCheckpoint filepath must name a file, not a directory; got {path!r}.")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def format_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        """Fill the filepath template with the 1-based `epoch` (and `batch`) and the logged values."""
        fields = {key: _scalar(value) for key, value in logs.items()}
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields["batch"] = batch + 1
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError) as err:
            raise ValueError(f"Cannot format ModelCheckpoint filepath {self.filepath!r}: unknown field {err}. "
                             f"Available fields: {', '.join(sorted(fields))}.") from err


def _weights_finite(model: Any) -> bool:
    """True when every weight is finite (checked tensor by tensor, on the weights' device)."""
    parameters = getattr(model, "parameters", None)
    if callable(parameters):
        tensors = [*model.parameters(), *getattr(model, "buffers", lambda: [])()]
        return all(bool(torch.isfinite(t).all()) for t in tensors if t.is_floating_point())
    return all(np.isfinite(w).all() for w in model.get_weights() if np.issubdtype(np.asarray(w).dtype, np.floating))


def _scalar(value: Any) -> Any:
    """0-dim tensors and arrays become floats so that format specs like ':.2f' apply."""
    if getattr(value, "ndim", None) == 0 or getattr(value, "shape", None) == ():
        return float(value)
    return value
