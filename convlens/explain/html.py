"""HTML for a notebook: a trace shown as the last expression of a Jupyter cell renders as tables, not as text.

Numbers are rounded exactly as in the text trace (``number``), so a flat patch under an edge kernel shows 0, not
-2.8e-17.

Example:
    >>> matrix_table("kernel", np.array([[1, 0], [0.1 + 0.2, -1]])).split("</caption>")[1]
    '<tr><td>1</td><td>0</td></tr><tr><td>0.3</td><td>-1</td></tr></table>'
"""
from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from convlens.explain.text import MAX_SHOWN, number

STYLE = ("<style>.convlens-trace table.convlens-matrix{border-collapse:collapse;margin:0 14px 8px 0;"
         "display:inline-table;vertical-align:top}.convlens-trace td{border:1px solid #bbb;padding:1px 6px;"
         "text-align:right;font-family:monospace}.convlens-trace td.pad{background:#eee;color:#888}"
         ".convlens-trace caption{font-weight:bold;text-align:left}</style>")


def matrix_table(title: str, array: np.ndarray, shaded: np.ndarray | None = None, limit: int = MAX_SHOWN) -> str:
    """A 1-D or 2-D array as an HTML table (top-left ``limit``×``limit`` of a bigger one); ``shaded`` marks cells
    (padding) drawn grey. A NaN (pooling's padding) prints as ·."""
    rows = np.atleast_2d(np.asarray(array, dtype=np.float64))
    mask = np.zeros(rows.shape, bool) if shaded is None else np.atleast_2d(shaded)
    body = []
    for r in range(min(limit, rows.shape[0])):
        cells = "".join(f'<td class="pad">{number(v)}</td>' if mask[r, c] else f"<td>{number(v)}</td>"
                        for c, v in enumerate(rows[r, :limit]))
        body.append(f"<tr>{cells}</tr>")
    note = ""
    if rows.shape[0] > limit or rows.shape[1] > limit:
        shown = f"{min(limit, rows.shape[0])}×{min(limit, rows.shape[1])}"
        note = f" (top-left {shown} of {rows.shape[0]}×{rows.shape[1]})"
    return (f'<table class="convlens-matrix"><caption>{html.escape(title + note)}</caption>'
            f'{"".join(body)}</table>')


def channel_tables(title: str, array: np.ndarray, channels: bool, shaded: np.ndarray | None = None) -> list[str]:
    """One table per channel of a channels-last array (``channels=True``), else one table."""
    if not channels:
        return [matrix_table(title, array, shaded)]
    return [matrix_table(f"{title} [..., {c}]", array[..., c], None if shaded is None else shaded[..., c])
            for c in range(array.shape[-1])]


def trace_html(header: str, tables: Sequence[str], steps: Sequence[str], more: int) -> str:
    """The whole view: a header line, the tables side by side, the first steps as text and how many are left."""
    shown = "".join(f"<pre>{html.escape(text)}</pre>" for text in steps)
    rest = f"<p>… {more} more steps (<code>print(trace)</code> or <code>trace.steps[i]</code>)</p>" if more else ""
    return (f'<div class="convlens-trace">{STYLE}<p><b>{html.escape(header)}</b></p><div>{"".join(tables)}</div>'
            f"{shown}{rest}</div>")


def step_texts(steps: Sequence, limit: int = 2) -> tuple[list[str], int]:
    """The first ``limit`` steps as text (``'step i: …'``) and how many were left out."""
    shown = min(limit, len(steps))
    return [f"step {i}: {steps[i]}" for i in range(shown)], len(steps) - shown
