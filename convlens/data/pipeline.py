"""``Dataset`` and its chained steps (``map``, ``batch``, ``unbatch``, ``shuffle``, ``cache``, ``prefetch``,
``take``, ``skip``, ``repeat``, ``filter``), and ``from_tensor_slices``'s source; ``convlens.data.dataset`` hands
them out.

Example:
    >>> import torch
    >>> [int(x) for x in Dataset.from_tensor_slices(torch.arange(6)).skip(1).take(3)]
    [1, 2, 3]
"""
from __future__ import annotations

import math
import queue
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

import numpy as np
import torch

from convlens.data.elements import AUTOTUNE, _call, _for_user, _row, _rows, _stack, _workers


_END = object()


class Dataset:
    """Base class: subclasses implement ``_elements()`` (one pass) and set ``_length`` / ``_samples``."""

    def __init__(self, upstream: "Dataset | None" = None) -> None:
        self._upstream = upstream
        self._length: int | None = None if upstream is None else upstream._length
        self._samples: int | None = None if upstream is None else upstream._samples  # rows over all elements
        self.class_names: list[str] | None = None if upstream is None else upstream.class_names
        self.file_paths: list[str] | None = None if upstream is None else upstream.file_paths
        self._cursor: Iterator[Any] | None = None
        self._position = 0

    # --- iteration ----------------------------------------------------------------------------------------------
    def _elements(self) -> Iterator[Any]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[Any]:
        """One pass; tensors come as :class:`ArrayTensor`, which NumPy functions also accept."""
        return (_for_user(element) for element in self._elements())

    def __len__(self) -> int:
        if self._length is None:
            raise TypeError("the number of elements of this dataset is unknown (after repeat() or filter()); "
                            "pass steps_per_epoch / steps to fit, evaluate or predict")
        return self._length

    def __getitem__(self, index: int) -> Any:
        """Element ``index`` of the current pass, for Keras-``Sequence`` readers that go in order (``fit``).

        Asking for an element before the last one asked for starts a new pass; ``on_epoch_end()`` does too.
        """
        length = len(self)
        if index < 0:
            index += length
        if not 0 <= index < length:
            raise IndexError(f"element {index} of a dataset of {length} elements")
        if self._cursor is None or index < self._position:
            self._cursor, self._position = self._elements(), 0
        try:
            while self._position < index:
                next(self._cursor)
                self._position += 1
            element = next(self._cursor)
        except StopIteration:
            raise IndexError(f"the dataset ended before element {index}") from None
        self._position += 1
        return element

    def on_epoch_end(self) -> None:
        """Forget the pass ``ds[i]`` was reading; the next ``ds[0]`` starts a new one."""
        self._cursor, self._position = None, 0

    @property
    def class_indices(self) -> dict[str, int] | None:
        """``{class_name: index}`` (stored with a model trained on this dataset)."""
        return None if self.class_names is None else {name: i for i, name in enumerate(self.class_names)}

    def as_numpy_iterator(self) -> Iterator[Any]:
        """The elements with NumPy arrays instead of tensors."""
        def to_numpy(value: Any) -> Any:
            if isinstance(value, tuple):
                return tuple(to_numpy(v) for v in value)
            if isinstance(value, dict):
                return {k: to_numpy(v) for k, v in value.items()}
            return value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        return (to_numpy(element) for element in self)

    def cardinality(self) -> int:
        """The number of elements, ``-1`` for infinite and ``-2`` for unknown (``tf.data``'s convention)."""
        return self._length if self._length is not None else -2

    # --- transformations ------------------------------------------------------------------------------------------
    def map(self, map_func: Callable[..., Any], num_parallel_calls: int | None = None,
            deterministic: bool | None = None) -> "Dataset":
        """``map_func(*element)`` for tuple elements, ``map_func(element)`` otherwise; with
        ``num_parallel_calls`` (a number or ``AUTOTUNE``) several elements are mapped at once in threads, the
        order kept."""
        return _Map(self, map_func, num_parallel_calls)

    def batch(self, batch_size: int, drop_remainder: bool = False) -> "Dataset":
        return _Batch(self, batch_size, drop_remainder)

    def unbatch(self) -> "Dataset":
        return _Unbatch(self)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True) -> "Dataset":
        """``tf.data``'s buffer shuffle: each element is drawn at random from the next ``buffer_size``."""
        return _Shuffle(self, buffer_size, seed, reshuffle_each_iteration)

    def cache(self, filename: str = "") -> "Dataset":
        """Keep the elements in memory the first time they are produced; later passes read them from there."""
        if filename:
            raise ValueError(f"cache(filename={filename!r}): convlens caches in memory only; call cache()")
        return _Cache(self)

    def prefetch(self, buffer_size: int = AUTOTUNE) -> "Dataset":
        """Produce up to ``buffer_size`` elements ahead in a background thread (``AUTOTUNE``: 2)."""
        return _Prefetch(self, buffer_size)

    def take(self, count: int) -> "Dataset":
        return _Take(self, count)

    def skip(self, count: int) -> "Dataset":
        return _Skip(self, count)

    def repeat(self, count: int | None = None) -> "Dataset":
        return _Repeat(self, count)

    def filter(self, predicate: Callable[..., Any]) -> "Dataset":
        return _Filter(self, predicate)

    @staticmethod
    def from_tensor_slices(tensors: Any) -> "Dataset":
        """One element per row of ``tensors`` (an array, a tensor, or a tuple/dict of them)."""
        return TensorSlices(tensors)

    def __repr__(self) -> str:
        size = self._length if self._length is not None else "unknown"
        return f"<{type(self).__name__.lstrip('_')}Dataset elements={size}>"


class TensorSlices(Dataset):
    def __init__(self, tensors: Any) -> None:
        super().__init__()

        def as_tensor(value: Any) -> Any:
            if isinstance(value, tuple):
                return tuple(as_tensor(v) for v in value)
            if isinstance(value, dict):
                return {k: as_tensor(v) for k, v in value.items()}
            return value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
        self.tensors = as_tensor(tensors)
        self._length = _rows(self.tensors)

    def _elements(self) -> Iterator[Any]:
        for i in range(self._length):
            yield _row(self.tensors, i)


class _Map(Dataset):
    def __init__(self, upstream: Dataset, fn: Callable[..., Any], parallel: int | None) -> None:
        super().__init__(upstream)
        if not callable(fn):
            raise TypeError(f"map needs a function, got {fn!r}")
        if parallel is not None and parallel != AUTOTUNE and int(parallel) < 1:
            raise ValueError(f"num_parallel_calls must be a positive number or AUTOTUNE, got {parallel!r}")
        self.fn, self.parallel = fn, parallel

    def _elements(self) -> Iterator[Any]:
        workers = 1 if self.parallel is None else _workers(self.parallel)
        if workers == 1:
            for element in self._upstream._elements():
                yield _call(self.fn, element)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="convlens-map") as pool:
            pending: deque = deque()
            for element in self._upstream._elements():
                pending.append(pool.submit(_call, self.fn, element))
                if len(pending) >= workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


class _Batch(Dataset):
    def __init__(self, upstream: Dataset, batch_size: int, drop_remainder: bool) -> None:
        super().__init__(upstream)
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        self.batch_size, self.drop_remainder = int(batch_size), drop_remainder
        n = upstream._length
        self._samples = n
        self._length = None if n is None else (n // self.batch_size if drop_remainder else
                                               math.ceil(n / self.batch_size))

    def _elements(self) -> Iterator[Any]:
        items: list[Any] = []
        for element in self._upstream._elements():
            items.append(element)
            if len(items) == self.batch_size:
                yield _stack(items)
                items = []
        if items and not self.drop_remainder:
            yield _stack(items)


class _Unbatch(Dataset):
    def __init__(self, upstream: Dataset) -> None:
        super().__init__(upstream)
        self._length, self._samples = upstream._samples, None

    def _elements(self) -> Iterator[Any]:
        for element in self._upstream._elements():
            for i in range(_rows(element)):
                yield _row(element, i)


class _Shuffle(Dataset):
    def __init__(self, upstream: Dataset, buffer_size: int, seed: int | None, reshuffle: bool) -> None:
        super().__init__(upstream)
        if int(buffer_size) < 1:
            raise ValueError(f"shuffle(buffer_size=…) must be >= 1, got {buffer_size!r}")
        self.buffer_size, self.reshuffle = int(buffer_size), reshuffle
        self.seed = int(np.random.SeedSequence().entropy % 2 ** 32) if seed is None else int(seed)
        self._passes = 0

    def _elements(self) -> Iterator[Any]:
        pass_number = self._passes if self.reshuffle else 0
        self._passes += 1
        rng = np.random.default_rng([self.seed, pass_number])
        buffer: list[Any] = []
        for element in self._upstream._elements():
            if len(buffer) < self.buffer_size:
                buffer.append(element)
                continue
            j = int(rng.integers(len(buffer)))
            yield buffer[j]
            buffer[j] = element
        while buffer:
            yield buffer.pop(int(rng.integers(len(buffer))))


class _Cache(Dataset):
    """Elements kept as they are first produced; a later (or restarted) pass reads them, then continues the
    one upstream pass where it stopped, so nothing upstream runs twice."""

    def __init__(self, upstream: Dataset) -> None:
        super().__init__(upstream)
        self._items: list[Any] = []
        self._source: Iterator[Any] | None = None
        self._complete = False
        self._lock = threading.Lock()

    def _elements(self) -> Iterator[Any]:
        i = 0
        while True:
            with self._lock:
                if i < len(self._items):
                    element = self._items[i]
                elif self._complete:
                    return
                else:
                    if self._source is None:
                        self._source = self._upstream._elements()
                    try:
                        element = next(self._source)
                    except StopIteration:
                        self._complete, self._source = True, None
                        self._length = len(self._items)
                        return
                    self._items.append(element)
            i += 1
            yield element


class _Prefetch(Dataset):
    def __init__(self, upstream: Dataset, buffer_size: int) -> None:
        super().__init__(upstream)
        if buffer_size != AUTOTUNE and int(buffer_size) < 0:
            raise ValueError(f"prefetch(buffer_size=…) must be >= 0 or AUTOTUNE, got {buffer_size!r}")
        self.buffer_size = 2 if buffer_size == AUTOTUNE else int(buffer_size)

    def _elements(self) -> Iterator[Any]:
        if self.buffer_size == 0:
            yield from self._upstream._elements()
            return
        slots: queue.Queue = queue.Queue(self.buffer_size)
        stop = threading.Event()

        def put(item: Any) -> bool:
            while not stop.is_set():
                try:
                    slots.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def work() -> None:
            try:
                for element in self._upstream._elements():
                    if not put((element, None)):
                        return
                put((_END, None))
            except BaseException as error:  # handed to the consumer, raised there
                put((_END, error))

        thread = threading.Thread(target=work, daemon=True, name="convlens-prefetch")
        thread.start()
        try:
            while True:
                element, error = slots.get()
                if element is _END:
                    if error is not None:
                        raise error
                    return
                yield element
        finally:
            stop.set()


class _Take(Dataset):
    def __init__(self, upstream: Dataset, count: int) -> None:
        super().__init__(upstream)
        self.count = int(count)
        n = upstream._length
        self._length = n if self.count < 0 else (self.count if n is None else min(n, self.count))
        self._samples = upstream._samples if self._length == n else None

    def _elements(self) -> Iterator[Any]:
        if self.count < 0:
            yield from self._upstream._elements()
            return
        if self.count == 0:
            return
        for i, element in enumerate(self._upstream._elements()):
            yield element
            if i + 1 >= self.count:
                return


class _Skip(Dataset):
    def __init__(self, upstream: Dataset, count: int) -> None:
        super().__init__(upstream)
        self.count = int(count)
        n = upstream._length
        self._length = None if n is None else (0 if self.count < 0 else max(0, n - self.count))
        self._samples = None

    def _elements(self) -> Iterator[Any]:
        for i, element in enumerate(self._upstream._elements()):
            if self.count >= 0 and i >= self.count:
                yield element


class _Repeat(Dataset):
    def __init__(self, upstream: Dataset, count: int | None) -> None:
        super().__init__(upstream)
        self.count = None if count is None or count < 0 else int(count)
        n = upstream._length
        self._length = None if self.count is None or n is None else n * self.count
        self._samples = None

    def _elements(self) -> Iterator[Any]:
        passes = 0
        while self.count is None or passes < self.count:
            yield from self._upstream._elements()
            passes += 1


class _Filter(Dataset):
    def __init__(self, upstream: Dataset, predicate: Callable[..., Any]) -> None:
        super().__init__(upstream)
        self.predicate = predicate
        self._length = self._samples = None

    def _elements(self) -> Iterator[Any]:
        for element in self._upstream._elements():
            if bool(_call(self.predicate, element)):
                yield element
