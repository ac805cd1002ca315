"""Keras's training methods on a model: ``compile``, ``fit``, ``evaluate``, ``predict``, the ``*_on_batch`` and
``*_generator`` spellings, the overridable steps, and the run state that ``save`` and checkpoints carry. A
``convlens.training.Trainer`` (``model.trainer``) does the work.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    >>> model.compile("sgd", "sparse_categorical_crossentropy", precision="float32")
    >>> model.compiled.loss.kind, model.precision_policy
    ('sparse', 'float32')
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import torch

from convlens.training import Trainer
from convlens.training import setup as training_setup
from convlens.training.default_steps import default_step
from convlens.training.step import Step
from convlens.training.trackers import Tracker


class TrainingMethods:
    """Mixed into ``convlens.models.Model``."""

    @property
    def trainer(self) -> Trainer:
        """The ``Trainer`` that runs this model's fits (made on first use, kept across compiles)."""
        trainer = self.__dict__.get("_trainer")
        if trainer is None:
            trainer = Trainer(self)
            self.__dict__["_trainer"] = trainer
        return trainer

    @property
    def precision_policy(self) -> str | None:
        """The precision fit, evaluate and predict compute in ('float32', 'bfloat16', 'mixed_float16'), as
        resolved by compile (``'auto'`` already decided); None before compile."""
        return self.trainer.precision if self.__dict__.get("_trainer") is not None else None

    # --- training (convlens.training does the work) ---------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                loss_weights: Any = None, precision: str | None = None, device: Any = None,
                mixed_precision: str | None = None, run_eagerly: bool = False, jit_compile: Any = "auto",
                steps_per_execution: int = 1, **kwargs: Any) -> None:
        """Choose optimizer, loss and metrics by Keras name or object, and how to compute.

        ``precision``: ``"float32"`` (default, on every machine), ``"auto"`` (bfloat16 where the CPU or GPU
        computes it natively, else float32), ``"bfloat16"`` or ``"mixed_float16"`` (CUDA, with a GradScaler); the same policy runs in fit,
        evaluate and predict (``model.precision_policy`` says which). ``device``: ``"cpu"``, ``"cuda"``,
        ``"cuda:1"``, ``"mps"`` (default: ``$CONVLENS_DEVICE``, else the best one present).
        ``mixed_precision="bfloat16"`` is the deprecated spelling of ``precision="bfloat16"``.
        """
        if loss_weights is not None:
            raise ValueError("loss_weights applies to models with several outputs; convlens models have one")
        _refuse_unknown("compile", kwargs, set())
        _check_execution(run_eagerly, jit_compile, steps_per_execution)
        self.trainer.compile(optimizer, loss, metrics, precision=precision, device=device,
                             mixed_precision=mixed_precision)
        self._trackers = None

    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: Sequence[Any] | None = None, validation_split: float = 0.0, validation_data: Any = None,
            shuffle: bool = True, class_weight: dict | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1, **kwargs: Any):
        """Train; returns a ``History``. Same arguments and meaning as Keras's ``fit``."""
        _refuse_unknown("fit", kwargs, {"workers", "use_multiprocessing", "max_queue_size"})
        return self.trainer.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=verbose, callbacks=callbacks,
                                validation_split=validation_split, validation_data=validation_data, shuffle=shuffle,
                                class_weight=class_weight, sample_weight=sample_weight, initial_epoch=initial_epoch,
                                steps_per_epoch=steps_per_epoch, validation_steps=validation_steps,
                                validation_batch_size=validation_batch_size, validation_freq=validation_freq)

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: Sequence[Any] | None = None,
                 return_dict: bool = False, **kwargs: Any):
        """Loss and metrics on data: ``[loss, *metrics]`` (a float alone when there are no metrics)."""
        _refuse_unknown("evaluate", kwargs, {"workers", "use_multiprocessing", "max_queue_size"})
        return self.trainer.evaluate(x, y, batch_size=batch_size, verbose=verbose, sample_weight=sample_weight,
                                     steps=steps, callbacks=callbacks, return_dict=return_dict)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: Sequence[Any] | None = None, **kwargs: Any) -> np.ndarray:
        """Model outputs (probabilities after a softmax) as a NumPy array."""
        _refuse_unknown("predict", kwargs, {"workers", "use_multiprocessing", "max_queue_size"})
        return self.trainer.predict(x, batch_size=batch_size, verbose=verbose, steps=steps, callbacks=callbacks)

    # --- one batch ------------------------------------------------------------------------------------------------
    def train_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, class_weight: dict | None = None,
                       return_dict: bool = False):
        """One optimizer update on the batch ``(x, y)``; returns its loss (and metrics), as Keras does."""
        return self.trainer.on_batch("train", x, y, sample_weight, class_weight, return_dict)

    def test_on_batch(self, x: Any, y: Any = None, sample_weight: Any = None, return_dict: bool = False):
        """Loss (and metrics) of the batch ``(x, y)`` without training."""
        return self.trainer.on_batch("test", x, y, sample_weight, None, return_dict)

    def predict_on_batch(self, x: Any) -> np.ndarray:
        """The model's outputs for one batch, as a NumPy array."""
        return self.trainer.predict_on_batch(x)

    # --- Keras 1/2 generator spellings ----------------------------------------------------------------------------
    def fit_generator(self, generator: Any, steps_per_epoch: int | None = None, epochs: int = 1, *,
                      samples_per_epoch: int | None = None, nb_epoch: int | None = None,
                      nb_val_samples: int | None = None, validation_data: Any = None, **kwargs: Any):
        """Keras 1/2's ``fit_generator`` (the notes use it): deprecated, forwards to ``fit``.

        Keras 1's ``samples_per_epoch`` / ``nb_val_samples`` count images; they become steps of the generator's
        ``batch_size``, and ``nb_epoch`` becomes ``epochs``.
        """
        warnings.warn("fit_generator is deprecated; model.fit accepts generators", DeprecationWarning, stacklevel=2)
        steps_per_epoch = steps_per_epoch or _steps(samples_per_epoch, generator)
        if steps_per_epoch is not None and hasattr(generator, "__len__"):
            steps_per_epoch = min(steps_per_epoch, len(generator))
        validation_steps = kwargs.pop("validation_steps", None) or _steps(nb_val_samples, validation_data)
        if validation_steps is not None and hasattr(validation_data, "__len__"):
            validation_steps = min(validation_steps, len(validation_data))
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=nb_epoch or epochs,
                        validation_data=validation_data, validation_steps=validation_steps, **kwargs)

    def evaluate_generator(self, generator: Any, steps: int | None = None, *, val_samples: int | None = None,
                           **kwargs: Any):
        """Keras 2's ``evaluate_generator``: deprecated, forwards to ``evaluate`` (``val_samples`` counts images)."""
        warnings.warn("evaluate_generator is deprecated; model.evaluate accepts generators", DeprecationWarning,
                      stacklevel=2)
        steps = steps or _steps(val_samples, generator)
        kwargs.setdefault("verbose", 0)
        return self.evaluate(generator, steps=steps, **kwargs)

    def predict_generator(self, generator: Any, steps: int | None = None, *, val_samples: int | None = None,
                          **kwargs: Any) -> np.ndarray:
        """Keras 2's ``predict_generator``: deprecated, forwards to ``predict``."""
        warnings.warn("predict_generator is deprecated; model.predict accepts generators", DeprecationWarning,
                      stacklevel=2)
        steps = steps or _steps(val_samples, generator)
        return self.predict(generator, steps=steps, **kwargs)

    # --- the steps a subclass may override (Keras's "customizing what happens in fit") ---------------------------
    @default_step  # the Trainer runs its fast step unless a subclass overrides this
    def train_step(self, data: Any) -> Any:
        """One training update on ``data`` (``(x, y)`` or ``(x, y, sample_weight)``); returns the logs."""
        return self.trainer.train_step(_three(data))

    @default_step
    def test_step(self, data: Any) -> Any:
        """Loss and metrics of one batch; returns the logs."""
        return self.trainer.test_step(_three(data))

    @default_step
    def predict_step(self, data: Any) -> Any:
        """The outputs for one batch."""
        return self.trainer.predict_step(_three(data))

    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None, sample_weight: Any = None,
                     training: bool = True) -> torch.Tensor:
        """Keras's ``compute_loss``: the compiled loss of ``y_pred`` against ``y`` as the default step computes it
        (the same function: float32, any rank, class weights of the running ``fit`` while ``training``, sample
        weights, the mean over the batch, weight penalties added). Keras 2's ``compute_loss(x, y, y_pred)`` works."""
        if y is None or y_pred is None:
            raise ValueError("compute_loss needs y and y_pred: self.compute_loss(y=y, y_pred=y_pred)")
        strategy = self.trainer._require_compiled("compute_loss")
        step = self.trainer.step
        if step is None or step.loss is not self.compiled.loss:
            step = Step(self, strategy)
        y_pred = torch.as_tensor(y_pred)
        y = torch.as_tensor(y, device=y_pred.device)
        loss_sum = step.loss_sum(y, y_pred, sample_weight, logits=False, training=training)
        rows = self.trainer.batch_rows if self.trainer.batch_rows and strategy.distributed else len(y_pred)
        return step.objective(loss_sum, rows, step.penalty())

    @property
    def metrics(self) -> list[Tracker]:
        """Keras's stateful metrics: a 'loss' tracker, then the compiled metrics (``update_state`` / ``result`` /
        ``reset_state``), reset at the start of every epoch."""
        trackers = self.__dict__.get("_trackers")
        if trackers is None:
            compiled = getattr(self, "compiled", None)
            width = self.trainer.step.output_width if self.trainer.step is not None else None
            trackers = [Tracker("loss")]
            if compiled is not None:
                trackers += [Tracker(m.name, m) for m in compiled.metrics(width)]
            self.__dict__["_trackers"] = trackers
        return trackers

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict[str, Any]:
        """Keras's ``compute_metrics``: update the compiled metrics (not the loss tracker) with ``(y, y_pred)`` and
        return every metric's value (``get_metrics_result()``)."""
        for metric in self.metrics:
            if metric.name != "loss":
                metric.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> dict[str, Any]:
        """``{name: result}`` of the metrics in ``self.metrics``, as Keras returns from a custom step."""
        return {metric.name: metric.result() for metric in self.metrics}

    def reset_metrics(self) -> None:
        for metric in self.metrics:
            metric.reset_state()

    # --- run state, carried by save() and checkpoints ----------------------------------------------------------------
    def run_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
        """``(tensors, json_meta)`` needed to resume training exactly (the trainer's run state)."""
        if self.__dict__.get("_trainer") is None:
            return {}, None
        return self.trainer.state_dict()

    def load_run_state(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
        """Restore what ``run_state()`` returned (the optimizer only when the model is compiled)."""
        self.trainer.load_state_dict(tensors, meta)

    # --- compile settings, carried by save() ---------------------------------------------------------------------
    def get_compile_config(self) -> dict[str, Any] | None:
        """What ``compile`` was given (optimizer config, loss, metrics, precision), as JSON-ready values."""
        if self.compiled is None:
            return None
        return {**self.compiled.get_config(), "optimizer": self.optimizer.get_config()}

    def compile_from_config(self, config: dict[str, Any]) -> None:
        """Compile again from ``get_compile_config()``'s output (``load_model`` does this)."""
        training_setup.compile_from_config(self, config)


def _three(data: Any) -> tuple:
    if isinstance(data, (tuple, list)):
        return tuple(data) + (None,) * (3 - len(data))
    return (data, None, None)


def _steps(samples: int | None, source: Any) -> int | None:
    if samples is None:
        return None
    size = getattr(source, "batch_size", None)
    if size is None:
        raise ValueError("samples_per_epoch / nb_val_samples / val_samples need a generator with a batch_size; "
                         "pass steps instead")
    return -(-samples // size)


def _check_execution(run_eagerly: Any, jit_compile: Any, steps_per_execution: Any) -> None:
    """Keras's execution options, as its torch backend takes them: the step always runs eagerly (``run_eagerly``
    either way, ``jit_compile`` False or "auto"); ``jit_compile=True`` (torch.compile) and ``steps_per_execution``
    above 1 are refused, as Keras's torch backend refuses the latter."""
    if not isinstance(run_eagerly, bool):
        raise ValueError(f"run_eagerly must be True or False, got {run_eagerly!r}")
    if jit_compile not in (False, "auto"):
        raise ValueError(f"jit_compile={jit_compile!r} is not supported: convlens runs the step eagerly (torch.compile "
                         f"was slower than eager for these networks on CPU); leave jit_compile out")
    if isinstance(steps_per_execution, bool) or steps_per_execution != 1:
        raise ValueError(f"steps_per_execution must be 1 with the PyTorch backend (as in Keras), got "
                         f"{steps_per_execution!r}")


def _refuse_unknown(method: str, kwargs: dict[str, Any], ignored_by_keras: set[str]) -> None:
    """Unknown arguments are an error; Keras's performance knobs that mean nothing here get a warning."""
    unknown = sorted(set(kwargs) - ignored_by_keras)
    if unknown:
        raise TypeError(f"{method}() got unexpected arguments {unknown}")
    if kwargs:
        warnings.warn(f"{method}(): {', '.join(sorted(kwargs))} has no effect in convlens (batches are prepared as "
                      f"tensors in the training process)", UserWarning, stacklevel=3)
