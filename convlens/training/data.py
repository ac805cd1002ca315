"""Turn what the user gives ``fit`` into batches of tensors, with the checks that catch bad input early.

Arrays become one tensor each, once: uint8 images stay uint8 and become float only batch by batch, float64 becomes
float32. A Keras-``Sequence``-like object (``len`` in batches, ``[i]`` gives a batch) or a generator of batches
works too.

Example:
    >>> import numpy as np
    >>> data = ArrayData(np.zeros((10, 2), "uint8"), np.arange(10))
    >>> [tuple(xb.shape) for (xb, yb, wb), rows in data.batches(4)]
    [(4, 2), (4, 2), (2, 2)]
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as np
import torch

Inputs = Any  # a tensor, or a list of tensors (one per model input), or a dict of them keyed by input name
Batch = tuple[Inputs, torch.Tensor | None, torch.Tensor | None]
Shard = Callable[[int], tuple[int, int]]


def to_tensor(values: Any, name: str) -> torch.Tensor:
    """NumPy / list / tensor → tensor without copying where possible; float64 → float32, bool → float32."""
    if isinstance(values, torch.Tensor):
        tensor = values.detach()
    else:
        array = np.asarray(values)
        if array.dtype == object:
            raise ValueError(f"{name} must be a numeric array, got an array of Python objects (ragged lists?)")
        if not array.flags.writeable:
            array = array.copy()
        tensor = torch.from_numpy(np.ascontiguousarray(array))
    if tensor.dtype in (torch.float64, torch.float16, torch.bool):
        tensor = tensor.float()
    return tensor


def map_inputs(fn: Callable[[torch.Tensor], Any], x: Inputs) -> Inputs:
    """``fn`` applied to every tensor of a model input: one tensor, a list of them, or a dict of them.

    Example:
        >>> map_inputs(lambda t: t * 2, [torch.ones(1), torch.zeros(1)])
        [tensor([2.]), tensor([0.])]
    """
    if isinstance(x, dict):
        return {name: fn(value) for name, value in x.items()}
    if isinstance(x, (list, tuple)):
        return [fn(value) for value in x]
    return fn(x)


def input_tensors(x: Inputs) -> list[torch.Tensor]:
    """The tensors of a model input, in order."""
    return list(x.values()) if isinstance(x, dict) else list(x) if isinstance(x, (list, tuple)) else [x]


def sample_count(x: Inputs) -> int:
    """Samples in a model input (the length of its first tensor).

    Example:
        >>> sample_count([torch.zeros(5, 2), torch.zeros(5, 3)])
        5
    """
    return len(input_tensors(x)[0])


def as_model_input(batch: Inputs) -> Inputs:
    """A batch as the model takes it: float32 (uint8 pixels keep their 0–255 values, as Keras does)."""
    return map_inputs(lambda t: t if t.is_floating_point() else t.float(), batch)


def to_inputs(values: Any, count: int) -> Inputs:
    """``x`` as the model's ``count`` inputs: one tensor, or (Keras's structure for several inputs) a list or a
    dict of arrays, one per input, all with the same number of samples."""
    if count == 1:
        return to_tensor(values, "x")
    if isinstance(values, dict):
        x: Inputs = {str(name): to_tensor(value, f"x[{name!r}]") for name, value in values.items()}
    elif isinstance(values, (list, tuple)):
        x = [to_tensor(value, f"x[{i}]") for i, value in enumerate(values)]
    else:
        raise ValueError(f"the model has {count} inputs: pass x as a list of {count} arrays (or a dict keyed by "
                         f"input name), got one {type(values).__name__}")
    if len(x) != count:
        raise ValueError(f"the model has {count} inputs but x holds {len(x)} arrays")
    lengths = [len(t) if t.dim() else 0 for t in input_tensors(x)]
    if len(set(lengths)) != 1:
        raise ValueError(f"the {count} input arrays of x must hold the same number of samples, got {lengths}")
    return x


def check_finite(x: torch.Tensor, name: str, chunk: int = 1 << 22) -> None:
    """Refuse NaN/Inf inputs. The data is checked in chunks of ``chunk`` values, so the check allocates a mask of
    one chunk (4 MB) whatever the size of the data, and never a float64 copy of it."""
    if not x.is_floating_point():
        return
    flat = x.reshape(-1) if x.is_contiguous() else x.flatten()
    bad = 0
    for start in range(0, flat.numel(), chunk):
        part = flat[start:start + chunk]
        if not bool(torch.isfinite(part).all()):
            bad += int((~torch.isfinite(part)).sum())
    if bad:
        raise ValueError(f"{name} holds {bad} NaN or infinite values; clean the data before training")


def check_positive_int(value: Any, name: str) -> int:
    """``value`` as an int when it is a whole positive number (``batch_size=2.5`` is refused, not truncated)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


class ArrayData:
    """In-memory ``(x, y[, sample_weight])`` arrays."""

    def __init__(self, x: Any, y: Any = None, sample_weight: Any = None, inputs: int = 1) -> None:
        self.x = to_inputs(x, inputs)
        self.y = None if y is None else to_tensor(y, "y")
        self.sample_weight = None if sample_weight is None else to_tensor(sample_weight, "sample_weight").float()
        if any(t.dim() == 0 for t in input_tensors(self.x)):
            raise ValueError("x must hold at least one sample, got a scalar")
        n = len(self)
        for name, other in (("y", self.y), ("sample_weight", self.sample_weight)):
            if other is not None and len(other) != n:
                raise ValueError(f"x has {n} samples but {name} has {len(other)}; they must match")
        if n == 0:
            raise ValueError("x holds no samples")
        for tensor in input_tensors(self.x):
            check_finite(tensor, "x")

    def __len__(self) -> int:
        return sample_count(self.x)

    max_steps: int | None = None  # Keras's steps_per_epoch / steps: only the first batches of each pass

    def steps(self, batch_size: int) -> int:
        whole = -(-len(self) // batch_size)
        if self.max_steps is None:
            return whole
        if self.max_steps > whole:
            raise ValueError(f"steps={self.max_steps} asks for more batches than the {len(self)} samples give at "
                             f"batch_size={batch_size} ({whole}); lower the steps or leave them out")
        return self.max_steps

    def rows(self, batch_size: int) -> int:
        """The samples one pass covers (all of them unless ``max_steps`` cuts the pass short)."""
        return min(len(self), self.steps(batch_size) * batch_size)

    def split(self, fraction: float) -> tuple["ArrayData", "ArrayData"]:
        """Keras's ``validation_split``: the *last* ``fraction`` of the samples, taken before any shuffling."""
        if not 0 < fraction < 1:
            raise ValueError(f"validation_split must be in (0, 1), got {fraction!r}")
        cut = int(len(self) * (1 - fraction))
        if cut == 0 or cut == len(self):
            raise ValueError(f"validation_split={fraction} leaves an empty split of {len(self)} samples")
        parts = []
        for sl in (slice(0, cut), slice(cut, None)):
            part = ArrayData.__new__(ArrayData)
            part.x = map_inputs(lambda t: t[sl], self.x)
            part.y = None if self.y is None else self.y[sl]
            part.sample_weight = None if self.sample_weight is None else self.sample_weight[sl]
            parts.append(part)
        parts[0].max_steps = self.max_steps  # steps_per_epoch cuts the training part; validation runs whole
        return parts[0], parts[1]

    def state(self) -> None:
        """Arrays carry no state of their own (their order comes from the run's shuffle seed)."""
        return None

    def load_state(self, state: Any) -> None:
        """Nothing to restore for arrays."""

    def peek(self) -> Batch:
        """The first sample as a batch of one, for shape and target checks."""
        return (as_model_input(map_inputs(lambda t: t[:1], self.x)), None if self.y is None else self.y[:1], None)

    def batches(self, batch_size: int, order: torch.Tensor | None = None, start: int = 0,
                shard: Shard | None = None) -> Iterator[tuple[Batch, int]]:
        """``(batch, rows of the global batch)`` from batch index ``start`` on; ``shard(n)`` → ``(lo, hi)`` picks
        this process's rows of each global batch before anything is gathered."""
        n = self.rows(batch_size)
        for begin in range(start * batch_size, n, batch_size):
            end = min(begin + batch_size, n)
            lo, hi = (0, end - begin) if shard is None else shard(end - begin)
            if order is None:  # slices are views: no copy at all
                index: Any = slice(begin + lo, begin + hi)
            else:
                index = order[begin + lo:begin + hi]
            yield (as_model_input(map_inputs(lambda t: t[index], self.x)), None if self.y is None else self.y[index],
                   None if self.sample_weight is None else self.sample_weight[index]), end - begin


def _unpack(batch: Any) -> Batch:
    if isinstance(batch, (tuple, list)):
        if len(batch) == 1:
            batch = (batch[0], None, None)
        elif len(batch) == 2:
            batch = (batch[0], batch[1], None)
        elif len(batch) != 3:
            raise ValueError(f"a batch must be x, (x, y) or (x, y, sample_weight); got a tuple of {len(batch)}")
    else:
        batch = (batch, None, None)
    x, y, w = batch
    return (as_model_input(map_inputs(lambda t: to_tensor(t, "x batch"), x)), None if y is None else to_tensor(y, "y batch"),
            None if w is None else to_tensor(w, "sample_weight batch").float())


class SequenceData:
    """A Keras ``Sequence``-like object (``len`` in batches, ``[i]`` → batch) or an iterable of batches."""

    def __init__(self, source: Any, steps: int | None = None) -> None:
        self.source = source
        self.indexable = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if steps is None:
            if not hasattr(source, "__len__"):
                raise ValueError("a generator has no length: pass steps_per_epoch (and validation_steps)")
            steps = len(source)
        if steps < 1:
            raise ValueError(f"the data yields no batches (steps={steps})")
        self._steps = steps
        self._iterator: Iterator | None = None
        self._pending: Batch | None = None
        self.class_indices = getattr(source, "class_indices", None)
        self.sample_shape: tuple | None = None

    def steps(self, batch_size: int | None = None) -> int:
        return self._steps

    def peek(self) -> Batch:
        """The first batch (kept for the loop when it came from a one-shot generator)."""
        if self.indexable:
            return _unpack(self.source[0])
        if self._pending is None:
            self._iterator = iter(self.source)
            self._pending = _unpack(next(self._iterator))
        return self._pending

    def _checked(self, batch: Batch, index: int) -> Batch:
        """A batch whose sample shape differs from the first batch's is refused with both shapes."""
        shapes = [tuple(t.shape[1:]) for t in input_tensors(batch[0])]
        shape = shapes[0] if len(shapes) == 1 else tuple(shapes)
        if self.sample_shape is None:
            self.sample_shape = shape
        elif shape != self.sample_shape:
            raise ValueError(f"batch {index} of the data has samples of shape {shape}, but the first batch had "
                             f"{self.sample_shape}; every batch must hold samples of one shape")
        return batch

    def batches(self, batch_size: int | None = None, order: Any = None, start: int = 0,
                shard: Shard | None = None) -> Iterator[tuple[Batch, int]]:
        """``(batch, rows of the global batch)`` from batch ``start`` on; ``shard(n)`` picks this process's rows."""
        for index, batch in enumerate(self._global_batches(start), start):
            batch = self._checked(batch, index)
            rows = sample_count(batch[0])
            if shard is not None:
                lo, hi = shard(rows)
                batch = (map_inputs(lambda t: t[lo:hi], batch[0]),
                         *(None if t is None else t[lo:hi] for t in batch[1:]))
            yield batch, rows

    def _global_batches(self, start: int) -> Iterator[Batch]:
        if self.indexable:
            for i in range(start, self._steps):
                yield _unpack(self.source[i])
            if hasattr(self.source, "on_epoch_end"):
                self.source.on_epoch_end()
            return
        if self._iterator is None:
            self._iterator = iter(self.source)
        count = 0
        if self._pending is not None:
            pending, self._pending = self._pending, None
            yield pending
            count = 1
        for _ in range(count, self._steps - start):
            try:
                yield _unpack(next(self._iterator))
            except StopIteration:
                self._iterator = None
                return

    # --- the state of a seeded iterator (ImageDataGenerator.flow …), carried by the run state -------------------
    def state(self) -> dict[str, int] | None:
        """``{'seed', 'epoch'}`` of a seeded Keras-style iterator (its order and augmentation follow from them)."""
        if self.indexable and hasattr(self.source, "seed") and hasattr(self.source, "epoch"):
            return {"seed": int(self.source.seed), "epoch": int(self.source.epoch)}
        return None

    def load_state(self, state: dict[str, int]) -> None:
        """Put a seeded iterator at the saved seed and epoch (through its public ``on_epoch_end``)."""
        if self.state() is None:
            return
        self.source.seed = int(state["seed"])
        self.source.epoch = int(state["epoch"]) - 1
        self.source.on_epoch_end()


def adapt(x: Any, y: Any = None, sample_weight: Any = None, steps: int | None = None,
          inputs: int = 1) -> ArrayData | SequenceData:
    """Pick the adapter for what was given; ``inputs`` is the model's number of inputs (several take a list or a
    dict of arrays, one per input, as in Keras)."""
    if x is None:
        raise ValueError("x is None: pass the training samples (an array, a tensor, a Sequence or a generator)")
    if inputs > 1 and (isinstance(x, dict) or isinstance(x, (list, tuple)) and x and
                       all(isinstance(v, (np.ndarray, torch.Tensor)) for v in x)):
        data = ArrayData(x, y, sample_weight, inputs)
        data.max_steps = steps
        return data
    if isinstance(x, (np.ndarray, torch.Tensor, list)) and not (isinstance(x, list) and x and
                                                               isinstance(x[0], tuple)):
        if isinstance(x, list) and x and isinstance(x[0], (np.ndarray, torch.Tensor)) and y is None:
            raise ValueError("x is a list of arrays, but the model has one input: pass one array")
        data = ArrayData(x, y, sample_weight, inputs)
        data.max_steps = steps
        return data
    if y is not None:
        raise ValueError("y must not be given when x is a generator or Sequence that yields (x, y) batches")
    return SequenceData(x, steps)
