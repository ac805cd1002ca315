"""`LambdaCallback`: build a callback from plain functions.

Example:
    >>> losses = []
    >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    >>> cb.on_epoch_end(0, {"loss": 0.7})
    >>> losses
    [0.7]
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from convlens.callbacks.callback import Callback

_HOOKS = (
    "on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
    "on_train_batch_end", "on_batch_begin", "on_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin",
    "on_test_batch_end", "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end",
)


class LambdaCallback(Callback):
    """Each given function replaces the hook of the same name, with the same arguments as the hook:
    `(logs)` for train/test/predict begin/end, `(epoch, logs)` for epochs, `(batch, logs)` for batches.
    """

    def __init__(self, on_epoch_begin: Callable[..., Any] | None = None, on_epoch_end: Callable[..., Any] | None = None,
                 on_train_begin: Callable[..., Any] | None = None, on_train_end: Callable[..., Any] | None = None,
                 on_train_batch_begin: Callable[..., Any] | None = None,
                 on_train_batch_end: Callable[..., Any] | None = None, **other_hooks: Callable[..., Any]) -> None:
        super().__init__()
        unknown = sorted(set(other_hooks) - set(_HOOKS))
        if unknown:
            raise ValueError(f"LambdaCallback got unknown hook name(s) {unknown}; expected some of {list(_HOOKS)}.")
        hooks = dict(other_hooks, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin, on_train_batch_end=on_train_batch_end)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise ValueError(f"LambdaCallback {name} must be a function; got {fn!r}.")
            setattr(self, name, fn)
