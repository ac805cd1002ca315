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


class Model(nn.Module):
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

    # --- training (convlens.training does the work) ---------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                loss_weights: Any = None, mixed_precision: str | None = None, **kwargs: Any) -> None:
        """Choose optimizer, loss and metrics by Keras name or object.

        ``mixed_precision="bfloat16"`` (a convlens option, off by default as Keras computes in float32) runs the
        layers under ``torch.autocast``: faster on CPUs and GPUs with bfloat16 units, weights kept in float32.
        """
        from convlens.training.setup import compile_model
        compile_model(self, optimizer, loss, metrics, mixed_precision)

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = 1,
            callbacks: Sequence[Any] | None = None, validation_split: float = 0.0, validation_data: Any = None,
            shuffle: bool = True, class_weight: dict | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1, **kwargs: Any):
        """Train; returns a ``History``. Same arguments and meaning as Keras's ``fit``."""
        from convlens.training.engine import fit
        return fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                   validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
                   class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
                   steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                   validation_batch_size=validation_batch_size, validation_freq=validation_freq)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = 1,
                 sample_weight: Any = None, steps: int | None = None, callbacks: Sequence[Any] | None = None,
                 return_dict: bool = False, **kwargs: Any):
        """Loss and metrics on data: ``[loss, *metrics]`` (a float alone when there are no metrics)."""
        from convlens.training.engine import evaluate
        return evaluate(self, x, y, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks,
                        return_dict=return_dict, sample_weight=sample_weight)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: Sequence[Any] | None = None, **kwargs: Any) -> np.ndarray:
        """Model outputs (probabilities after a softmax) as a NumPy array."""
        from convlens.training.engine import predict
        return predict(self, x, batch_size=batch_size, steps=steps, callbacks=callbacks)

    def fit_generator(self, generator: Any, steps_per_epoch: int | None = None, epochs: int = 1, *,
                      samples_per_epoch: int | None = None, nb_epoch: int | None = None,
                      nb_val_samples: int | None = None, validation_data: Any = None, **kwargs: Any):
        """Keras 1/2's ``fit_generator`` (the notes use it): deprecated, forwards to ``fit``.

        Keras 1's ``samples_per_epoch`` / ``nb_val_samples`` count images; they become steps of the generator's
        ``batch_size``, and ``nb_epoch`` becomes ``epochs``.
        """
        import warnings
        warnings.warn("fit_generator is deprecated; model.fit accepts generators", DeprecationWarning, stacklevel=2)

        def steps(samples: int | None, source: Any) -> int | None:
            if samples is None:
                return None
            size = getattr(source, "batch_size", None)
            if size is None:
                raise ValueError("samples_per_epoch / nb_val_samples need a generator with a batch_size; "
                                 "pass steps_per_epoch / validation_steps instead")
            return -(-samples // size)

        steps_per_epoch = steps_per_epoch or steps(samples_per_epoch, generator)
        if steps_per_epoch is not None and hasattr(generator, "__len__"):
            steps_per_epoch = min(steps_per_epoch, len(generator))
        validation_steps = kwargs.pop("validation_steps", None) or steps(nb_val_samples, validation_data)
        if validation_steps is not None and hasattr(validation_data, "__len__"):
            validation_steps = min(validation_steps, len(validation_data))
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=nb_epoch or epochs,
                        validation_data=validation_data, validation_steps=validation_steps, **kwargs)

    # --- saving ---------------------------------------------------------------------------------------------------
    def save(self, filepath: str | Path, overwrite: bool = True, **kwargs: Any) -> None:
        """Write architecture, weights, optimizer and training state to one safetensors file (atomically)."""
        from convlens.models.saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath: str | Path, overwrite: bool = True, **kwargs: Any) -> None:
        """Write the weights alone (convlens's safetensors format, whatever the extension), atomically."""
        from convlens.models.saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath: str | Path, **kwargs: Any) -> None:
        """Load weights written by ``save_weights`` or ``save``; pickle-based files are refused."""
        from convlens.models.saving import load_weights
        load_weights(self, filepath)

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
