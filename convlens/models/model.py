"""``Model``: Keras's model — a layer with compile/fit/evaluate/predict, summary and saving.

Three ways to make one, as in Keras: ``Model(inputs, outputs)`` (functional: a ``Functional`` graph),
``Sequential([...])`` (the same graph, built as a chain), or a subclass with ``__init__`` + ``call``.
``Model.wrap(module)`` gives any ``torch.nn.Module`` the same methods.

Example:
    >>> from convlens.layers import Conv2D, Dense, GlobalAveragePooling2D, Input
    >>> x = Input(shape=(8, 8, 3))
    >>> y = Conv2D(3, 3, padding="same")(x)
    >>> model = Model(x, Dense(2)(GlobalAveragePooling2D()(y)))
    >>> type(model).__name__, model.count_params()
    ('Functional', 92)
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch import nn

from convlens import dtype_policies, saving
from convlens.graph import Functional as Graph
from convlens.graph.weights import NetworkWeights
from convlens.layers import Layer, is_symbolic
from convlens.layers.base import policy_config
from convlens.models import summary as summary_lib
from convlens.models.display import ModelDisplay
from convlens.models.training_methods import TrainingMethods


def _as_tensor(x: Any, model: nn.Module) -> Any:
    """NumPy inputs as float32 tensors on the model's device; tensors and symbolic tensors as they are (the model's
    device is looked up only for arrays: a tensor call pays nothing)."""
    if isinstance(x, np.ndarray):
        return torch.as_tensor(x, dtype=torch.float32 if x.dtype.kind in "fiub" else None, device=model._device())
    if isinstance(x, (list, tuple)) and any(isinstance(t, np.ndarray) for t in x):
        return [_as_tensor(t, model) for t in x]
    return x


def _no_options(method: str, kwargs: dict[str, Any]) -> None:
    """Keras's format options (``save_format``, ``zipped``, ``options`` …) have no meaning for convlens's one file
    format: refused by name rather than accepted and ignored."""
    if kwargs:
        raise TypeError(f"{method}() got arguments convlens does not take: {sorted(kwargs)}; convlens writes one "
                        f"safetensors format whatever the extension, so leave them out")


@saving.register_serializable(package="convlens")
class Model(ModelDisplay, TrainingMethods, NetworkWeights, Layer):
    """Keras's ``Model``: ``Model(inputs, outputs, name=...)``, or subclass it and define ``call``."""

    uses_training = True

    def __new__(cls, *args: Any, **kwargs: Any) -> "Model":
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            return super().__new__(Functional)  # Python then runs Functional.__init__(inputs, outputs, …)
        if not issubclass(cls, Functional) and is_symbolic(args[0] if args else kwargs.get("inputs")):
            # CustomModel(inputs, outputs): a subclass (train_step …) on a functional graph; its own __init__, if
            # any, runs first and passes (inputs, outputs) on through super().__init__(*args, **kwargs)
            return super().__new__(_functional_subclass(cls))
        return super().__new__(cls)

    def __init__(self, *args: Any, name: str | None = None, trainable: bool = True, **kwargs: Any) -> None:
        if args:
            raise TypeError("Model(...) takes inputs and outputs (functional API) or nothing (subclassing); got "
                            f"{len(args)} positional arguments in {type(self).__name__}")
        super().__init__(name=name, trainable=trainable, **kwargs)
        self.stop_training = False
        self.optimizer = None
        self.compiled = None  # set by compile()
        self.history = None
        self.class_names: list[str] | None = None

    # --- calling ----------------------------------------------------------------------------------------------
    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """``model(x)`` on tensors, NumPy arrays or symbolic tensors; ``training=`` as in Keras.

        This is the one inference path: ``predict``, ``evaluate``, the figures, the live page, serving and the ONNX
        check all call it. Each layer computes as its dtype policy says; the outputs are float32 in every policy.
        """
        out = super().__call__(_as_tensor(x, self), *args, **kwargs)
        return dtype_policies.to_float32(out) if self._dtype_policy.is_mixed else out

    def _device(self) -> torch.device:
        parameter = next(self.parameters(), None)
        return parameter.device if parameter is not None else torch.device("cpu")

    def forward(self, x: Any, training: bool | None = None, activate: bool = True) -> Any:
        """A subclassed model runs its ``call(inputs, training=...)``."""
        if type(self).call is Model.call:
            raise NotImplementedError(f"{type(self).__name__} has no call(): subclass Model and define "
                                      f"call(self, inputs, training=False), or use Model(inputs, outputs)")
        if "training" in inspect.signature(self.call).parameters:
            return self.call(x, training=self._call_mode(training))
        return self.call(x)

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """Override in a subclass: the forward computation on channels-last tensors."""
        raise NotImplementedError

    @property
    def output_activation(self) -> str | None:
        """Name of the final activation when the model ends with one (a subclassed model's is not known)."""
        return None

    # --- structure --------------------------------------------------------------------------------------------
    @property
    def layers(self) -> list[nn.Module]:
        return list(self.children())

    def get_layer(self, name: str | None = None, index: int | None = None) -> nn.Module:
        """A layer by ``name`` (``"base/conv2d_3"`` reaches into a nested model) or by ``index``."""
        return Graph.get_layer(self, name=name, index=index)

    def build(self, input_shape: Sequence[int | None]) -> None:
        """Create the weights of a subclassed model by running it once on zeros of ``input_shape``."""
        shape = (None, *tuple(input_shape)[1:])
        was_training = self.training
        self.eval()
        with torch.no_grad():
            out = Layer.__call__(self, torch.zeros((2, *shape[1:])))
        self.train(was_training)
        self.input_shape = shape
        self.output_shape = (None, *out.shape[1:]) if torch.is_tensor(out) else None
        self.built = True

    def build_for(self, input_shape: Any) -> Any:
        if not self.built:
            self.built = True  # the trial run below must not come back here
            try:
                self.build(input_shape)
            except BaseException:
                self.built = False
                raise
        return self.output_shape

    def compute_output_shape(self, input_shape: Any) -> Any:
        if not self.built:
            self.build(input_shape)
        return self.output_shape

    # --- summary ----------------------------------------------------------------------------------------------
    def summary_rows(self) -> list[summary_lib.LayerRow]:
        """The rows ``summary()`` prints (name, type, shapes, params and formula, receptive field, MACs), as
        values, for pages and reports that lay them out themselves."""
        self._require_built("summary")
        return summary_lib.rows(self)

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Callable[[str], None] | None = None, expand_nested: bool = False,
                show_trainable: bool = False, return_string: bool = False, show_formulas: bool = False
                ) -> str | None:
        """Print (or return) Keras's table plus receptive field and MACs columns ("Connected to" for graphs)."""
        self._require_built("summary")
        text = summary_lib.format_summary(self, summary_lib.rows(self, expand_nested), show_formulas,
                                          line_length, show_trainable)
        return summary_lib.print_or_return(text, print_fn, return_string)

    def _require_built(self, what: str) -> None:
        if not self.built or self.input_shape is None:
            raise ValueError(f"{what} needs the model's input shape: give the first layer input_shape=(…), start "
                             f"with Input(shape=(…)), call model.build((None, …)), or call it on data first")

    # --- weights (get_weights, set_weights, weights, count_params: graph.weights.NetworkWeights) -------------
    def named_weight_arrays(self) -> dict[str, np.ndarray]:
        """``{"conv2d_1/kernel": array, "base/conv2d_1/kernel": …}`` in Keras layouts: how files store weights."""
        return saving.named_weight_arrays(self)

    # --- saving -----------------------------------------------------------------------------------------------
    def save(self, filepath: str | Path, overwrite: bool = True, **kwargs: Any) -> None:
        """Write architecture, weights (by layer path), optimizer and training state to one safetensors file."""
        _no_options("save", kwargs)
        saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str | Path, overwrite: bool = True, **kwargs: Any) -> None:
        """Write the weights alone, keyed by layer path (convlens's safetensors format, whatever the extension)."""
        _no_options("save_weights", kwargs)
        saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str | Path, skip_mismatch: bool = False, **kwargs: Any) -> None:
        """Load weights by layer path; every mismatch is reported by name and shape, and nothing is changed
        unless all fit (``skip_mismatch=True`` loads what fits and warns about the rest)."""
        _no_options("load_weights", kwargs)
        saving.load_weights(self, filepath, skip_mismatch=skip_mismatch)

    def export(self, filepath: str | Path, format: str = "onnx", verbose: bool = True, samples: Any = None) -> Any:
        """Keras's ``export``: ``format='onnx'`` writes an ONNX file (dynamic batch, channels-last input), verified
        against onnxruntime on random batches and ``samples``; returns the ``ParityReport`` and prints its line."""
        if format != "onnx":
            raise ValueError(f"format must be 'onnx', got {format!r}")
        from convlens.saving.onnx import export_onnx  # onnx/onnxruntime: the optional `export` extra
        return export_onnx(self, filepath, samples=samples, verbose=verbose)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} is a subclassed model and has no config of its own; "
                                  f"define get_config() (and register the class with "
                                  f"convlens.saving.register_serializable), or save_weights() instead")

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as JSON text (``models.model_from_json`` rebuilds it)."""
        return saving.to_json(self, **kwargs)

    # --- plain torch modules ----------------------------------------------------------------------------------
    @staticmethod
    def wrap(module: nn.Module, input_shape: Sequence[int] | None = None, channels_first: bool = False,
             name: str | None = None, from_logits: bool = False) -> "Model":
        """Give any ``torch.nn.Module`` the Keras methods. ``channels_first=True`` feeds it NCHW batches while
        your arrays stay channels-last; ``from_logits=True`` when it ends without a softmax (most torch
        classifiers do): predictions become probabilities and the loss gets the logits."""
        return WrappedModule(module, input_shape, channels_first, name or type(module).__name__.lower(), from_logits)


@saving.register_serializable(package="convlens")
class Functional(Graph, Model):
    """What ``Model(inputs, outputs)`` returns: the graph network with Keras's model methods."""

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(inputs, outputs, name=name, trainable=trainable, **kwargs)

    set_weights = Model.set_weights  # checks every shape before changing anything

    def get_config(self) -> dict[str, Any]:
        return {**Graph.get_config(self), **policy_config(self)}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> "Functional":
        inputs, outputs = Graph.graph_from_config(config, lambda e: saving.deserialize(e, custom_objects))
        return cls(inputs, outputs, name=config.get("name"), trainable=config.get("trainable", True),
                   dtype=config.get("dtype"))


_FUNCTIONAL_SUBCLASSES: dict[type, type] = {}


def _functional_subclass(cls: type) -> type:
    """``cls`` run as a functional graph: its own methods (``__init__``, ``train_step`` …) come first, then
    ``Functional``'s graph, then ``Model``'s defaults."""
    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(cls.__name__, (cls, Functional), {"__module__": cls.__module__,
                                                                          "__qualname__": cls.__qualname__})
    return _FUNCTIONAL_SUBCLASSES[cls]


class WrappedModule(Model):
    """A user's ``torch.nn.Module`` behind the Keras methods. ``from_logits=True`` says it outputs logits:
    ``predict`` then applies a softmax, and training folds that softmax into the loss."""

    def __init__(self, module: nn.Module, input_shape: Sequence[int] | None, channels_first: bool, name: str,
                 from_logits: bool = False):
        super().__init__(name=name)
        self.module = module
        self.channels_first = channels_first
        self.from_logits = bool(from_logits)
        if input_shape is not None:
            self.input_shape = (None, *input_shape)
            self.built = True

    @property
    def layers(self) -> list[nn.Module]:
        return list(self.module.children()) or [self.module]

    def build(self, input_shape: Sequence[int | None]) -> None:
        self.input_shape = (None, *tuple(input_shape)[1:])
        self.built = True

    @property
    def output_activation(self) -> str | None:
        return "softmax" if self.from_logits else None

    def forward(self, x: torch.Tensor, training: bool | None = None, activate: bool = True) -> torch.Tensor:
        if self.channels_first and x.dim() > 2:
            x = x.movedim(-1, 1)
        out = self.module(x)
        return torch.softmax(out, dim=-1) if self.from_logits and activate else out

    def get_weights(self) -> list[np.ndarray]:
        return [t.detach().cpu().numpy().copy() for t in self.module.state_dict().values()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        state = self.module.state_dict()
        if len(weights) != len(state):
            raise ValueError(f"model {self.name!r} has {len(state)} weight arrays, got {len(weights)}")
        for (key, old), new in zip(state.items(), weights):
            if tuple(np.shape(new)) != tuple(old.shape):
                raise ValueError(f"model {self.name!r} weight {key!r}: expected shape {tuple(old.shape)}, got "
                                 f"{tuple(np.shape(new))}; nothing was changed")
        self.module.load_state_dict({k: torch.as_tensor(np.asarray(w)) for k, w in zip(state, weights)})

    def named_weight_arrays(self) -> dict[str, np.ndarray]:
        return {key: t.detach().cpu().numpy().copy() for key, t in self.module.state_dict().items()}

    def summary_rows(self) -> list[summary_lib.LayerRow]:
        return summary_lib.wrapped_rows(self)

    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Callable[[str], None] | None = None, expand_nested: bool = False,
                show_trainable: bool = False, return_string: bool = False, show_formulas: bool = False
                ) -> str | None:
        rows = [f'Model: "{self.name}" (a wrapped torch module)']
        for name, child in self.module.named_children():
            count = sum(p.numel() for p in child.parameters())
            rows.append(f" {name} ({type(child).__name__})".ljust(44) + f"{count}")
        total = sum(p.numel() for p in self.module.parameters())
        trainable = sum(p.numel() for p in self.module.parameters() if p.requires_grad)
        rows += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                 f"Non-trainable params: {total - trainable:,}"]
        return summary_lib.print_or_return("\n".join(rows), print_fn, return_string)
