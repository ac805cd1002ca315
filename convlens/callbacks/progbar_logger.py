"""`ProgbarLogger`: the callback that prints "Epoch 1/10" and a `Progbar` per epoch (and for evaluate/predict).

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> logger = ProgbarLogger(stream=out, interactive=False)
    >>> logger.set_params({"epochs": 2, "steps": 3, "verbose": 2})
    >>> logger.on_epoch_begin(0)
    >>> logger.on_epoch_end(0, {"loss": 0.5})
    >>> out.getvalue().splitlines()[0]
    'Epoch 1/2'
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from convlens.callbacks.callback import Callback, Logs
from convlens.callbacks.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints training progress to `stream` (default: `sys.stdout` at creation) following `params['verbose']`.

    Batch logs may carry 'size' (samples in the batch); it feeds the img/s figure without being converted.
    """

    def __init__(self, stream: TextIO | None = None, interactive: bool | None = None, interval: float = 0.25,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.stream = stream if stream is not None else sys.stdout
        self.interactive = interactive
        self.interval = interval
        self.clock = clock
        self.progbar: Progbar | None = None
        self._in_fit = False
        self._seen = 0

    @property
    def verbose(self) -> int:
        """`params['verbose']` as 0, 1 or 2; Keras's 'auto' means 1."""
        verbose = self.params.get("verbose", 1)
        if verbose == "auto":
            return 1
        if verbose not in (0, 1, 2, None, False, True):
            raise ValueError(f"verbose must be 'auto', 0, 1 or 2; got {verbose!r}.")
        return int(verbose or 0)

    def _new_bar(self, verbose: int | None = None) -> None:
        self._seen = 0
        self.progbar = Progbar(self.params.get("steps"), verbose=self.verbose if verbose is None else verbose,
                               interval=self.interval, stream=self.stream, interactive=self.interactive,
                               clock=self.clock)

    def _batch_update(self, batch: int, logs: Logs) -> None:
        if self.progbar is None:
            return
        self._seen = batch + 1
        if logs and "size" in logs:
            self.progbar.add_samples(logs["size"])
        self.progbar.update(self._seen, logs)

    def _finalize(self, logs: Logs) -> None:
        if self.progbar is None:
            return
        target = self.progbar.target if self.progbar.target is not None else self._seen
        self.progbar.update(target, logs, finalize=True)
        self.progbar = None

    def on_train_begin(self, logs: Logs = None) -> None:
        self._in_fit = True

    def on_train_end(self, logs: Logs = None) -> None:
        self._in_fit = False

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        if not self.verbose:
            return
        epochs = self.params.get("epochs")
        if epochs is not None and epochs > 1:
            self.stream.write(f"Epoch {epoch + 1}/{epochs}\n")
            self.stream.flush()
        self._new_bar()

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._batch_update(batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        precision = self.params.get("precision")  # the precision policy that ran, e.g. 'float32' or 'bfloat16'
        self._finalize({**(logs or {}), "precision": precision} if precision else logs)

    # Evaluate / predict get their own bar, but not the validation pass inside fit (its results go on the epoch line).
    def on_test_begin(self, logs: Logs = None) -> None:
        if not self._in_fit and self.verbose:
            self._new_bar()

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        if not self._in_fit:
            self._batch_update(batch, logs)

    def on_test_end(self, logs: Logs = None) -> None:
        if not self._in_fit:
            self._finalize(logs)

    def on_predict_begin(self, logs: Logs = None) -> None:
        if self.verbose:
            self._new_bar()

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        # Predict logs hold the outputs, not metrics: keep only the batch size.
        size = logs.get("size", len(logs["outputs"]) if "outputs" in logs else None) if logs else None
        self._batch_update(batch, {"size": size} if size is not None else None)

    def on_predict_end(self, logs: Logs = None) -> None:
        self._finalize(None)
