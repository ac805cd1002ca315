"""Stratified, seeded train / validation / test splits by fractions (e.g. the notes' 70/15/15 or 80/10/10).

Example:
    >>> import numpy as np
    >>> labels = np.repeat([0, 1, 2], 20)
    >>> train, val, test = stratified_split(labels, (0.7, 0.15, 0.15), seed=0)
    >>> len(train), len(val), len(test), np.bincount(labels[val]).tolist()
    (42, 9, 9, [3, 3, 3])
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def _check_fractions(fractions: Sequence[float]) -> np.ndarray:
    f = np.asarray(fractions, dtype=np.float64)
    if f.ndim != 1 or len(f) < 2 or (f < 0).any() or abs(f.sum() - 1.0) > 1e-6:
        raise ValueError(f"fractions={tuple(fractions)!r} must be two or more non-negative numbers summing to 1, "
                         "e.g. (0.7, 0.15, 0.15).")
    return f


def _allocate(n: int, fractions: np.ndarray) -> np.ndarray:
    """Split ``n`` items into integer counts proportional to ``fractions`` (largest remainder method)."""
    exact = n * fractions
    counts = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def stratified_split(labels: Sequence[int] | np.ndarray, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                     seed: int | None = None) -> tuple[np.ndarray, ...]:
    """Index arrays, one per fraction, with each class divided in the same proportions.

    ``labels`` are class ids (or one-hot rows). Each class is shuffled with ``seed`` and cut by the largest
    remainder method, so the split sizes add up exactly. Indices inside each split are sorted.
    Example: see the module docstring.
    """
    f = _check_fractions(fractions)
    y = np.asarray(labels)
    if y.ndim == 2:
        y = y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D class ids or 2-D one-hot rows; got shape {y.shape}.")
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in f]
    for cls in np.unique(y):
        members = np.flatnonzero(y == cls)
        members = members[rng.permutation(len(members))]
        bounds = np.cumsum(_allocate(len(members), f))[:-1]
        for part, chunk in zip(parts, np.split(members, bounds)):
            part.append(chunk)
    return tuple(np.sort(np.concatenate(p)) if p else np.array([], dtype=np.int64) for p in parts)


def split_arrays(x: np.ndarray, y: np.ndarray, fractions: Sequence[float] = (0.7, 0.15, 0.15),
                 seed: int | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified ``[(x_train, y_train), (x_val, y_val), ...]`` for arrays with matching first axes.

    Example:
        >>> import numpy as np
        >>> (xa, ya), (xb, yb) = split_arrays(np.arange(10), np.array([0, 1] * 5), (0.8, 0.2), seed=1)
        >>> len(xa), sorted(yb.tolist())
        (8, [0, 1])
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}.")
    return [(x[idx], y[idx]) for idx in stratified_split(y, fractions, seed)]
