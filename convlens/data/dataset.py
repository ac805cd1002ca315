"""A small ``tf.data``-style dataset: a re-iterable pipeline of elements (usually ``(images, labels)`` batches of
torch tensors) with ``map``, ``batch``, ``unbatch``, ``shuffle``, ``cache``, ``prefetch``, ``take``, ``skip`` and
``repeat``, as the Keras image tutorials chain them.

Each ``for`` over a dataset is one pass (an epoch); a shuffled source draws a new order every pass. Images are
decoded a batch at a time by a thread pool, batches ahead of the one being used (``convlens.data.prefetch``);
``cache()`` keeps every element the first time it is produced, so no file is read twice. A dataset also answers
``len()`` (elements per pass, when known) and ``ds[i]`` read in order, so ``fit``/``evaluate``/``predict`` take it
like a Keras ``Sequence``.

Example:
    >>> import torch
    >>> ds = Dataset.from_tensor_slices((torch.arange(10.0), torch.arange(10) % 2)).batch(4)
    >>> len(ds), [tuple(x.shape) for x, y in ds]
    (3, [(4,), (4,), (2,)])
    >>> sorted(int(y.sum()) for x, y in ds.unbatch().shuffle(10, seed=0).batch(5).cache().prefetch(AUTOTUNE))
    [2, 3]
"""
from __future__ import annotations

import math
import os
import queue
import threading
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch

from convlens.data.decode import CHANNELS, check_color_mode, load_image
from convlens.data.prefetch import BatchPrefetcher

AUTOTUNE = -1  # ``tf.data.AUTOTUNE``: let the dataset pick (a few elements ahead, a thread per core)
_END = object()


def _workers(value: int | None) -> int:
    return min(4, os.cpu_count() or 1) if value is None or value == AUTOTUNE else max(1, int(value))


def _stack(items: list[Any]) -> Any:
    """Stack a list of elements component-wise (tuples, dicts, tensors, arrays or numbers)."""
    first = items[0]
    if isinstance(first, tuple):
        return tuple(_stack([item[i] for item in items]) for i in range(len(first)))
    if isinstance(first, dict):
        return {key: _stack([item[key] for item in items]) for key in first}
    return torch.stack([torch.as_tensor(item) for item in items])


def _rows(element: Any) -> int:
    first = element[0] if isinstance(element, tuple) else next(iter(element.values())) \
        if isinstance(element, dict) else element
    return len(first)


def _row(element: Any, index: int) -> Any:
    if isinstance(element, tuple):
        return tuple(_row(part, index) for part in element)
    if isinstance(element, dict):
        return {key: _row(value, index) for key, value in element.items()}
    return element[index]


class ArrayTensor(torch.Tensor):
    """A torch tensor that NumPy functions accept as well (``np.min(t)``, ``np.argmax(t)``), as TensorFlow's eager
    tensors are; results of torch operations on it stay ``ArrayTensor``. ``fit`` reads plain tensors."""

    def __array_function__(self, func: Callable[..., Any], types: Any, args: Any, kwargs: Any) -> Any:
        return func(*_to_numpy(args), **_to_numpy(kwargs))


def _to_numpy(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(_to_numpy(v) for v in value)
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    return value


def _for_user(element: Any) -> Any:
    if isinstance(element, tuple):
        return tuple(_for_user(part) for part in element)
    if isinstance(element, dict):
        return {key: _for_user(value) for key, value in element.items()}
    if isinstance(element, torch.Tensor) and type(element) is torch.Tensor:
        return element.as_subclass(ArrayTensor)
    return element


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


def _call(fn: Callable[..., Any], element: Any) -> Any:
    return fn(*element) if isinstance(element, tuple) else fn(element)


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


class ImageFileBatches(Dataset):
    """Batches ``(images, labels)`` decoded from files; ``images`` float32 ``(N, H, W, C)`` in ``[0, 255]``.

    ``labels`` (already encoded, one row per file, or None for images alone) follow the files. A shuffled dataset
    draws a new order each pass from ``seed``. The files of the next ``lookahead`` batches decode in ``workers``
    threads while a batch is used; a JPEG at least twice the image size decodes at a reduced DCT scale
    (``load_image(draft=True)``: a quarter of the pixels or fewer, then the same resize). A file that fails to decode is warned about once, listed in ``errors`` and
    skipped.
    """

    def __init__(self, file_paths: Sequence[str], labels: np.ndarray | None, batch_size: int,
                 image_size: tuple[int, int], color_mode: str = "rgb", shuffle: bool = True,
                 seed: int | None = None, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 workers: int | None = None, lookahead: int = 2, max_pixels: int | None = None) -> None:
        super().__init__()
        if not file_paths:
            raise ValueError("no image files to read")
        if labels is not None and len(labels) != len(file_paths):
            raise ValueError(f"{len(file_paths)} files but {len(labels)} labels")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        self.file_paths = list(file_paths)
        self.labels = None if labels is None else torch.as_tensor(np.asarray(labels))
        self.batch_size = int(batch_size)
        self.image_size = (int(image_size[0]), int(image_size[1]))
        self.color_mode = check_color_mode(color_mode)
        self.image_shape = self.image_size + (CHANNELS[color_mode],)
        self.shuffle_files, self.interpolation, self.crop_to_aspect_ratio = shuffle, interpolation, crop_to_aspect_ratio
        self.seed = int(np.random.SeedSequence().entropy % 2 ** 32) if seed is None else int(seed)
        self.workers, self.lookahead, self.max_pixels = _workers(workers), max(0, int(lookahead)), max_pixels
        self.errors: list[tuple[str, str]] = []
        self._broken: set[int] = set()
        self._passes = 0
        self._samples = len(self.file_paths)
        self._length = math.ceil(self._samples / self.batch_size)

    def _decode(self, index: int) -> np.ndarray:
        return load_image(self.file_paths[index], self.color_mode, self.image_size, self.interpolation,
                          self.crop_to_aspect_ratio, self.max_pixels, draft=True)

    def _elements(self) -> Iterator[Any]:
        pass_number, self._passes = self._passes, self._passes + 1
        order = np.random.default_rng([self.seed, pass_number]).permutation(self._samples) if self.shuffle_files \
            else np.arange(self._samples)
        batches = [[int(i) for i in order[s:s + self.batch_size]] for s in range(0, self._samples, self.batch_size)]
        loader = BatchPrefetcher(self._decode, workers=self.workers)  # one per pass: abandoned passes stay apart
        try:
            for b, items in enumerate(batches):
                items = [i for i in items if i not in self._broken]
                results = loader.take(b, items)
                for ahead in range(b + 1, min(len(batches), b + 1 + self.lookahead)):
                    loader.schedule(ahead, [i for i in batches[ahead] if i not in self._broken])
                kept, arrays = [], []
                for index, (array, error) in zip(items, results):
                    if error is None:
                        kept.append(index)
                        arrays.append(array)
                    elif index not in self._broken:
                        self._broken.add(index)
                        reason = f"{type(error).__name__}: {error}"
                        self.errors.append((self.file_paths[index], reason))
                        warnings.warn(f"Skipping {self.file_paths[index]}: {reason}", stacklevel=2)
                if not kept:
                    continue
                images = torch.from_numpy(np.stack(arrays)).float()
                yield images if self.labels is None else (images, self.labels[torch.as_tensor(kept)])
        finally:
            loader.close()


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


__all__ = ["AUTOTUNE", "ArrayTensor", "Dataset", "ImageFileBatches", "TensorSlices"]
