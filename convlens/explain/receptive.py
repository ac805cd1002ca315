"""The receptive field of a stack of sliding windows, one layer at a time, with the arithmetic written out.

A unit's field grows by ``(k − 1)·jump`` per layer, where ``jump`` (the distance, in input pixels, between two
neighbouring units of the layer below) is the product of the strides so far. The lecture notes multiply instead
("3 pooled neurons × 4 pixels = 12"), which only holds when neighbouring fields do not overlap; this explainer says
so when it is given the claimed size.

Example:
    >>> trace = receptive_field_steps([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)])
    >>> trace.size, trace.sizes
    (8, [3, 4, 8])
    >>> print(trace.steps[-1])
    conv 3×3, stride 1: size 4 + (3 − 1)·2 = 8, jump 2·1 = 2
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from convlens.arithmetic import ReceptiveField


@dataclass(frozen=True)
class FieldStep:
    """One layer: its ``kind`` (conv, pool, …), window ``kernel`` and ``stride``, the field before and after it."""

    kind: str
    kernel: int
    stride: int
    before: ReceptiveField
    after: ReceptiveField

    def __str__(self) -> str:
        return (f"{self.kind} {self.kernel}×{self.kernel}, stride {self.stride}: size {self.before.size} + "
                f"({self.kernel} − 1)·{self.before.jump} = {self.after.size}, jump {self.before.jump}·{self.stride}"
                f" = {self.after.jump}")


@dataclass(frozen=True)
class FieldTrace:
    """The result of :func:`receptive_field_steps`: one :class:`FieldStep` per layer."""

    steps: tuple[FieldStep, ...]

    @property
    def size(self) -> int:
        """Input pixels (per side) seen by one unit of the last layer."""
        return self.steps[-1].after.size if self.steps else 1

    @property
    def sizes(self) -> list[int]:
        """The field after each layer."""
        return [step.after.size for step in self.steps]

    def check_claim(self, claimed: int) -> str:
        """Compare a claimed field with the exact one; when they differ, say why (the overlap of neighbouring
        fields of the layer below).

        >>> print(receptive_field_steps([("conv", 3, 1), ("pool", 2, 2), ("conv", 3, 1)]).check_claim(12))
        ... # doctest: +NORMALIZE_WHITESPACE
        claimed 12×12, exact 8×8: the last layer's 3 neighbouring units below are 2 input pixels apart (jump 2),
        each seeing 4 pixels, so their fields overlap by 2 pixels and together span 4 + (3 − 1)·2 = 8, not 3·4 = 12.
        """
        if claimed == self.size:
            return f"claimed {claimed}×{claimed} = exact {self.size}×{self.size}"
        last = self.steps[-1]
        below, k = last.before, last.kernel
        overlap = below.size - below.jump
        return (f"claimed {claimed}×{claimed}, exact {self.size}×{self.size}: the last layer's {k} neighbouring "
                f"units below are {below.jump} input pixels apart (jump {below.jump}), each seeing {below.size} "
                f"pixels, so their fields overlap by {overlap} pixels and together span {below.size} + ({k} − 1)·"
                f"{below.jump} = {self.size}, not {k}·{below.size} = {k * below.size}.")

    def to_text(self) -> str:
        """Every step, one line each, then the result."""
        lines = ["input: size 1, jump 1"] + [str(step) for step in self.steps]
        lines.append(f"receptive field: {self.size}×{self.size} input pixels")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def receptive_field_steps(layers: Sequence[tuple[str, int, int]]) -> FieldTrace:
    """Follow the receptive field through ``(kind, kernel_size, stride)`` layers (square windows, no dilation).

    >>> receptive_field_steps([("conv", 3, 1)] * 3).sizes
    [3, 5, 7]
    """
    field = ReceptiveField()
    steps = []
    for spec in layers:
        if len(spec) != 3:
            raise ValueError(f"each layer must be (kind, kernel_size, stride), got {spec!r}")
        kind, kernel, stride = spec
        after = field.through(int(kernel), int(stride))
        steps.append(FieldStep(str(kind), int(kernel), int(stride), field, after))
        field = after
    return FieldTrace(tuple(steps))
