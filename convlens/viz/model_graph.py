"""``plot_model``: draw a model's graph of layers with matplotlib (no graphviz needed), as Keras's ``plot_model``.

Layers are boxes placed by depth (the longest path from an input); arrows follow the graph's connections, so a
residual skip or an inception block's parallel branches show as they are built.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Conv2D, Flatten, Dense
    >>> fig = plot_model(Sequential([Conv2D(4, 3, input_shape=(8, 8, 1)), Flatten(), Dense(2)]), show_shapes=True)
    >>> len(fig.axes[0].patches)
    4
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from convlens.graph import Functional
from convlens.layers import InputLayer
from convlens.models.summary import shape_text


def _levels(model: Functional) -> dict[int, int]:
    """Depth of every node: inputs at 0, each node one below its deepest parent."""
    depth: dict[int, int] = {}
    for node in model._nodes:
        depth[id(node)] = 1 + max((depth[id(p)] for p in node.parents if id(p) in depth), default=-1)
    return depth


def plot_model(model: Any, to_file: str | Path | None = None, show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False) -> Figure:
    """Draw ``model``'s graph; returns the Figure and writes it to ``to_file`` when given."""
    if not isinstance(model, Functional):
        raise ValueError(f"plot_model draws graphs: {type(model).__name__} is not a functional or Sequential model "
                         f"(build it first, or use Model(inputs, outputs))")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be 'TB' (top to bottom) or 'LR' (left to right), got {rankdir!r}")
    if expand_nested:
        raise ValueError("expand_nested=True is not supported: plot the nested model on its own "
                         "(plot_model(model.get_layer(name)))")
    nodes = model._nodes
    depth = _levels(model)
    rows: dict[int, list] = {}
    for node in nodes:
        rows.setdefault(depth[id(node)], []).append(node)
    width = max(len(r) for r in rows.values())
    positions = {}
    for level, members in rows.items():
        for i, node in enumerate(members):
            across = (i - (len(members) - 1) / 2) * 3.2
            positions[id(node)] = (across, -level * 1.6) if rankdir == "TB" else (level * 3.6, -across / 2)

    def label(node: Any) -> str:
        layer = node.layer
        lines = [f"{layer.name} ({type(layer).__name__})" if show_layer_names else type(layer).__name__]
        if show_layer_activations and getattr(layer, "activation", None) is not None:
            lines.append(f"activation: {getattr(layer.activation, '__name__', layer.activation)}")
        if show_shapes:
            ins = [t.shape for t in node.input_tensors] or [layer.batch_shape]
            outs = [t.shape for t in node.output_tensors]
            lines.append(f"{shape_text(ins if len(ins) > 1 else ins[0])} → {shape_text(outs[0])}")
        if show_dtype:
            lines.append("float32")
        if show_trainable:
            lines.append("trainable" if getattr(layer, "trainable", True) else "frozen")
        return "\n".join(lines)

    levels = len(rows)
    size = (max(4.0, 3.4 * width), max(2.0, 1.25 * levels)) if rankdir == "TB" else \
        (max(4.0, 3.6 * levels), max(2.0, 1.0 * width + 1))
    fig = Figure(figsize=size, dpi=dpi)
    ax = fig.add_subplot()
    ax.set_axis_off()
    for node in nodes:
        x, y = positions[id(node)]
        box = FancyBboxPatch((x - 1.45, y - 0.5), 2.9, 1.0, boxstyle="round,pad=0.02",
                             facecolor="#e8f0fe" if not isinstance(node.layer, InputLayer) else "#eeeeee",
                             edgecolor="#3b5b92")
        ax.add_patch(box)
        ax.text(x, y, label(node), ha="center", va="center", fontsize=7)
        for parent in node.parents:
            px, py = positions[id(parent)]
            start, end = ((px, py - 0.5), (x, y + 0.5)) if rankdir == "TB" else ((px + 1.45, py), (x - 1.45, y))
            ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#555555"})
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    ax.set_xlim(min(xs) - 1.6, max(xs) + 1.6)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.set_title(f'model "{model.name}"', fontsize=9)
    fig.tight_layout()
    if to_file is not None:
        fig.savefig(to_file, dpi=dpi)
    return fig
