"""Keras's training methods on a model: ``compile``, ``fit``, ``evaluate``, ``predict`` (``convlens.training`` does
the work), and the run state that ``save`` and checkpoints carry.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    >>> model.compile("sgd", "sparse_categorical_crossentropy")
    >>> model.compiled.loss.kind
    'sparse'
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from convlens.training import setup as training_setup


class TrainingMethods:
    """Mixed into ``convlens.models.Model``."""

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

    # --- run state, carried by save() and checkpoints ----------------------------------------------------------------
    def run_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
        """``(tensors, json_meta)`` needed to resume training exactly: optimizer state, epoch, seeds, RNG."""
        tensors: dict[str, torch.Tensor] = {}
        meta: dict[str, Any] = {}
        optimizer = self.optimizer
        if optimizer is not None and optimizer.torch_optimizer is not None:
            state = optimizer.torch_optimizer.state_dict()
            scalars: dict[str, dict[str, Any]] = {}
            for index, slot in state["state"].items():
                for key, value in slot.items():
                    if torch.is_tensor(value):
                        tensors[f"optimizer/{index}/{key}"] = value.detach().cpu().clone()
                    else:
                        scalars.setdefault(str(index), {})[key] = value
            meta["optimizer_state"] = {"param_groups": state["param_groups"], "scalars": scalars}
        if self.training_state is not None:
            state = dict(self.training_state)
            tensors["rng/torch"] = state.pop("torch_rng")
            meta["training_state"] = state
        return tensors, (meta or None)

    def load_run_state(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
        """Restore what ``run_state()`` returned (the optimizer only when the model is compiled)."""
        if "optimizer_state" in meta and self.optimizer is not None:
            torch_optimizer = self.optimizer.build(self)
            state: dict[int, dict[str, Any]] = {}
            for key, value in tensors.items():
                if key.startswith("optimizer/"):
                    _, index, name = key.split("/", 2)
                    state.setdefault(int(index), {})[name] = value
            for index, values in meta["optimizer_state"].get("scalars", {}).items():
                state.setdefault(int(index), {}).update(values)
            torch_optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer_state"]["param_groups"]})
        if "training_state" in meta:
            self.training_state = {**meta["training_state"], "torch_rng": tensors["rng/torch"]}

    # --- compile settings, carried by save() ---------------------------------------------------------------------
    def get_compile_config(self) -> dict[str, Any] | None:
        """What ``compile`` was given (optimizer config, loss, metrics, precision), as JSON-ready values."""
        if self.compiled is None:
            return None
        return {**self.compiled.get_config(), "optimizer": self.optimizer.get_config()}

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile again from ``get_compile_config()``'s output (``load_model`` does this)."""
        training_setup.compile_from_config(self, config)
