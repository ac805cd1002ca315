"""Receptive fields: through a stack of sliding windows and over a graph of layers.

Example:
    >>> receptive_field([(3, 1), (3, 1), (3, 1)]).size
    7
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from convlens.arithmetic.shapes import effective_kernel


@dataclass(frozen=True)
class ReceptiveField:
    """Along one dimension: ``size`` input pixels seen by one output unit, ``jump`` input pixels between
    neighbouring output units, and ``start`` the input coordinate of the first unit's centre."""

    size: int = 1
    jump: int = 1
    start: float = 0.5

    def through(self, kernel_size: int, stride: int = 1, pad_before: int = 0, dilation: int = 1) -> "ReceptiveField":
        """The field after one more sliding-window layer.

        >>> ReceptiveField().through(3).through(3).size
        5
        """
        k = effective_kernel(kernel_size, dilation)
        return ReceptiveField(size=self.size + (k - 1) * self.jump, jump=self.jump * stride,
                              start=self.start + ((k - 1) / 2 - pad_before) * self.jump)

    def box(self, position: int, input_length: int | None = None) -> tuple[int, int]:
        """Input pixels ``[low, high)`` seen by the unit at ``position``; clipped to ``input_length`` when given
        (a unit near a padded border sees fewer real pixels).

        >>> ReceptiveField().through(3).through(2, 2).box(1)   # conv 3×3 → pool 2×2: unit 1 sees pixels 2..5
        (2, 6)
        >>> ReceptiveField().through(3, 1, pad_before=1).box(0, 28)
        (0, 2)
        """
        centre = self.start + position * self.jump
        low, high = math.floor(centre - self.size / 2), math.ceil(centre + self.size / 2)
        if input_length is not None:
            low, high = max(low, 0), min(high, input_length)
        return low, high


def receptive_field(layers: Iterable[tuple[int, int]] | Iterable[tuple[int, int, int]]) -> ReceptiveField:
    """Receptive field through a stack of ``(kernel_size, stride[, pad_before])`` layers along one dimension.

    >>> receptive_field([(3, 1), (3, 1), (3, 1)]).size
    7
    """
    rf = ReceptiveField()
    for spec in layers:
        kernel, stride, *rest = spec
        rf = rf.through(kernel, stride, rest[0] if rest else 0)
    return rf


FieldStep = "list[tuple[int, int, int, int]] | str | None"


def graph_receptive_fields(nodes: Iterable[tuple[str, Sequence[str], Any]], spatial_dims: int
                           ) -> dict[str, tuple[list[ReceptiveField] | None, bool]]:
    """Receptive fields over a graph of layers, in topological order.

    Each node is ``(name, parent names, step)``: ``step`` is ``None`` for a pointwise layer, ``'global'`` when
    every output sees the whole input, or ``[(kernel, stride, pad_before, dilation)]`` per spatial dimension. A
    node with several parents (Add, Concatenate) takes, per dimension, the largest field over its paths; the
    flag says that paths disagree in stride (jump), so one unit's field is not one square. Returns
    ``{name: (fields or None for 'all', disagree)}``.

    >>> residual = [("x", [], None), ("a", ["x"], [(3, 1, 1, 1)]), ("b", ["a"], [(3, 1, 1, 1)]),
    ...             ("add", ["x", "b"], None)]
    >>> fields, disagree = graph_receptive_fields(residual, 1)["add"]
    >>> fields[0].size, disagree
    (5, False)
    """
    result: dict[str, tuple[list[ReceptiveField] | None, bool]] = {}
    for name, parents, step in nodes:
        incoming = [result[p] for p in parents]
        disagree = any(flag for _, flag in incoming)
        if not incoming:
            fields: list[ReceptiveField] | None = [ReceptiveField() for _ in range(spatial_dims)]
        elif any(f is None for f, _ in incoming):
            fields = None
        else:
            paths = [f for f, _ in incoming]
            fields = [max((path[d] for path in paths), key=lambda rf: rf.size) for d in range(len(paths[0]))]
            disagree = disagree or any(len({path[d].jump for path in paths}) > 1 for d in range(len(paths[0])))
        if step in ("global", "upsample"):
            fields = None
        elif step is not None and fields is not None:
            fields = [f.through(k, s, pad, dil) for f, (k, s, pad, dil) in zip(fields, step)]
        result[name] = (fields, disagree)
    return result
