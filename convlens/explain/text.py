"""Plain-text rendering of numbers and small matrices for the explainer's traces."""
from __future__ import annotations

from typing import Sequence

import numpy as np


def number(value: float) -> str:
    """Integers without a decimal point, other values with 4 significant digits; floating-point noise below 1e-12
    shows as 0 (the edge kernel on a flat 0.1 patch computes 2.8e-17).

    >>> number(4.0), number(0.8000000001), number(-0.25), number(-2.7755575615628914e-17)
    ('4', '0.8', '-0.25', '0')
    """
    value = float(value)
    if np.isnan(value):
        return "·"
    if abs(value) < 1e-12:
        return "0"
    rounded = round(value)
    if abs(value - rounded) < 1e-9 * max(1.0, abs(value)) and abs(value) < 1e15:
        return str(int(rounded))
    return f"{value:.4g}"


MAX_SHOWN = 12  # rows/columns written out; a bigger matrix (an image file) is shown by its top-left corner


def matrix_lines(array: np.ndarray, indent: str = "  ", limit: int = MAX_SHOWN) -> list[str]:
    """Right-aligned rows of a 1-D or 2-D array; a channels-last 3-D array is shown one channel at a time.
    At most `limit` rows and columns are written; a note says what was left out.

    >>> matrix_lines(np.array([[1, 10], [2, 3]]))
    ['   1 10', '   2  3']
    >>> matrix_lines(np.zeros((30, 30)), limit=2)
    ['  0 0 …', '  0 0 …', '  … (top-left 2×2 of 30×30 shown)']
    """
    arr = np.asarray(array, dtype=np.float64)
    if arr.ndim == 3:
        lines: list[str] = []
        for c in range(arr.shape[-1]):
            lines.append(f"{indent}[..., {c}]")
            lines.extend(matrix_lines(arr[..., c], indent + "  ", limit))
        return lines
    rows = np.atleast_2d(arr)
    shown = rows[:limit, :limit]
    cells = [[number(v) for v in row] for row in shown]
    width = max((len(c) for row in cells for c in row), default=1)
    more_cols = rows.shape[1] > limit
    lines = [indent + " ".join(c.rjust(width) for c in row) + (" …" if more_cols else "") for row in cells]
    if more_cols or rows.shape[0] > limit:
        lines.append(f"{indent}… (top-left {shown.shape[0]}×{shown.shape[1]} of {rows.shape[0]}×{rows.shape[1]} "
                     f"shown)")
    return lines


def block(title: str, array: np.ndarray, indent: str = "  ") -> str:
    """A titled matrix, e.g. ``'kernel:\\n  1 0\\n  0 1'``."""
    return "\n".join([f"{title}:"] + matrix_lines(array, indent))


def trace_text(header: list[str], steps: "Sequence", output: np.ndarray, max_steps: int | None) -> str:
    """A whole trace: header blocks, the first ``max_steps`` steps (None: all), then the output."""
    shown = len(steps) if max_steps is None else min(max_steps, len(steps))
    parts = [*header, *(f"step {i}: {steps[i]}" for i in range(shown))]
    if shown < len(steps):
        parts.append(f"... {len(steps) - shown} more steps")
    parts.append(block("output", output))
    return "\n\n".join(parts)
