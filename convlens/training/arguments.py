"""Checks of the plain arguments of ``fit``, ``evaluate`` and ``predict`` (``batch_size``, ``epochs``, ``verbose``
…): a value Keras would not take is refused with a one-line message that repeats it, never truncated or ignored.

Example:
    >>> check_positive_int(3, "batch_size"), verbosity("auto"), batch_size_or_default(None)
    (3, 1, 32)
    >>> check_positive_int(2.5, "batch_size")
    Traceback (most recent call last):
    ValueError: batch_size must be a positive whole number, got 2.5
"""
from __future__ import annotations

from typing import Any

import numpy as np


def check_positive_int(value: Any, name: str) -> int:
    """``value`` as an int when it is a whole positive number (``batch_size=2.5`` is refused, not truncated)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


def optional_positive_int(value: Any, name: str) -> int | None:
    """``check_positive_int`` for an argument whose None means "all" (``steps``, ``steps_per_epoch``)."""
    return None if value is None else check_positive_int(value, name)


def batch_size_or_default(batch_size: Any) -> int:
    """Keras's default batch of 32 when ``batch_size`` is None."""
    return 32 if batch_size is None else check_positive_int(batch_size, "batch_size")


def whole_number(value: Any, name: str, low: int = 0) -> int:
    """``value`` as an int when it is a whole number ``>= low`` (``epochs``, ``initial_epoch``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def verbosity(verbose: Any) -> int:
    """Keras's ``verbose``: 'auto' (a progress bar), 0, 1 or 2."""
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


__all__ = ["batch_size_or_default", "check_positive_int", "optional_positive_int", "verbosity", "whole_number"]
