"""A ``History`` shown as the last expression of a Jupyter cell: its curves (inline SVG) and a table per epoch.

SVG is drawn here by hand, because the callbacks package sits below ``convlens.viz`` (matplotlib) in the package
order; ``convlens.viz.plot_training_curves(history)`` draws the full figure.

Example:
    >>> page = history_html({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]}, [0, 1])
    >>> "<svg" in page, "<td>0.5000</td>" in page
    (True, True)
"""
from __future__ import annotations

import html
import math
from collections.abc import Sequence

COLOURS = ("#1f77b4", "#ff7f0e")  # training, validation: matplotlib's first two, as the curves figure uses
WIDTH, HEIGHT, MARGIN = 300, 186, 50  # MARGIN: room below the plot for the axis label and the legend


def _value(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _chart(metric: str, series: dict[str, list[float]], epochs: Sequence[int]) -> str:
    """One metric (training and, when recorded, validation) against the 1-based epoch."""
    values = [v for vals in series.values() for v in vals if math.isfinite(v)]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    first, last = epochs[0] + 1, epochs[-1] + 1

    def x(epoch: int) -> float:
        return 34 + (WIDTH - 34 - 8) * ((epoch + 1 - first) / ((last - first) or 1))

    def y(value: float) -> float:
        return 10 + (HEIGHT - MARGIN - 10) * (1 - (value - low) / span)

    left = 34  # room for the y labels

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'style="font:10px sans-serif;margin-right:12px" role="img" aria-label="{html.escape(metric)} per epoch">',
             f'<rect x="{left}" y="10" width="{WIDTH - left - 8}" height="{HEIGHT - MARGIN - 10}" fill="none" '
             f'stroke="#ccc"/>',
             f'<text x="{left - 3}" y="14" text-anchor="end">{high:.3g}</text>',
             f'<text x="{left - 3}" y="{HEIGHT - MARGIN}" text-anchor="end">{low:.3g}</text>',
             f'<text x="{left}" y="{HEIGHT - MARGIN + 12}">{first}</text>',
             f'<text x="{WIDTH - 8}" y="{HEIGHT - MARGIN + 12}" text-anchor="end">{last}</text>',
             f'<text x="{(WIDTH + left) / 2}" y="{HEIGHT - MARGIN + 12}" text-anchor="middle">epoch</text>']
    for (name, vals), colour, row in zip(series.items(), COLOURS, (0, 1)):
        points = " ".join(f"{x(e):.1f},{y(v):.1f}" for e, v in zip(epochs, vals) if math.isfinite(v))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [f'<circle cx="{x(e):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>'
                  for e, v in zip(epochs, vals) if math.isfinite(v)]
        legend_x = left + 130 * row  # the legend sits under the plot, where no curve can hide it
        parts.append(f'<line x1="{legend_x}" y1="{HEIGHT - 12}" x2="{legend_x + 16}" y2="{HEIGHT - 12}" '
                     f'stroke="{colour}" stroke-width="2"/><text x="{legend_x + 20}" y="{HEIGHT - 8}" '
                     f'fill="{colour}">{html.escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def history_html(history: dict[str, list], epochs: Sequence[int]) -> str:
    """Curves for every metric (with its ``val_`` twin) and a table: one row per epoch, one column per log key."""
    if not epochs:
        return "<p>History: no epoch recorded yet</p>"
    numbers = {key: [_value(v) for v in values] for key, values in history.items()}
    metrics = [k for k in numbers if not k.startswith("val_") and k != "learning_rate"]
    metrics += [k[4:] for k in numbers if k.startswith("val_") and k[4:] not in numbers]
    charts = "".join(_chart(m, {k: numbers[k] for k in (m, f"val_{m}") if k in numbers}, list(epochs))
                     for m in metrics)
    keys = list(history)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in ["epoch", *keys])
    body = "".join("<tr>" + f"<td>{e + 1}</td>" + "".join(
        f"<td>{numbers[k][i]:.4f}</td>" if i < len(numbers[k]) and math.isfinite(numbers[k][i]) else
        f"<td>{html.escape(str(history[k][i])) if i < len(history[k]) else ''}</td>" for k in keys) + "</tr>"
        for i, e in enumerate(epochs))
    return (f'<div class="convlens-history"><div>{charts}</div>'
            f'<table style="font-family:monospace;border-spacing:12px 0">'
            f"<tr>{head}</tr>{body}</table></div>")
