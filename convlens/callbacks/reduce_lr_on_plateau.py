"""`ReduceLROnPlateau`: multiply the learning rate by `factor` when a monitored quantity stops improving.

Example:
    >>> reduce_lr = ReduceLROnPlateau(monitor="val_loss", factor=0.2, patience=5, min_lr=0.001)
    >>> # model.fit(x, y, validation_split=0.1, callbacks=[reduce_lr])
"""
from __future__ import annotations

from convlens.callbacks.callback import Logs
from convlens.callbacks.monitor import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """After `patience` epochs without an improvement larger than `min_delta`, sets
    `lr = max(lr * factor, min_lr)`, then waits `cooldown` epochs before counting again.

    As Keras 3, it adds the current 'learning_rate' to the epoch logs (so `History` records it).
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0) -> None:
        super().__init__(monitor=monitor, mode=mode, min_delta=min_delta)
        if not 0.0 <= factor < 1.0:
            raise ValueError(f"ReduceLROnPlateau factor must be in [0, 1) so that it reduces; got factor={factor!r}.")
        if patience < 0 or cooldown < 0:
            raise ValueError(f"patience and cooldown must be >= 0; got patience={patience!r}, cooldown={cooldown!r}.")
        if min_lr < 0:
            raise ValueError(f"min_lr must be >= 0; got {min_lr!r}.")
        self.factor = float(factor)
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.min_lr = float(min_lr)
        self.wait = 0
        self.cooldown_counter = 0

    def on_train_begin(self, logs: Logs = None) -> None:
        self.wait = 0
        self.cooldown_counter = 0
        self.reset_best()

    def state_dict(self) -> dict[str, float | int]:
        return {"wait": self.wait, "cooldown_counter": self.cooldown_counter, "best": self.best}

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        old_lr = float(self.model.optimizer.learning_rate)
        if old_lr > self.min_lr:
            new_lr = max(old_lr * self.factor, self.min_lr)
            self.model.optimizer.learning_rate = new_lr
            if self.verbose > 0:
                print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new_lr}.")
            self.cooldown_counter = self.cooldown
            self.wait = 0
