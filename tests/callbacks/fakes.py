"""A fake model with the attributes callbacks use, and a loop that replays scripted epoch logs."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from convlens.callbacks import Callback, CallbackList


class FakeOptimizer:
    def __init__(self, learning_rate: float = 0.1) -> None:
        self._lr = learning_rate

    @property
    def learning_rate(self) -> float:
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._lr = float(value)


class FakeModel:
    """Its single weight is set to the epoch number by `replay`, so restored weights tell which epoch they came from."""

    def __init__(self, learning_rate: float = 0.1) -> None:
        self.stop_training = False
        self.optimizer = FakeOptimizer(learning_rate)
        self.weights = [np.zeros(2)]
        self.saved: list[tuple[str, str]] = []

    def get_weights(self) -> list[np.ndarray]:
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        self.weights = [np.array(w) for w in weights]

    def save(self, filepath: str) -> None:
        Path(filepath).write_text(f"model {self.weights[0][0]}")
        self.saved.append(("model", filepath))

    def save_weights(self, filepath: str) -> None:
        Path(filepath).write_text(f"weights {self.weights[0][0]}")
        self.saved.append(("weights", filepath))


def replay(callbacks: list[Callback], model: FakeModel, epoch_logs: list[dict[str, Any]], steps: int = 3) -> int:
    """Run a fit-like loop over the scripted epoch logs; return the number of epochs run."""
    cbs = CallbackList(callbacks, model=model, epochs=len(epoch_logs), steps=steps, verbose=0)
    model.stop_training = False
    cbs.on_train_begin()
    run = 0
    for epoch, logs in enumerate(epoch_logs):
        cbs.on_epoch_begin(epoch)
        model.weights = [np.full(2, float(epoch))]
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            cbs.on_train_batch_end(batch, {"loss": logs.get("loss", 1.0), "size": 4})
        cbs.on_epoch_end(epoch, dict(logs))
        run += 1
        if model.stop_training:
            break
    cbs.on_train_end()
    return run
