"""The `Callback` base class: every hook exists and does nothing, so subclasses override only what they need.

Example:
    >>> class PrintEpoch(Callback):
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         print(f"epoch {epoch + 1}: loss {logs['loss']:.3f}")
    >>> PrintEpoch().on_epoch_end(0, {"loss": 0.5})
    epoch 1: loss 0.500
"""
from __future__ import annotations

from typing import Any

Logs = dict[str, Any] | None


class Callback:
    """Base class of Keras-style callbacks.

    The engine calls `set_params` (a dict with 'epochs', 'steps', 'verbose'), `set_model` and `set_trainer` before
    training, then the `on_*` hooks: `on_test_*` also during the validation pass inside `fit`, `on_predict_*` in
    `predict`. `epoch` and `batch` are 0-based indices. Epoch-end logs hold Python floats; batch-end logs
    hold running means that may be 0-dim tensors, so convert them with `float()` only when the value is needed.

    `state_dict()` / `load_state_dict()` carry what a resumed run needs (counters, best values); a callback with
    `chief_only = True` (one that writes files) runs only on rank 0 under torchrun.
    """

    chief_only = False

    def __init__(self) -> None:
        self.model: Any = None
        self.trainer: Any = None
        self.params: dict[str, Any] = {}

    def set_trainer(self, trainer: Any) -> None:
        self.trainer = trainer

    def state_dict(self) -> dict[str, Any]:
        """What a resumed run needs to continue this callback exactly (JSON values, arrays); {} when nothing."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Take back what `state_dict()` returned."""
        for key, value in state.items():
            setattr(self, key, value)

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self.model = model

    def on_train_begin(self, logs: Logs = None) -> None:
        """Called once at the start of `fit`."""

    def on_train_end(self, logs: Logs = None) -> None:
        """Called once at the end of `fit`."""

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        """Called at the start of each epoch (0-based `epoch`)."""

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        """Called at the end of each epoch with the epoch's metrics, validation ones prefixed 'val_'."""

    # Keras keeps the old `on_batch_*` names as aliases of the training-batch hooks.
    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Old name of `on_train_batch_begin`."""

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Old name of `on_train_batch_end`."""

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self.on_batch_end(batch, logs=logs)

    def on_test_begin(self, logs: Logs = None) -> None:
        """Called at the start of evaluation (also the validation pass inside `fit`)."""

    def on_test_end(self, logs: Logs = None) -> None:
        """Called at the end of evaluation."""

    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Called before each evaluation batch."""

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Called after each evaluation batch."""

    def on_predict_begin(self, logs: Logs = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: Logs = None) -> None:
        """Called at the end of `predict`."""

    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None:
        """Called before each prediction batch."""

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        """Called after each prediction batch."""
