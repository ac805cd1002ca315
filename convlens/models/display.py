"""``ModelDisplay``: how a model looks as the last expression of a Jupyter cell — the summary as an HTML table.

``model.summary()`` still prints the text table; this is only the notebook's rich view (``_repr_html_``), built
from the same rows (``summary_rows()``), so the numbers cannot differ.

Example:
    >>> from convlens.models import Sequential
    >>> from convlens.layers import Conv2D
    >>> html = Sequential([Conv2D(4, 3, input_shape=(8, 8, 1))], name="tiny")._repr_html_()
    >>> "(None, 6, 6, 4)" in html, "(3·3·1 + 1)·4 = 40" in html, "Total params: 40" in html
    (True, True, True)
"""
from __future__ import annotations

import html
from typing import Any

from convlens.models.summary import LayerRow, shape_text

STYLE = ("<style>.convlens-model table{border-collapse:collapse}.convlens-model th,.convlens-model td{padding:2px 10px;"
         "border-bottom:1px solid #ddd;text-align:left;font-family:monospace}.convlens-model td.n{text-align:right}"
         ".convlens-model .f{color:#666}</style>")
COLUMNS = ("Layer (type)", "Output Shape", "Param #", "Parameters: formula", "Receptive field", "MACs")


def _row(row: LayerRow) -> str:
    formula = row.formula if row.params else ""
    cells = [f"{row.name} ({row.type})", shape_text(row.output_shape)]
    return (f"<tr><td>{html.escape(cells[0])}</td><td>{html.escape(cells[1])}</td><td class=\"n\">{row.params:,}</td>"
            f"<td class=\"f\">{html.escape(formula)}</td><td>{html.escape(row.receptive_field)}</td>"
            f"<td class=\"n\">{row.macs:,}</td></tr>")


def summary_html(name: str, rows: list[LayerRow], precision: str | None = None) -> str:
    """The summary table as HTML: one row per layer, then the totals the text summary ends with."""
    top = [r for r in rows if "/" not in r.name]
    total = sum(r.params for r in top)
    frozen = sum(r.non_trainable for r in top)
    totals = [f"Total params: {total:,}", f"Trainable params: {total - frozen:,}",
              f"Non-trainable params: {frozen:,}", f"Multiply-accumulates per sample: {sum(r.macs for r in top):,}"]
    if precision:
        totals.append(f"Precision: {precision}")
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    return (f'<div class="convlens-model">{STYLE}<p><b>Model: "{html.escape(name)}"</b></p><table><tr>{head}</tr>'
            f'{"".join(_row(r) for r in rows)}</table><p>{"<br>".join(totals)}</p></div>')


class ModelDisplay:
    """Mixin for ``Model``: ``_repr_html_`` shows the summary; an unbuilt model falls back to its text repr."""

    def _repr_html_(self) -> str | None:
        try:
            rows = self.summary_rows()  # type: ignore[attr-defined]  # Model's
        except ValueError:  # not built yet: no shapes to show; IPython then uses the text repr
            return None
        policy: Any = getattr(self, "precision_policy", None)
        return summary_html(self.name, rows, str(policy) if policy else None)
