"""`CallbackList`: one object the engine calls, which forwards each hook to every callback in order.

Example:
    >>> from convlens.callbacks import EarlyStopping
    >>> callbacks = CallbackList([EarlyStopping(patience=2)], model=None, epochs=10, steps=100, verbose=0)
    >>> [type(cb).__name__ for cb in callbacks]
    ['EarlyStopping', 'History']
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from convlens.callbacks.callback import Callback, Logs
from convlens.callbacks.history import History
from convlens.callbacks.progbar_logger import ProgbarLogger


class CallbackList(Callback):
    """Container that dispatches every hook to its callbacks.

    Order as Keras: the `ProgbarLogger` first (so the epoch's line is printed before any callback's message), the
    user's callbacks, then `History` last (so it records keys that callbacks add to the logs, such as
    'learning_rate' from `ReduceLROnPlateau`). `add_progbar` adds the progress bar only when `verbose` is not 0.
    A `History` or `ProgbarLogger` given by the user is used instead of a new one.
    """

    def __init__(self, callbacks: Iterable[Callback] | None = None, model: Any = None, add_history: bool = True,
                 add_progbar: bool = False, verbose: int = 1, epochs: int | None = None, steps: int | None = None,
                 **params: Any) -> None:
        super().__init__()
        callbacks = list(callbacks or [])
        # Callbacks that record the run (BackupAndRestore) act after the others, so a backup holds the state that
        # the others' epoch- and batch-end hooks just produced (a reduced learning rate, a counter).
        self.callbacks: list[Callback] = [cb for cb in callbacks if not getattr(cb, "runs_last", False)] + \
            [cb for cb in callbacks if getattr(cb, "runs_last", False)]
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise ValueError(f"callbacks must be Callback instances; got {cb!r} of type {type(cb).__name__}.")
        self.history: History | None = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self.progbar: ProgbarLogger | None = next(
            (cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)), None)
        if self.history is None and add_history:
            self.history = History()
            self.callbacks.append(self.history)
        if self.progbar is None and add_progbar and verbose:
            self.progbar = ProgbarLogger()
            self.callbacks.insert(0, self.progbar)
        self.set_params({"verbose": verbose, "epochs": epochs, "steps": steps, **params})
        if model is not None:
            self.set_model(model)

    def __iter__(self) -> Iterator[Callback]:
        return iter(self.callbacks)

    def __len__(self) -> int:
        return len(self.callbacks)

    def append(self, callback: Callback) -> None:
        """Add a callback, giving it the list's params and model."""
        callback.set_params(self.params)
        if self.model is not None:
            callback.set_model(self.model)
        self.callbacks.append(callback)

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model: Any) -> None:
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def set_trainer(self, trainer: Any) -> None:
        self.trainer = trainer
        for cb in self.callbacks:
            if hasattr(cb, "set_trainer"):
                cb.set_trainer(trainer)
            else:
                cb.trainer = trainer

    def on_train_begin(self, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_train_begin(logs)

    def on_train_end(self, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_train_end(logs)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_epoch_end(epoch, logs)

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self.on_train_batch_begin(batch, logs)

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        self.on_train_batch_end(batch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_train_batch_end(batch, logs)

    def on_test_begin(self, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_test_begin(logs)

    def on_test_end(self, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_test_end(logs)

    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_test_batch_begin(batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_test_batch_end(batch, logs)

    def on_predict_begin(self, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_predict_begin(logs)

    def on_predict_end(self, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_predict_end(logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_predict_batch_begin(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        logs = {} if logs is None else logs  # Keras passes a dict to every hook
        for cb in self.callbacks:
            cb.on_predict_batch_end(batch, logs)
