"""``Functional``: a graph of layers from symbolic inputs to symbolic outputs, and the one way models run.

The graph is read once, when the network is made: its nodes in topological order become a plan, and ``forward``
walks the plan, keeping each intermediate value only until its last consumer has run. Sequential, functional and
nested models all run through this code; a max-pooling that directly follows a ReLU layer is computed as
``relu(pool(x))`` (the same numbers and gradients, a quarter of the ReLU work) for every model.

Example:
    >>> import torch
    >>> from convlens.layers import Conv2D, Dense, GlobalAveragePooling2D, Input
    >>> x = Input(shape=(8, 8, 1))
    >>> net = Functional(x, Dense(2)(GlobalAveragePooling2D()(Conv2D(4, 3)(x))), name="tiny")
    >>> [layer.name for layer in net.layers]
    ['input_layer_1', 'conv2d_1', 'global_average_pooling2d_1', 'dense_1']
    >>> net(torch.zeros(5, 8, 8, 1)).shape
    torch.Size([5, 2])
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from convlens.arithmetic import ParamCount
from convlens.graph.layer_facts import layer_param_count, network_receptive_fields, row_macs
from convlens.graph.weights import NetworkWeights
from convlens.layers import ActivatedLayer, InputLayer, KerasTensor, Layer, Node
from convlens.layers.base import Shape
from convlens.layers.pooling import _Pooling
from convlens.layers.symbolic import flatten


@dataclass
class Step:
    """One node of the plan: which values it reads and writes, and how to call its layer."""

    node: Node
    reads: list[int]
    writes: list[int]
    training: bool | None
    frees: list[int] = field(default_factory=list)  # values no later step needs
    final: bool = False  # produces the model's only output: ``activate=False`` applies here
    takes_activate: bool = False  # the layer's forward has an ``activate`` argument
    fuse_next: "Step | None" = None  # a max-pooling that this ReLU layer's output feeds alone


def topological_nodes(inputs: list[KerasTensor], outputs: list[KerasTensor]) -> list[Node]:
    """The nodes between ``inputs`` and ``outputs``, each after the nodes it reads from."""
    input_ids = {t.uid for t in inputs}
    ordered: list[Node] = []
    seen: set[int] = set()

    def visit(tensor: KerasTensor, path: tuple[int, ...]) -> None:
        if tensor.uid in input_ids:
            return
        node = tensor.node
        if node is None or isinstance(node.layer, InputLayer):
            raise ValueError(f"graph disconnected: {tensor!r} comes from an input that is not among the model's "
                             f"inputs {[t.name or t.node.layer.name for t in inputs]}; pass it in inputs=[…]")
        if id(node) in seen:
            return
        if id(node) in path:
            raise ValueError(f"the graph has a cycle through layer {node.layer.name!r}")
        for parent in node.input_tensors:
            visit(parent, path + (id(node),))
        seen.add(id(node))
        ordered.append(node)

    for tensor in outputs:
        visit(tensor, ())
    return ordered


def keras_order(nodes: list[Node], outputs: list[KerasTensor]) -> list[Node]:
    """Order nodes as Keras orders a functional model's layers: farthest from the outputs first (ties keep their
    order). Still topological, and it makes ``get_weights()`` line up with a Keras model built the same way."""
    depth = {id(t.node): 0 for t in outputs}
    for node in reversed(nodes):
        for parent in node.parents:
            depth[id(parent)] = max(depth.get(id(parent), 0), depth.get(id(node), 0) + 1)
    position = {id(node): i for i, node in enumerate(nodes)}
    return sorted(nodes, key=lambda node: (-depth.get(id(node), 0), position[id(node)]))


def _computing_low(value: Any) -> bool:
    """Whether autocast is on where ``value`` lives (a mixed-precision model is running)."""
    tensor = value if torch.is_tensor(value) else next((t for t in flatten(value) if torch.is_tensor(t)), None)
    return tensor is not None and torch.is_autocast_enabled(tensor.device.type)


def _relu_then_max_pool(step: Step, following: Step) -> bool:
    layer, pool = step.node.layer, following.node.layer
    return (isinstance(layer, ActivatedLayer) and getattr(layer, "activation", None) is torch.relu
            and isinstance(pool, _Pooling) and pool.mode == "max" and not following.node.multi_input)


class Functional(NetworkWeights, Layer):
    """A network of layers: ``Functional(inputs, outputs)`` with ``Input(...)`` tensors and layer outputs."""

    uses_training = True

    def __init__(self, inputs: Any = None, outputs: Any = None, name: str | None = None, trainable: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._plan: list[Step] = []
        self._nodes: list[Node] = []
        if inputs is not None or outputs is not None:
            self._set_graph(inputs, outputs)

    # --- building the graph -----------------------------------------------------------------------------------
    def _set_graph(self, inputs: Any, outputs: Any) -> None:
        for what, tensors in (("inputs", inputs), ("outputs", outputs)):
            for tensor in flatten(tensors):
                if not isinstance(tensor, KerasTensor):
                    raise TypeError(f"Model {what} must be symbolic tensors (from Input(...) and layers called on "
                                    f"it), got {type(tensor).__name__}")
        # a list of one input (``Model(base.inputs, …)``) is one input, as in Keras: the model nests in a Sequential
        self._multi_input = isinstance(inputs, (list, tuple)) and len(inputs) > 1
        self._multi_output = isinstance(outputs, (list, tuple))
        self.inputs: list[KerasTensor] = flatten(inputs)
        self.outputs: list[KerasTensor] = flatten(outputs)
        for tensor in self.inputs:
            if not isinstance(tensor.node.layer, InputLayer):
                raise ValueError(f"Model inputs must come straight from Input(...), got the output of layer "
                                 f"{tensor.node.layer.name!r}")
        self._nodes = keras_order([t.node for t in self.inputs] + topological_nodes(self.inputs, self.outputs),
                                  self.outputs)
        layers: list[Layer] = []
        for node in self._nodes:
            if all(node.layer is not known for known in layers):
                layers.append(node.layer)
        self._assign_names(layers)
        self._register_layers(layers)
        self.input_shape = self._structure([t.shape for t in self.inputs], self._multi_input)
        self.output_shape = self._structure([t.shape for t in self.outputs], self._multi_output)
        self.declared_input_shape = None if self._multi_input else tuple(self.input_shape[1:])
        self._plan = self._make_plan()
        self.built = True

    @staticmethod
    def _structure(items: list, multi: bool) -> Any:
        return list(items) if multi else items[0]

    def _assign_names(self, layers: list[nn.Module]) -> None:
        """Name unnamed layers ``<kind>_<n>`` (``conv2d_1``…) and refuse two layers with one name."""
        taken = {layer.name for layer in layers if isinstance(layer, Layer) and layer._name is not None}
        for layer in layers:
            if isinstance(layer, Layer) and layer._name is None:
                base, number = layer.name, 1
                while f"{base}_{number}" in taken:
                    number += 1
                layer.name = f"{base}_{number}"
                taken.add(layer.name)
        names = [layer.name for layer in layers if isinstance(layer, Layer)]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"layer names must be unique in a model; {duplicates} used more than once")

    def _register_layers(self, layers: list[Layer]) -> None:
        self._graph_layers = nn.ModuleList(layers)

    def _make_plan(self) -> list[Step]:
        index = {t.uid: i for i, t in enumerate(t for node in self._nodes for t in node.output_tensors)}
        steps = [Step(node, [index[t.uid] for t in node.input_tensors], [index[t.uid] for t in node.output_tensors],
                      node.kwargs.get("training")) for node in self._nodes if not isinstance(node.layer, InputLayer)]
        outputs = {index[t.uid] for t in self.outputs}
        last_read: dict[int, int] = {}
        for i, step in enumerate(steps):
            for value in step.reads:
                last_read[value] = i
        for value, i in last_read.items():
            if value not in outputs:
                steps[i].frees.append(value)
        if len(self.outputs) == 1 and steps and steps[-1].writes == [index[self.outputs[0].uid]]:
            steps[-1].final = True
            steps[-1].takes_activate = "activate" in inspect.signature(steps[-1].node.layer.forward).parameters
        readers: dict[int, list[int]] = {}
        for i, step in enumerate(steps):
            for value in step.reads:
                readers.setdefault(value, []).append(i)
        for i, step in enumerate(steps[:-1]):
            consumers = readers.get(step.writes[0], []) if len(step.writes) == 1 else []
            if (len(consumers) == 1 and consumers[0] == i + 1 and step.writes[0] not in outputs
                    and _relu_then_max_pool(step, steps[i + 1])):
                step.fuse_next = steps[i + 1]
        self._value_slots = len(index)
        self._input_slots = [index[t.uid] for t in self.inputs]
        self._output_slots = [index[t.uid] for t in self.outputs]
        return steps

    # --- running ----------------------------------------------------------------------------------------------
    def forward(self, inputs: Any, training: bool | None = None, activate: bool = True) -> Any:
        """Run the graph; ``activate=False`` skips the final layer's activation (logits for a fused loss)."""
        values: list[Any] = [None] * self._value_slots
        if isinstance(inputs, dict):  # Keras: a dict keyed by the Input layers' names
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(f"model {self.name!r} got no value for its input(s) {missing}; the dict's keys must "
                                 f"be the input names {self.input_names}, got {sorted(inputs)}")
            inputs = [inputs[name] for name in self.input_names]
        given = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(given) != len(self._input_slots):
            raise ValueError(f"model {self.name!r} expects {len(self._input_slots)} inputs, got {len(given)}")
        for slot, value in zip(self._input_slots, given):
            values[slot] = value
        skip: Step | None = None
        for step in self._plan:
            if step is skip:
                continue
            layer = step.node.layer
            args = [values[i] for i in step.reads]
            arg = args if step.node.multi_input else args[0]
            kwargs: dict[str, Any] = {}
            if layer.uses_training:
                kwargs["training"] = step.training if step.training is not None else training
            pool = step.fuse_next
            if pool is not None and not (layer._forward_hooks or pool.node.layer._forward_hooks
                                         or pool.node.layer._forward_pre_hooks):
                # max(relu(a), relu(b)) = relu(max(a, b)), gradients included: pooling first makes ReLU touch a
                # quarter of the values. Skipped when a hook wants the layer's own output.
                out = pool.node.layer(layer(arg, activate=False))
                out = out.relu_() if not torch.is_grad_enabled() else torch.relu(out)
                values[pool.writes[0]] = out
                skip = pool
                for value in step.frees + pool.frees:
                    values[value] = None
                continue
            if step.final and step.takes_activate and (not activate or (_computing_low(arg)
                                                                       and not layer._forward_hooks)):
                kwargs["activate"] = False
            out = layer(arg, **kwargs)
            if step.final and step.takes_activate and activate and "activate" in kwargs:
                out = layer.activate(out.float())  # mixed precision: the final activation on float32 scores
            if len(step.writes) == 1:
                values[step.writes[0]] = out
            else:
                for slot, value in zip(step.writes, out):
                    values[slot] = value
            for value in step.frees:
                values[value] = None
        outputs = [values[i] for i in self._output_slots]
        return outputs if self._multi_output else outputs[0]

    @property
    def input(self) -> KerasTensor | list[KerasTensor]:
        """The model's symbolic input (a list for several), as Keras's ``model.input``: with ``model.output`` or
        ``[layer.output for layer in model.layers]`` it makes a feature-extraction model."""
        return self._structure(self._graph_tensors("inputs", "input"), self._multi_input)

    @property
    def output(self) -> KerasTensor | list[KerasTensor]:
        """The model's symbolic output (a list for several), as Keras's ``model.output``."""
        return self._structure(self._graph_tensors("outputs", "output"), self._multi_output)

    def _graph_tensors(self, attribute: str, what: str) -> list[KerasTensor]:
        tensors = self.__dict__.get(attribute)
        if not tensors:
            raise ValueError(f"model {self.name!r} has no {what} yet: give its first layer input_shape=(…), start "
                             f"it with Input(shape=(…)) or call model.build((None, …)) first")
        return tensors

    @property
    def input_names(self) -> list[str]:
        """The names of the model's Input layers, in input order (the keys of a dict given as ``x``)."""
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_activation(self) -> str | None:
        """Name of the final activation (``'softmax'``, ``'sigmoid'`` …) when the model ends with one."""
        if len(self.outputs) != 1:
            return None
        layer = self.outputs[0].node.layer
        if isinstance(layer, Functional):
            return layer.output_activation
        fn = getattr(layer, "activation", None)
        return getattr(fn, "__name__", None) if fn is not None else None

    # --- a network is a layer ---------------------------------------------------------------------------------
    @property
    def layers(self) -> list[nn.Module]:
        return list(self._graph_layers)

    def get_layer(self, name: str | None = None, index: int | None = None) -> nn.Module:
        """A layer by ``name`` (``"base/conv2d_3"`` reaches into a nested model) or by ``index``."""
        if (name is None) == (index is None):
            raise ValueError("get_layer needs exactly one of name=… or index=…")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"model {self.name!r} has {len(layers)} layers; index {index} is out of range")
            return layers[index]
        head, _, rest = name.partition("/")
        for layer in layers:
            if getattr(layer, "name", None) == head:
                return layer.get_layer(rest) if rest else layer
        raise ValueError(f"no layer named {head!r} in model {self.name!r}; its layers are "
                         f"{[getattr(layer, 'name', '?') for layer in layers]}")

    def build_for(self, input_shape: Shape) -> Shape:
        """Calling a built network on new inputs leaves its own shapes as they are."""
        return self.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if input_shape == self.input_shape:
            return self.output_shape
        shapes = {}
        given = input_shape if self._multi_input else [input_shape]
        for tensor, shape in zip(self.inputs, given):
            shapes[tensor.uid] = (None, *tuple(shape)[1:])
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            args = [shapes[t.uid] for t in node.input_tensors]
            out = node.layer.compute_output_shape(args if node.multi_input else args[0])
            for tensor, shape in zip(node.output_tensors, out if isinstance(out, list) else [out]):
                shapes[tensor.uid] = shape
        return self._structure([shapes[t.uid] for t in self.outputs], self._multi_output)

    # --- arithmetic of the whole network, as one row of an outer summary --------------------------------------
    def param_count(self, input_shape: Shape) -> ParamCount:
        counts = [layer_param_count(layer) for layer in self.layers]
        total = sum(c.count for c in counts)
        return ParamCount(total, f"{total:,} in {len(self.layers)} layers", sum(c.non_trainable for c in counts))

    def macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return sum(row_macs(node) for node in self._nodes)

    def receptive_step(self, input_shape: Shape) -> Any:
        fields = network_receptive_fields(self)
        out, _ = fields[id(self.outputs[0].node)] if len(self.outputs) == 1 else (None, False)
        if out is None:
            return "global"
        return [(f.size, f.jump, round((f.size - 1) / 2 - (f.start - 0.5)), 1) for f in out]

    # --- config -----------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Layers with their configs and the nodes that connect them: enough to rebuild the graph."""
        node_ids = {id(node) for node in self._nodes}

        def own_nodes(layer: Layer) -> list[Node]:
            return [n for n in layer._inbound_nodes if id(n) in node_ids]

        def ref(tensor: KerasTensor) -> list:
            return [tensor.node.layer.name, own_nodes(tensor.node.layer).index(tensor.node), tensor.index]

        entries = []
        for layer in self.layers:
            entries.append({"class_name": type(layer).__name__, "name": layer.name, "config": layer.get_config(),
                            "inbound_nodes": [{"args": [ref(t) for t in node.input_tensors],
                                               "multi": node.multi_input, "kwargs": node.kwargs}
                                              for node in own_nodes(layer) if not isinstance(layer, InputLayer)]})
        return {"name": self.name, "trainable": self.trainable, "layers": entries,
                "input_layers": [ref(t) for t in self.inputs], "output_layers": [ref(t) for t in self.outputs],
                "multi_input": self._multi_input, "multi_output": self._multi_output}

    @staticmethod
    def graph_from_config(config: dict[str, Any], make_layer: Callable[[dict[str, Any]], Layer]
                          ) -> tuple[Any, Any]:
        """Rebuild the layers (``make_layer(entry)`` turns one config entry into a layer) and replay their calls;
        returns ``(inputs, outputs)`` for ``Functional.__init__``."""
        layers = {entry["name"]: make_layer(entry) for entry in config["layers"]}
        produced: dict[str, list[list[KerasTensor]]] = {}
        for name, layer in layers.items():
            if isinstance(layer, InputLayer):
                produced[name] = [[layer.output_tensor]]
        pending = [(entry["name"], i, node) for entry in config["layers"]
                   for i, node in enumerate(entry["inbound_nodes"])]
        while pending:
            remaining = []
            for name, i, node in pending:
                refs = node["args"]
                ready = all(r[0] in produced and len(produced[r[0]]) > r[1] for r in refs)
                if not ready or len(produced.get(name, [])) != i:
                    remaining.append((name, i, node))
                    continue
                args = [produced[r[0]][r[1]][r[2]] for r in refs]
                out = layers[name](args if node["multi"] else args[0], **node.get("kwargs", {}))
                produced.setdefault(name, []).append(out if isinstance(out, list) else [out])
            if len(remaining) == len(pending):
                raise ValueError(f"model config cannot be rebuilt: layers {[p[0] for p in remaining]} wait for "
                                 f"inputs that no layer produces")
            pending = remaining

        def tensors(refs: list) -> list[KerasTensor]:
            return [produced[r[0]][r[1]][r[2]] for r in refs]

        inputs, outputs = tensors(config["input_layers"]), tensors(config["output_layers"])
        return (inputs if config.get("multi_input") else inputs[0],
                outputs if config.get("multi_output") else outputs[0])
