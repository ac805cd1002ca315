"""One step of a sliding-window operation, and a lazy list of them (a big image has many steps)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, Iterator, Sequence, TypeVar, overload

import numpy as np

from convlens.explain.text import matrix_lines, number

S = TypeVar("S")


@dataclass(frozen=True)
class ConvStep:
    """Output ``position`` ← ``sum(patch * kernel) + bias``; ``origin`` is the patch's corner in the padded input."""

    position: tuple[int, ...]
    origin: tuple[int, ...]
    patch: np.ndarray
    products: np.ndarray
    total: float
    bias: float

    @property
    def value(self) -> float:
        """The output value this step writes: the sum of the products plus the bias."""
        return self.total + self.bias

    def __str__(self) -> str:
        where = ", ".join(f"{o}:{o + n}" for o, n in zip(self.origin, self.patch.shape))
        terms = " + ".join(number(p) for p in self.products.ravel())
        lines = [f"output[{', '.join(map(str, self.position))}] ← input[{where}]", "  patch:"]
        lines += matrix_lines(self.patch, "    ")
        lines += ["  patch × kernel:"] + matrix_lines(self.products, "    ")
        bias = f" + bias {number(self.bias)}" if self.bias else ""
        lines.append(f"  sum = {terms} = {number(self.total)}{bias} → {number(self.value)}")
        return "\n".join(lines)


@dataclass(frozen=True)
class PoolStep:
    """Output ``position`` ← ``mode`` of ``patch`` (padding cells are NaN and ignored)."""

    position: tuple[int, ...]
    origin: tuple[int, ...]
    patch: np.ndarray
    mode: str
    value: float | np.ndarray

    def __str__(self) -> str:
        where = ", ".join(f"{o}:{o + n}" for o, n in zip(self.origin, self.patch.shape))
        value = np.atleast_1d(self.value)
        shown = number(value[0]) if value.size == 1 else "[" + ", ".join(number(v) for v in value) + "]"
        lines = [f"output[{', '.join(map(str, self.position))}] ← {self.mode}(input[{where}])", "  window:"]
        lines += matrix_lines(self.patch, "    ")
        lines.append(f"  {self.mode} = {shown}")
        return "\n".join(lines)


class Steps(Sequence[S], Generic[S]):
    """A read-only list whose items are built on access, in row-major order of the output positions."""

    def __init__(self, shape: tuple[int, ...], make: Callable[[tuple[int, ...]], S]):
        self._shape = shape
        self._make = make

    def __len__(self) -> int:
        return int(np.prod(self._shape))

    @overload
    def __getitem__(self, index: int) -> S: ...

    @overload
    def __getitem__(self, index: slice) -> list[S]: ...

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"step {index} out of range: this operation has {n} steps")
        position = np.unravel_index(index % n, self._shape)
        return self._make(tuple(int(p) for p in position))

    def __iter__(self) -> Iterator[S]:
        return (self[i] for i in range(len(self)))
