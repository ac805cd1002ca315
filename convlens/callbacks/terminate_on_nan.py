"""`TerminateOnNaN`: stop training as soon as the loss becomes NaN or infinite.

Example:
    >>> guard = TerminateOnNaN()
    >>> # model.fit(x, y, callbacks=[guard])
"""
from __future__ import annotations

import math

from convlens.callbacks.callback import Callback, Logs


class TerminateOnNaN(Callback):
    """Checks the batch 'loss' after every training batch and sets `model.stop_training` when it is not finite.

    Reading the loss needs its value on the host, so this callback converts it every batch (one sync per batch).
    """

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        if not math.isfinite(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
