"""``Model``: the Keras surface (compile, fit, evaluate, predict, save, summary) over a torch module.

``Sequential`` builds on it; ``Model.wrap(module)`` gives any ``torch.nn.Module`` the same loop, callbacks and
reports.

Example:
    >>> import torch
    >>> net = Model.wrap(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2)), input_shape=(2, 2))
    >>> net.predict(torch.zeros(3, 2, 2).numpy()).shape
    (3, 2)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch
from torch import nn


from convlens.models.training_methods import TrainingMethods


class Model(TrainingMethods, nn.Module):
    """Keras's model methods, shared by ``Sequential`` and wrapped torch modules."""

    def __init__(self, name: str = "model") -> None:
        super().__init__()
        self.name = name
        self.built = False
        self.input_shape: tuple | None = None
        self.stop_training = False
        self.optimizer = None
        self.compiled = None  # a convlens.training.CompiledSetup once compile() ran
        self.history = None
        self.class_names: list[str] | None = None
        self.training_state: dict | None = None  # epoch, shuffle seed and RNG state of the last fit, for resuming
        self._resume_state: dict | None = None  # set by BackupAndRestore when a backup was restored

    # --- structure ------------------------------------------------------------------------------------------------
    @property
    def layers(self) -> list[nn.Module]:
        return list(self.children())

    @property
    def output_activation(self) -> str | None:
        """Name of the final activation (``'softmax'``, ``'sigmoid'`` …) when the model ends with one."""
        return None

    def build(self, input_shape: tuple) -> None:
        self.input_shape = (None, *tuple(input_shape)[1:])
        self.built = True

    def count_params(self) -> int:
        """Number of weights, moving statistics included (as Keras counts them)."""
        return sum(w.size for w in self.get_weights())

    def summary(self, line_length: int | None = None, print_fn: Callable[[str], None] | None = None,
                return_string: bool = False, show_formulas: bool = False) -> str | None:
        """Print (or return) the Keras-style table with receptive field and MACs columns."""
        from convlens.models.summary import format_summary, layer_rows, print_or_return
        if not self.built or self.input_shape is None:
            raise ValueError("this model has no input shape yet: give the first layer input_shape=(…), start with "
                             "Input(shape=(…)), or call it on data first")
        text = format_summary(self.name, layer_rows(self.layers, self.input_shape), show_formulas)
        return print_or_return(text, print_fn, return_string)

    def summary_rows(self) -> list:
        """The rows ``summary()`` prints (name, type, shapes, params and formula, receptive field, MACs), as
        ``convlens.models.summary.LayerRow`` values, for pages and reports that lay them out themselves."""
        from convlens.models.summary import layer_rows
        if not self.built or self.input_shape is None:
            raise ValueError("this model has no input shape yet: give the first layer input_shape=(…), start with "
                             "Input(shape=(…)), or call it on data first")
        return layer_rows(self.layers, self.input_shape)

    # --- weights --------------------------------------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """All weights in Keras layouts and order."""
        weights: list[np.ndarray] = []
        for layer in self.layers:
            if hasattr(layer, "get_weights"):
                weights.extend(layer.get_weights())
            else:
                weights.extend(t.detach().cpu().numpy().copy() for t in
                               (*layer.parameters(), *layer.buffers()))
        return weights

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Load weights given in Keras layouts and order (as ``get_weights()`` returns them)."""
        weights = list(weights)
        expected = len(self.get_weights())
        if len(weights) != expected:
            raise ValueError(f"model {self.name!r} has {expected} weight arrays, got {len(weights)}")
        start = 0
        for layer in self.layers:
            count = len(layer.get_weights()) if hasattr(layer, "get_weights") else \
                len(list(layer.parameters())) + len(list(layer.buffers()))
            chunk = weights[start:start + count]
            start += count
            if hasattr(layer, "set_weights"):
                layer.set_weights(chunk)
            else:
                with torch.no_grad():
                    for target, value in zip((*layer.parameters(), *layer.buffers()), chunk):
                        target.copy_(torch.as_tensor(value))

    # --- saving ---------------------------------------------------------------------------------------------------
    def save(self, filepath: str | Path, overwrite: bool = True, **kwargs: Any) -> None:
        """Write architecture, weights, optimizer and training state to one safetensors file (atomically)."""
        from convlens.saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str | Path, overwrite: bool = True, **kwargs: Any) -> None:
        """Write the weights alone (convlens's safetensors format, whatever the extension), atomically."""
        from convlens.saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str | Path, **kwargs: Any) -> None:
        """Load weights written by ``save_weights`` or ``save``; pickle-based files are refused."""
        from convlens.saving import load_weights
        load_weights(self, filepath)

    def export(self, filepath: str | Path, format: str = "onnx", verbose: bool = True, samples: Any = None) -> Any:
        """Keras's ``export``: ``format='onnx'`` writes an ONNX file (dynamic batch, channels-last input), verified
        against onnxruntime on random batches and ``samples``; returns the ``ParityReport`` and prints its line."""
        if format != "onnx":
            raise ValueError(f"format must be 'onnx', got {format!r}")
        from convlens.saving.onnx import export_onnx  # onnx/onnxruntime: the optional `export` extra
        return export_onnx(self, filepath, samples=samples, verbose=verbose)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} has no config; save its weights with save_weights()")

    # --- plain torch modules --------------------------------------------------------------------------------------
    @staticmethod
    def wrap(module: nn.Module, input_shape: Sequence[int] | None = None, channels_first: bool = False,
             name: str | None = None) -> "Model":
        """Give any ``torch.nn.Module`` the Keras methods. ``channels_first=True`` feeds it NCHW batches while
        your arrays stay channels-last."""
        return WrappedModule(module, input_shape, channels_first, name or type(module).__name__.lower())


class WrappedModule(Model):
    """A user's ``torch.nn.Module`` behind the Keras methods."""

    def __init__(self, module: nn.Module, input_shape: Sequence[int] | None, channels_first: bool, name: str):
        super().__init__(name=name)
        self.module = module
        self.channels_first = channels_first
        if input_shape is not None:
            self.build((None, *input_shape))

    @property
    def layers(self) -> list[nn.Module]:
        return list(self.module.children()) or [self.module]

    def forward(self, x: torch.Tensor, activate: bool = True) -> torch.Tensor:
        if not self.built:
            self.build((None, *x.shape[1:]))
        if self.channels_first and x.dim() > 2:
            x = x.movedim(-1, 1)
        return self.module(x)

    def get_weights(self) -> list[np.ndarray]:
        return [t.detach().cpu().numpy().copy() for t in self.module.state_dict().values()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        state = self.module.state_dict()
        if len(weights) != len(state):
            raise ValueError(f"model {self.name!r} has {len(state)} weight arrays, got {len(weights)}")
        self.module.load_state_dict({k: torch.as_tensor(np.asarray(w)) for k, w in zip(state, weights)})

    def summary(self, line_length: int | None = None, print_fn: Callable[[str], None] | None = None,
                return_string: bool = False, show_formulas: bool = False) -> str | None:
        from convlens.models.summary import print_or_return
        rows = [f'Model: "{self.name}" (a wrapped torch module)']
        for name, child in self.module.named_children():
            count = sum(p.numel() for p in child.parameters())
            rows.append(f" {name} ({type(child).__name__})".ljust(44) + f"{count}")
        total = sum(p.numel() for p in self.module.parameters())
        trainable = sum(p.numel() for p in self.module.parameters() if p.requires_grad)
        rows += [f"Total params: {total:,}", f"Trainable params: {trainable:,}",
                 f"Non-trainable params: {total - trainable:,}"]
        return print_or_return("\n".join(rows), print_fn, return_string)
