"""``model.summary()``: a Keras-style table with receptive field and MAC columns, all from ``convlens.arithmetic``.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Conv2D
    >>> print(Sequential([Conv2D(4, 3, input_shape=(8, 8, 1))]).summary(return_string=True).splitlines()[4])
     conv2d_1 (Conv2D)                 (None, 6, 6, 4)       40        3×3              1,296
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from convlens.arithmetic import ReceptiveField


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary."""

    name: str
    type: str
    input_shape: tuple
    output_shape: tuple
    params: int
    non_trainable: int
    formula: str
    receptive_field: str
    macs: int


def _receptive_text(fields: list[ReceptiveField] | None) -> str:
    if fields is None:
        return "all"
    return "×".join(str(f.size) for f in fields) if fields else "-"


def layer_rows(layers: Sequence, input_shape: tuple) -> list[LayerRow]:
    """Walk the layers with the arithmetic module: shapes, parameters, receptive field, MACs."""
    rows: list[LayerRow] = []
    shape = tuple(input_shape)
    fields: list[ReceptiveField] | None = [ReceptiveField() for _ in shape[1:-1]]
    for layer in layers:
        output_shape = layer.compute_output_shape(shape)
        step = layer.receptive_step(shape)
        if step in ("global", "upsample"):
            fields = None
        elif step is not None and fields is not None:
            fields = [f.through(k, s, pad, d) for f, (k, s, pad, d) in zip(fields, step)]
        count = layer.param_count(shape)
        rows.append(LayerRow(layer.name, type(layer).__name__, shape, output_shape, count.count,
                             count.non_trainable, count.formula, _receptive_text(fields),
                             layer.macs(shape, output_shape)))
        shape = output_shape
    return rows


def _shape_text(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")" if len(shape) != 1 else \
        f"({'None' if shape[0] is None else shape[0]},)"


def format_summary(title: str, rows: list[LayerRow], show_formulas: bool = False) -> str:
    """Render the rows as Keras does, plus receptive field and MACs."""
    widths = (34, 22, 10, 17, 12)
    header = ("Layer (type)", "Output Shape", "Param #", "Receptive field", "MACs")
    line = sum(widths) + 1

    def cells(values: Sequence[str]) -> str:
        return " " + "".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [f'Model: "{title}"', "_" * line, cells(header), "=" * line]
    for i, row in enumerate(rows):
        out.append(cells((f"{row.name} ({row.type})", _shape_text(row.output_shape), str(row.params),
                          row.receptive_field, f"{row.macs:,}")))
        if show_formulas and row.params:
            out.append(f"     params: {row.formula}")
        out.append("_" * line if i < len(rows) - 1 else "=" * line)
    total = sum(r.params for r in rows)
    frozen = sum(r.non_trainable for r in rows)
    out += [f"Total params: {total:,}", f"Trainable params: {total - frozen:,}", f"Non-trainable params: {frozen:,}",
            f"Multiply-accumulates per sample: {sum(r.macs for r in rows):,}", "_" * line]
    return "\n".join(out)


def print_or_return(text: str, print_fn: Callable[[str], None] | None, return_string: bool) -> str | None:
    if return_string:
        return text
    (print_fn or print)(text)
    return None
