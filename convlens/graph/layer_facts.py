"""What the summary and the graph code ask of every node's layer, whether a convlens layer, a nested network or a
plain torch module: its parameter count, MACs and receptive-field step (from ``convlens.arithmetic``).

Example:
    >>> from convlens.layers import Dense
    >>> layer = Dense(2); _ = layer.build_for((None, 3))
    >>> layer_param_count(layer).count
    8
"""
from __future__ import annotations

from typing import Any

from torch import nn

from convlens import arithmetic
from convlens.arithmetic import ParamCount
from convlens.layers import InputLayer, Layer, Node, OpLayer
from convlens.layers.base import Shape


def layer_param_count(layer: nn.Module, input_shape: Shape | None = None) -> ParamCount:
    """A layer's parameter count for the summary; a frozen layer's weights all count as non-trainable."""
    if not isinstance(layer, Layer):
        total = sum(t.numel() for t in (*layer.parameters(), *layer.buffers()))
        frozen = sum(p.numel() for p in layer.parameters() if not p.requires_grad) + \
            sum(b.numel() for b in layer.buffers())
        return ParamCount(total, f"{total:,}", frozen)
    shape = input_shape if input_shape is not None else layer.input_shape
    count = layer.param_count(shape) if shape is not None else arithmetic.NO_PARAMS
    if not layer.trainable:
        return ParamCount(count.count, count.formula, count.count)
    return count


def row_macs(node: Node) -> int:
    layer = node.layer
    if not isinstance(layer, Layer) or isinstance(layer, InputLayer):
        return 0
    args = [t.shape for t in node.input_tensors]
    shape = args if node.multi_input else args[0]
    out = [t.shape for t in node.output_tensors]
    return layer.macs(shape, out[0] if len(out) == 1 else out)


def node_step(node: Node) -> Any:
    layer = node.layer
    if isinstance(layer, InputLayer) or not isinstance(layer, Layer):
        return None
    args = [t.shape for t in node.input_tensors]
    if node.multi_input and not isinstance(layer, OpLayer):  # merges keep their parents' fields
        return None
    return layer.receptive_step(args if node.multi_input else args[0])


def network_receptive_fields(network: Any) -> dict[int, tuple[list | None, bool]]:
    """``{id(node): (fields per spatial dimension or None for 'all', paths disagree)}`` via the arithmetic."""
    nodes = network._nodes
    spatial = max((len(t.shape) - 2 for t in network.inputs), default=0)
    described = [(str(id(node)), [str(id(parent)) for parent in node.parents], node_step(node)) for node in nodes]
    result = arithmetic.graph_receptive_fields(described, spatial)
    return {id(node): result[str(id(node))] for node in nodes}
