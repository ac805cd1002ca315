"""Symbolic tensors and the nodes that record layer calls: what the functional API is made of.

``Input(shape=...)`` returns a ``KerasTensor``, a placeholder that knows its shape. Calling a layer on
placeholders runs no arithmetic: it records a ``Node`` (layer, inputs, outputs) on the layer and returns new
placeholders whose shapes come from the layer's ``compute_output_shape`` (``convlens.arithmetic``).

Example:
    >>> from convlens.layers import Conv2D, Input
    >>> x = Input(shape=(28, 28, 1))
    >>> y = Conv2D(8, 3)(x)
    >>> y.shape, y.node.layer.name
    ((None, 26, 26, 8), 'conv2d')
"""
from __future__ import annotations

import itertools
from typing import Any, Sequence


_ids = itertools.count()


class KerasTensor:
    """A symbolic tensor: a shape (batch axis ``None``), a dtype, and the node that produced it."""

    def __init__(self, shape: Sequence[int | None], dtype: str = "float32", name: str | None = None,
                 node: "Node | None" = None, index: int = 0, op_layer: Any = None) -> None:
        self.shape: tuple = tuple(shape)
        self.dtype = dtype
        self.name = name
        self.node = node
        self.index = index
        self.uid = next(_ids)
        self.op_layer = op_layer  # the class that records ops on this tensor (given by Input, passed down)

    def _record_op(self, op: str, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
        """Record a ``convlens.ops`` call on this tensor as a node of the graph (called by the ops)."""
        if self.op_layer is None:
            raise TypeError(f"op {op!r} cannot be recorded on {self!r}: it does not come from Input(...)")
        return self.op_layer.record(op, args, kwargs)

    # Python operators record the matching op, as on Keras tensors: ``x * 2 + 1``, ``-x``, ``x[:, 0]``.
    def __add__(self, other: Any) -> Any:
        return self._record_op("add", (self, other), {})

    def __radd__(self, other: Any) -> Any:
        return self._record_op("add", (other, self), {})

    def __sub__(self, other: Any) -> Any:
        return self._record_op("subtract", (self, other), {})

    def __rsub__(self, other: Any) -> Any:
        return self._record_op("subtract", (other, self), {})

    def __mul__(self, other: Any) -> Any:
        return self._record_op("multiply", (self, other), {})

    def __rmul__(self, other: Any) -> Any:
        return self._record_op("multiply", (other, self), {})

    def __truediv__(self, other: Any) -> Any:
        return self._record_op("divide", (self, other), {})

    def __rtruediv__(self, other: Any) -> Any:
        return self._record_op("divide", (other, self), {})

    def __pow__(self, other: Any) -> Any:
        return self._record_op("power", (self, other), {})

    def __matmul__(self, other: Any) -> Any:
        return self._record_op("matmul", (self, other), {})

    def __neg__(self) -> Any:
        return self._record_op("negative", (self,), {})

    def __abs__(self) -> Any:
        return self._record_op("abs", (self,), {})

    def __lt__(self, other: Any) -> Any:
        return self._record_op("less", (self, other), {})

    def __le__(self, other: Any) -> Any:
        return self._record_op("less_equal", (self, other), {})

    def __gt__(self, other: Any) -> Any:
        return self._record_op("greater", (self, other), {})

    def __ge__(self, other: Any) -> Any:
        return self._record_op("greater_equal", (self, other), {})

    def __getitem__(self, key: Any) -> Any:
        return self._record_op("get_item", (self, key), {})

    def __iter__(self) -> Any:
        raise TypeError(f"a KerasTensor cannot be iterated over (shape {self.shape}); index it, e.g. x[:, 0]")

    __array_ufunc__ = None  # NumPy numbers and arrays then leave ``2.0 * x`` to ``__rmul__``

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        layer = self.node.layer.name if self.node is not None else "?"
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name or layer}>"

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("a KerasTensor is a symbolic placeholder with no values; build a Model(inputs, outputs) and "
                        "call it on data")


def is_symbolic(x: Any) -> bool:
    """True when ``x`` is a ``KerasTensor`` or a list/tuple holding one."""
    if isinstance(x, (list, tuple)):
        return any(is_symbolic(t) for t in x)
    return isinstance(x, KerasTensor)


def flatten(x: Any) -> list:
    return [t for item in x for t in flatten(item)] if isinstance(x, (list, tuple)) else [x]


class Node:
    """One call of ``layer`` on symbolic ``inputs`` (a tensor or a list), giving ``outputs``; ``kwargs`` are the
    call's options that matter when the graph runs (``training=False`` for a frozen base)."""

    def __init__(self, layer: Any, inputs: Any, outputs: list[KerasTensor], kwargs: dict[str, Any]) -> None:
        self.layer = layer
        self.multi_input = isinstance(inputs, (list, tuple))
        self.input_tensors: list[KerasTensor] = flatten(inputs)
        self.output_tensors = outputs
        self.kwargs = kwargs
        for i, tensor in enumerate(outputs):
            tensor.node, tensor.index = self, i

    @property
    def parents(self) -> list["Node"]:
        return [t.node for t in self.input_tensors if t.node is not None]


def symbolic_call(layer: Any, inputs: Any, kwargs: dict[str, Any]) -> KerasTensor | list[KerasTensor]:
    """What calling ``layer`` on symbolic inputs does: build it, record a node, return symbolic outputs."""
    for tensor in flatten(inputs):
        if not isinstance(tensor, KerasTensor):
            raise TypeError(f"layer {layer.name!r} got a mix of symbolic tensors and {type(tensor).__name__}; in "
                            f"functional code every input must come from Input(...) or another layer")
    shapes = [t.shape for t in inputs] if isinstance(inputs, (list, tuple)) else inputs.shape
    output_shape = layer.build_for(shapes)
    multi_output = isinstance(output_shape, list)
    op_layer = next((t.op_layer for t in flatten(inputs) if t.op_layer is not None), None)
    outputs = [KerasTensor(s, op_layer=op_layer) for s in (output_shape if multi_output else [output_shape])]
    node = Node(layer, inputs, outputs, {k: v for k, v in kwargs.items() if k == "training" and v is not None})
    layer._inbound_nodes.append(node)
    return outputs if multi_output else outputs[0]
