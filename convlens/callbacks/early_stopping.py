"""`EarlyStopping`: stop training when a monitored quantity has stopped improving.

Example:
    >>> stopper = EarlyStopping(monitor="val_loss", patience=2)
    >>> # model.fit(x, y, validation_split=0.1, epochs=100, callbacks=[stopper])
"""
from __future__ import annotations

from typing import Any

from convlens.callbacks.callback import Logs
from convlens.callbacks.monitor import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Sets `model.stop_training` once `monitor` has not improved by more than `min_delta` for `patience` epochs.

    `baseline`: training also stops if the value does not beat it within `patience` epochs.
    `restore_best_weights`: at the end of training, load the weights of the best epoch.
    `start_from_epoch`: epochs (0-based) before this one are not watched (warm-up).
    After training, `stopped_epoch` is the 0-based epoch at which training stopped (0 if it did not stop).
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        if patience < 0:
            raise ValueError(f"patience must be a number of epochs >= 0; got {patience!r}.")
        if start_from_epoch < 0:
            raise ValueError(f"start_from_epoch must be an epoch index >= 0; got {start_from_epoch!r}.")
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights: list[Any] | None = None

    def on_train_begin(self, logs: Logs = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best_weights = None
        self.reset_best()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Until something improves, the first watched epoch's weights are the best known.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Patience restarts only when the value beats both the previous best and the baseline; an improvement
            # that stays short of the baseline still uses up patience (Keras 3 would never stop in that case).
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
                return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def state_dict(self) -> dict[str, Any]:
        state = {"wait": self.wait, "best": self.best, "best_epoch": self.best_epoch,
                 "stopped_epoch": self.stopped_epoch}
        if self.best_weights is not None:
            state["best_weights"] = list(self.best_weights)
        return state

    def on_train_end(self, logs: Logs = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)
