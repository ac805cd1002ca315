"""Background decoding: a thread pool that loads the items of upcoming batches while the model trains.

Pillow releases the GIL while it decodes, so threads give real parallelism without copying data between
processes. Each item's outcome is ``(value, None)`` or ``(None, exception)``; nothing raises in a worker.

Example:
    >>> with BatchPrefetcher(lambda i: i * i, workers=2) as pf:
    ...     pf.schedule(0, [1, 2, 3])
    ...     [value for value, _ in pf.take(0, [1, 2, 3])]
    [1, 4, 9]
"""
from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Hashable, Sequence


def _safe(load: Callable[[Any], Any], item: Any) -> tuple[Any, BaseException | None]:
    try:
        return load(item), None
    except Exception as exc:  # a broken file must not kill the epoch: hand the error to the caller.
        return None, exc


class BatchPrefetcher:
    """Loads items with ``load(item)`` in ``workers`` threads; batches are keyed so they can be requested early."""

    def __init__(self, load: Callable[[Any], Any], workers: int = 2) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1; got {workers!r}.")
        self._load = load
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pending: dict[Hashable, list[Future]] = {}
        self._lock = threading.Lock()

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="convlens-decode")
        return self._pool

    def schedule(self, key: Hashable, items: Sequence[Any]) -> None:
        """Start loading ``items`` under ``key`` unless already started."""
        with self._lock:
            if key not in self._pending:
                pool = self._executor()
                self._pending[key] = [pool.submit(_safe, self._load, item) for item in items]

    def take(self, key: Hashable, items: Sequence[Any]) -> list[tuple[Any, BaseException | None]]:
        """Wait for (or start and wait for) the batch ``key``; returns one ``(value, error)`` per item."""
        self.schedule(key, items)
        with self._lock:
            futures = self._pending.pop(key)
        return [f.result() for f in futures]

    def clear(self) -> None:
        """Forget everything scheduled (e.g. the order changed at the end of an epoch)."""
        with self._lock:
            for futures in self._pending.values():
                for f in futures:
                    f.cancel()
            self._pending.clear()

    def close(self) -> None:
        """Stop the worker threads."""
        self.clear()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "BatchPrefetcher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
