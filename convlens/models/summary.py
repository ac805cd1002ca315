"""``model.summary()``: Keras's table plus receptive field and MAC columns, all from ``convlens.arithmetic``.

Rows follow the model's layers. For a graph that is not a plain chain a "Connected to" column names each layer's
inputs as Keras does (``conv2d_1[0][0]``); receptive fields are carried along every path of the graph (the largest
over the paths, marked ``*`` where the paths reach a layer with different strides).

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Conv2D
    >>> print(Sequential([Conv2D(4, 3, input_shape=(8, 8, 1))]).summary(return_string=True).splitlines()[4])
     conv2d_1 (Conv2D)                 (None, 6, 6, 4)       40        3×3              1,296
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from torch import nn

from convlens import arithmetic
from convlens.graph import Functional, layer_param_count, network_receptive_fields
from convlens.graph.functional import row_macs
from convlens.layers import InputLayer, Layer


@dataclass(frozen=True)
class LayerRow:
    """One line of the summary."""

    name: str
    type: str
    input_shape: Any
    output_shape: Any
    params: int
    non_trainable: int
    formula: str
    receptive_field: str
    macs: int
    connected_to: tuple[str, ...] = ()
    trainable: bool = True


def _receptive_text(fields: list[arithmetic.ReceptiveField] | None, disagree: bool) -> str:
    if fields is None:
        return "all"
    text = "×".join(str(f.size) for f in fields) if fields else "-"
    return text + ("*" if disagree and fields else "")


def _graph_rows(model: Functional, expand_nested: bool, prefix: str = "") -> list[LayerRow]:
    fields = network_receptive_fields(model)
    own = {id(node) for node in model._nodes}
    rows: list[LayerRow] = []
    for layer in model.layers:
        if isinstance(layer, InputLayer) and type(model).__name__ == "Sequential":
            continue  # as Keras: a Sequential's summary starts with its first real layer
        nodes = [n for n in layer._inbound_nodes if id(n) in own]
        node = nodes[0]
        ins = [t.shape for t in node.input_tensors]
        outs = [t.shape for t in node.output_tensors]
        input_shape = (ins if node.multi_input else ins[0]) if ins else layer.input_shape
        output_shape = outs[0] if len(outs) == 1 else outs
        count = layer_param_count(layer, input_shape)
        field, disagree = fields[id(node)]
        connected = tuple(f"{t.node.layer.name}[{_node_index(t, own)}][{t.index}]"
                          for n in nodes for t in n.input_tensors)
        rows.append(LayerRow(prefix + layer.name, type(layer).__name__, input_shape, output_shape, count.count,
                             count.non_trainable, count.formula, _receptive_text(field, disagree),
                             sum(row_macs(n) for n in nodes), connected, getattr(layer, "trainable", True)))
        if expand_nested and isinstance(layer, Functional):
            rows.extend(_graph_rows(layer, True, prefix + layer.name + "/"))
    return rows


def _node_index(tensor: Any, own: set[int]) -> int:
    nodes = [n for n in tensor.node.layer._inbound_nodes if id(n) in own or isinstance(n.layer, InputLayer)]
    return nodes.index(tensor.node) if tensor.node in nodes else 0


def _layer_rows(model: nn.Module) -> list[LayerRow]:
    """A subclassed model: each layer with the shapes it last ran on; receptive fields are unknown ("?")."""
    rows = []
    for layer in model.layers:
        if isinstance(layer, Layer) and layer.input_shape is not None:
            count = layer_param_count(layer)
            rows.append(LayerRow(layer.name, type(layer).__name__, layer.input_shape, layer.output_shape,
                                 count.count, count.non_trainable, count.formula, "?",
                                 layer.macs(layer.input_shape, layer.output_shape), (), layer.trainable))
        else:
            count = layer_param_count(layer)
            rows.append(LayerRow(getattr(layer, "name", type(layer).__name__.lower()), type(layer).__name__,
                                 None, None, count.count, count.non_trainable, count.formula, "?", 0))
    return rows


def rows(model: nn.Module, expand_nested: bool = False) -> list[LayerRow]:
    """The summary's rows for any convlens model."""
    if isinstance(model, Functional):
        return _graph_rows(model, expand_nested)
    return _layer_rows(model)


def wrapped_rows(model: Any) -> list[LayerRow]:
    """Rows for ``Model.wrap(module)``: each child with its parameter count (torch knows no shapes ahead)."""
    out = []
    for name, child in model.module.named_children():
        count = layer_param_count(child)
        out.append(LayerRow(name, type(child).__name__, None, None, count.count, count.non_trainable,
                            count.formula, "?", 0))
    return out


def _is_chain(model: nn.Module) -> bool:
    if not isinstance(model, Functional):
        return True
    consumers: dict[int, int] = {}
    for node in model._nodes:
        if len(node.input_tensors) > 1:
            return False
        for tensor in node.input_tensors:
            consumers[tensor.uid] = consumers.get(tensor.uid, 0) + 1
    return len(model.inputs) == 1 and len(model.outputs) == 1 and all(c == 1 for c in consumers.values())


def shape_text(shape: Any) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return ", ".join(shape_text(s) for s in shape)
    if len(shape) == 1:
        return f"({'None' if shape[0] is None else shape[0]},)"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def format_summary(model: nn.Module, table: list[LayerRow], show_formulas: bool = False,
                   line_length: int | None = None, show_trainable: bool = False) -> str:
    """Render the rows as Keras does, plus receptive field and MACs; columns widen to fit long names."""
    connected = not _is_chain(model)
    header = ["Layer (type)", "Output Shape", "Param #", "Receptive field", "MACs"]
    cells = [[f"{r.name} ({r.type})", shape_text(r.output_shape), str(r.params), r.receptive_field, f"{r.macs:,}"] for r in table]
    if connected:
        header.append("Connected to")
        for row, values in zip(table, cells):
            values.append(", ".join(row.connected_to) or "-")
    if show_trainable:
        header.append("Trainable")
        for row, values in zip(table, cells):
            values.append("Y" if row.trainable else "N")
    widths = [34, 22, 10, 17, 12, 36, 10][:len(header)]
    total_width = sum(widths) + 1
    if line_length is not None and line_length > total_width:
        widths[0] += line_length - total_width
        total_width = line_length

    def lines(values: Sequence[str]) -> list[str]:
        """One table row; a value wider than its column wraps onto the next lines, so columns stay aligned."""
        wrapped = [textwrap.wrap(v, w - 2, break_on_hyphens=False) or [""] for v, w in zip(values, widths)]
        return [" " + "".join((cell[i] if i < len(cell) else "").ljust(w) for cell, w in zip(wrapped, widths)).rstrip()
                for i in range(max(len(cell) for cell in wrapped))]

    out = [f'Model: "{model.name}"', "_" * total_width, *lines(header), "=" * total_width]
    for i, (row, values) in enumerate(zip(table, cells)):
        out.extend(lines(values))
        if show_formulas and row.params:
            out.append(f"     params: {row.formula}")
        out.append("_" * total_width if i < len(table) - 1 else "=" * total_width)
    top = [r for r in table if "/" not in r.name]
    total = sum(r.params for r in top)
    frozen = sum(r.non_trainable for r in top)
    out += [f"Total params: {total:,}", f"Trainable params: {total - frozen:,}", f"Non-trainable params: {frozen:,}",
            f"Multiply-accumulates per sample: {sum(r.macs for r in top):,}"]
    if any(r.receptive_field.endswith("*") for r in table):
        out.append("* paths into this layer differ in stride: the largest receptive field is shown")
    policy = getattr(model, "precision_policy", None)
    if policy:
        out.append(f"Precision: {policy}")
    out.append("_" * total_width)
    return "\n".join(out)


def print_or_return(text: str, print_fn: Callable[[str], None] | None, return_string: bool) -> str | None:
    if return_string:
        return text
    (print_fn or print)(text)
    return None
