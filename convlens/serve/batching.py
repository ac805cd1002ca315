"""Dynamic batching: requests that arrive together share one forward pass (TorchServe's ``batch_size`` +
``max_batch_delay``, LitServe's ``max_batch_size`` + ``batch_timeout``).

Each request hands in its own batch (usually one sample) and waits for its own rows of the answer. One worker thread
takes the first waiting request, gathers more until ``max_batch_size`` samples are queued or ``max_delay`` seconds
have passed, runs ``predict`` once on the concatenation and hands each request its slice. If that call fails, each
request of the group is run alone, so one bad request gets its own error and never breaks the others.

Example:
    >>> import numpy as np
    >>> batcher = Batcher(lambda x: x.sum(axis=(1, 2)), max_batch_size=4, max_delay=0.001)
    >>> batcher.predict(np.ones((1, 2, 2), np.float32)).tolist()
    [4.0]
    >>> batcher.close()
"""
from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from typing import Callable

import numpy as np

_STOP = object()


class Batcher:
    """Gathers concurrent ``predict(batch)`` calls into batches of at most ``max_batch_size`` samples, waiting at
    most ``max_delay`` seconds after the first one for others to join."""

    def __init__(self, predict: Callable[[np.ndarray], np.ndarray], max_batch_size: int = 32,
                 max_delay: float = 0.002) -> None:
        if isinstance(max_batch_size, bool) or not isinstance(max_batch_size, int) or max_batch_size < 1:
            raise ValueError(f"max_batch_size must be a positive whole number, got {max_batch_size!r}")
        if not 0 <= float(max_delay) <= 10:
            raise ValueError(f"max_delay must be between 0 and 10 seconds, got {max_delay!r}")
        self._predict, self.max_batch_size, self.max_delay = predict, max_batch_size, float(max_delay)
        self._queue: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0  # forward passes run, for tests and the benchmark's report

    def submit(self, batch: np.ndarray) -> Future:
        """A future of ``predict``'s rows for ``batch`` (an ``asyncio`` handler awaits ``asyncio.wrap_future``)."""
        future: Future = Future()
        self._ensure_worker()
        self._queue.put((batch, future))
        return future

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """``submit`` and wait: the rows of the answer for ``batch``."""
        return self.submit(batch).result()

    def close(self) -> None:
        """Stop the worker thread once the requests already queued are answered."""
        with self._start_lock:
            if self._worker is not None:
                self._queue.put(_STOP)
                self._worker.join(timeout=30)
                self._worker = None

    def _ensure_worker(self) -> None:
        with self._start_lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="convlens-batcher", daemon=True)
                self._worker.start()

    def _gather(self, first: tuple) -> tuple[list[tuple], bool]:
        """The group that starts with ``first``: ``(requests, stop_after)``."""
        group, samples = [first], len(first[0])
        deadline = time.monotonic() + self.max_delay
        while samples < self.max_batch_size:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return group, True
            group.append(item)
            samples += len(item[0])
        return group, False

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            group, stop = self._gather(first)
            self._answer(group)
            if stop:
                return

    def _answer(self, group: list[tuple]) -> None:
        live = [(batch, future) for batch, future in group if future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            self.batches += 1
            out = self._predict(np.concatenate([batch for batch, _ in live]) if len(live) > 1 else live[0][0])
        except Exception as err:  # noqa: BLE001  one request spoiled the batch: run each alone, each its own answer
            if len(live) == 1:
                live[0][1].set_exception(err)
            else:
                for batch, future in live:
                    self._run_alone(batch, future)
            return
        start = 0
        for batch, future in live:
            future.set_result(out[start:start + len(batch)])
            start += len(batch)

    def _run_alone(self, batch: np.ndarray, future: Future) -> None:
        try:
            self.batches += 1
            future.set_result(self._predict(batch))
        except Exception as err:  # noqa: BLE001  handed to the request's handler, which answers with it
            future.set_exception(err)


__all__ = ["Batcher"]
