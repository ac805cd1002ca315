"""``Trainer``: one object owns a run of any ``torch.nn.Module`` — the loop, the callbacks, History and the run state
— and a ``Strategy`` owns device, precision and processes.

``Model.fit/evaluate/predict`` delegate here. The run is in small pieces, one file each (Keras 3's split):

* ``training/data.py``: the data adapters (arrays, several inputs, ``Sequence``, ``Dataset``, generators);
* ``training/epoch_iterator.py``: the batches of one pass (steps, shards, the per-epoch permutation);
* ``training/default_steps.py``: ``train_step`` / ``test_step`` / ``predict_step``, overridable on a Trainer subclass
  or on a Model subclass as in Keras's "customizing what happens in fit" guide;
* ``training/step.py``: the arithmetic of one batch (forward, loss, metric sums);
* ``training/resume.py``: the run state (``convlens.saving.RunState``), callbacks' states and where a fit starts;
* ``training/evaluation.py``: ``evaluate``, ``predict`` and the one-batch methods;
* this file: ``compile`` and the thin ``fit`` loop (epochs, the NaN guard, validation, the stop flag).

The default steps are fast: batches are tensor views or one gather, loss and metric sums stay on the device until the
epoch ends, softmax + cross-entropy is fused into log-softmax, and the optimizer updates all weights in one
``foreach`` call.

Under ``torchrun`` the same ``fit`` runs on every process: the global batch is split across ranks, every rank sees a
disjoint shard of the same seeded permutation, gradients are summed in one all-reduce of the flat gradients, sums and
counts of the metrics are all-reduced so History is exact and identical on every rank, and only rank 0 prints and
writes files.

Example:
    >>> import torch, numpy as np
    >>> trainer = Trainer(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2), torch.nn.Softmax(-1)))
    >>> trainer.compile("sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"], device="cpu")
    >>> history = trainer.fit(np.zeros((8, 2, 2), "float32"), np.zeros(8, "int64"), epochs=1, verbose=0)
    >>> sorted(history.history)
    ['accuracy', 'loss']
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Mapping, Sequence

import torch
from torch import nn

from convlens.callbacks import Callback, CallbackList, History
from convlens.saving import RunState
from convlens.training.arguments import (batch_size_or_default, check_positive_int, optional_positive_int,
                                         verbosity, whole_number)
from convlens.training.data import (ArrayData, SequenceData, adapt, adapt_validation, input_count,
                                    input_tensors)
from convlens.training.default_steps import StepMethods
from convlens.training.epoch_iterator import EpochIterator
from convlens.training.evaluation import EvaluationMethods
from convlens.training.resume import RunStateMethods
from convlens.training.rollback import RollbackPoint
from convlens.training.setup import compile_model, precision_from_arguments
from convlens.training.step import Step, check_input
from convlens.training.strategy import Strategy, apply_policy, resolve_device

_RNG_SALT = 0x5EED  # the dropout streams' seed differs from the shuffle seed


class Trainer(StepMethods, EvaluationMethods, RunStateMethods):
    """The run of ``model`` (any ``nn.Module``): compile, fit, evaluate, predict, and the run state."""

    def __init__(self, model: nn.Module, strategy: Strategy | None = None) -> None:
        if not isinstance(model, nn.Module):
            raise ValueError(f"Trainer trains a torch.nn.Module, got {type(model).__name__}")
        self.model = model
        self.strategy = strategy
        self.step: Step | None = None
        self.callbacks: CallbackList | None = None
        self.state = RunState()  # where the run stands, plus restored scaler and callback states for the next fit
        self.resume_requested = False  # set by BackupAndRestore when it restored a backup
        self.scaler: torch.amp.GradScaler | None = None
        self._live: RunState | None = None  # the position while fit runs
        self._sums: torch.Tensor | None = None  # the running [loss sum, samples, *metric stats], on the device
        self._plain_strategy: Strategy | None = None  # predict of a never-compiled model: float32 where it lives
        self._stop_now = False  # another process asked to stop (set by the all-reduce of a step)
        self._nonfinite = False  # the last step's loss or gradients were NaN or infinite (the update was skipped)
        self._data: ArrayData | SequenceData | None = None
        self._collective_layers = False
        self._own_generators: list[tuple[int, torch.Generator]] = []
        self.batch_rows = 0  # rows of the current global batch (over all processes)
        if getattr(model, "stop_training", None) is None:
            model.stop_training = False

    # --- compile --------------------------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                precision: str | None = None, device: Any = None, mixed_precision: str | None = None) -> None:
        """Keras's ``compile`` plus where and how to compute: ``precision`` (None by default: the model's own dtype
        policy, float32 unless set; or 'float32', 'mixed_bfloat16', 'mixed_float16', 'auto') and ``device``
        ('cpu', 'cuda', 'cuda:1', 'mps'; default ``$CONVLENS_DEVICE`` or the best one present)."""
        precision = precision_from_arguments(precision, mixed_precision)
        device = resolve_device(device)
        self.strategy = Strategy(device=device, precision=apply_policy(self.model, precision, device))
        compile_model(self.model, optimizer, loss, metrics, precision)
        self.model.to(self.strategy.device)
        self.scaler = self.strategy.grad_scaler()
        self.step = None

    @property
    def precision(self) -> str | None:
        """The precision policy this run computes in (resolved: never 'auto')."""
        return None if self.strategy is None else self.strategy.precision

    def _require_compiled(self, where: str) -> Strategy:
        if getattr(self.model, "compiled", None) is None or self.strategy is None:
            raise ValueError(f"call model.compile(optimizer, loss, metrics) before {where}")
        return self.strategy

    def _inference_strategy(self) -> Strategy:
        """The compiled strategy, or float32 on the model's current device for a model never compiled (made once,
        not per batch)."""
        if self.strategy is not None:
            return self.strategy
        parameter = next(self.model.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
        if self._plain_strategy is None or self._plain_strategy.device != device:
            self._plain_strategy = Strategy(device=device, precision="float32")
        return self._plain_strategy

    def _ensure_optimizer(self) -> None:
        """Build the optimizer when it never was, or when the trainable weights changed since (a layer frozen or
        unfrozen): the one place that decides."""
        optimizer = self.model.optimizer
        if optimizer.torch_optimizer is None or optimizer._params != [p for p in self.model.parameters()
                                                                      if p.requires_grad]:
            optimizer.build(self.model)

    def _prepare(self, data: ArrayData | SequenceData, where: str) -> None:
        """Build the model from the first sample if it has no input shape yet, check the samples' shape, learn the
        output width (``self.step``) and check the targets against it."""
        first_x, first_y, _ = data.peek()
        model = self.model
        if getattr(model, "built", True) is False and torch.is_tensor(first_x):
            model.build((None, *first_x.shape[1:]))
            model.to(self.strategy.device)
        check_input(model, first_x, where)
        self.step.prepare(first_x)
        self.step.check_targets(data.y if isinstance(data, ArrayData) else first_y, where)

    # --- fit ------------------------------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: Sequence[Callback] | None = None, validation_split: float = 0.0, validation_data: Any = None,
            shuffle: bool = True, class_weight: dict | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1) -> History:
        """Keras's ``fit``: see ``convlens.models.Model.fit``. Adapt the data, prepare the step and the optimizer,
        start the callbacks, find where the run starts (a fresh seed or a restored position), then per epoch:
        ``_train_epoch``, the epoch's results, validation, ``on_epoch_end``, one stop decision for all processes."""
        strategy = self._require_compiled("fit")
        batch_size = batch_size_or_default(batch_size)
        epochs, initial_epoch = whole_number(epochs, "epochs"), whole_number(initial_epoch, "initial_epoch")
        validation_freq = check_positive_int(validation_freq, "validation_freq")
        verbose = verbosity(verbose)
        steps_per_epoch = optional_positive_int(steps_per_epoch, "steps_per_epoch")
        train, val = self._fit_data(x, y, sample_weight, steps_per_epoch, validation_split, validation_data,
                                    validation_steps)
        train_step, custom = self._step_function("train")
        if custom and strategy.distributed:
            raise ValueError("a custom train_step runs on one process; under torchrun use the default step")
        self._prepare_fit(train, val, class_weight, custom)
        passes = EpochIterator(train, batch_size, shuffle, strategy.shard if strategy.distributed else None)
        was_training = self.model.training
        self.model.stop_training = self._stop_now = self._nonfinite = False
        cbs = self._callback_list(callbacks, verbose, epochs, passes.steps, "fit")
        cbs.on_train_begin()
        self._load_callback_states(cbs)
        initial_epoch, start, seed, sums = self._start_position(train, initial_epoch)
        epoch_logs: dict[str, Any] = {}
        rollback = RollbackPoint()  # the weights at the start of each epoch, for a NaN epoch
        with strategy.rng_streams():
            for epoch in range(initial_epoch, epochs):
                if self.model.stop_training:
                    break
                self._live = RunState(epoch=epoch, batch=start, shuffle_seed=seed)
                rollback.take(self.model, {"epoch": epoch, "batch": start, "shuffle_seed": seed, "sums": sums})
                logs = self._train_epoch(passes, train_step, custom, cbs, sums)
                start, sums = 0, None
                if self._nonfinite:
                    self._after_nonfinite(epoch, rollback)
                    break
                epoch_logs = self._epoch_results(custom, logs)
                if val is not None and (epoch + 1) % validation_freq == 0:
                    epoch_logs.update(self._validate(val, validation_batch_size or batch_size, cbs))
                self._live = RunState(epoch=epoch + 1, batch=0, shuffle_seed=seed)
                cbs.on_epoch_end(epoch, epoch_logs)
                self._agree_to_stop()
            self.state = self._snapshot()
            self._live = None
        cbs.on_train_end(epoch_logs)
        self.model.train(was_training)
        self.model.history = cbs.history
        return cbs.history

    def _fit_data(self, x: Any, y: Any, sample_weight: Any, steps_per_epoch: int | None, validation_split: float,
                  validation_data: Any, validation_steps: int | None
                  ) -> tuple[ArrayData | SequenceData, ArrayData | SequenceData | None]:
        """The training and validation adapters (``validation_split`` cuts the last samples off the arrays)."""
        inputs = input_count(self.model)
        train = adapt(x, y, sample_weight, steps_per_epoch, inputs)
        if validation_split and validation_data is None:
            if not isinstance(train, ArrayData):
                raise ValueError("validation_split works with arrays only; pass validation_data for generators")
            train, val = train.split(validation_split)
        else:
            val = adapt_validation(validation_data, validation_steps, inputs)
        if isinstance(train, SequenceData) and train.class_indices:
            index_to_name = sorted(train.class_indices.items(), key=lambda kv: kv[1])
            self.model.class_names = [name for name, _ in index_to_name]
        return train, val

    def _prepare_fit(self, train: ArrayData | SequenceData, val: ArrayData | SequenceData | None,
                     class_weight: dict | None, custom: bool) -> None:
        """The step, the checks of both data sets, the optimizer, the same weights on every process, and the
        layers that draw from a generator of their own."""
        model, strategy = self.model, self.strategy
        self.step = Step(model, strategy, class_weight, require_loss=not custom)
        self._prepare(train, "fit")
        if isinstance(val, ArrayData):
            check_input(model, val.x, "validation_data")
            self.step.check_targets(val.y, "validation_data")
        self._ensure_optimizer()
        strategy.broadcast_module(model)
        self._collective_layers = strategy.distributed and any(getattr(m, "synchronized", False) is True
                                                               for m in model.modules())
        # layers with a seed of their own (RandomFlip(seed=1) …) are reseeded per batch like the default stream
        self._own_generators = [(m.seed, m.generator) for m in model.modules()
                                if isinstance(getattr(m, "generator", None), torch.Generator) and
                                isinstance(getattr(m, "seed", None), int)]

    def _train_epoch(self, passes: EpochIterator, train_step: Callable, custom: bool, cbs: CallbackList,
                     sums: list[float] | None) -> Mapping[str, Any]:
        """The epoch ``self._live`` names, from its batch on (a resumed epoch continues its running ``sums``);
        every batch's random streams follow from (seed, epoch, batch). Stops early on a non-finite step, another
        process's stop or ``model.stop_training``. Returns the last batch's logs."""
        model, strategy, live = self.model, self.strategy, self._live
        if live.batch == 0:
            cbs.on_epoch_begin(live.epoch)
        self._reset_user_metrics(custom)
        model.train()
        self._sums = torch.zeros(self.step.stats_size(), device=strategy.device)
        if sums is not None:
            self._sums += torch.tensor(sums, device=strategy.device)
        logs: Mapping[str, Any] = {}
        for index, batch, rows in passes.epoch(live.epoch, live.shuffle_seed, live.batch):
            cbs.on_train_batch_begin(index)
            strategy.seed_stream(live.shuffle_seed ^ _RNG_SALT, live.epoch, index, self._own_generators)
            self.batch_rows = rows
            logs = train_step(strategy.to_device(batch))
            if self._nonfinite or self._stop_now:
                self._check_batch_data(batch, index, live.epoch)
                break
            live.batch = index + 1
            cbs.on_train_batch_end(index, logs)
            if model.stop_training and not strategy.distributed:
                break
        return logs

    def _epoch_results(self, custom: bool, logs: Mapping[str, Any]) -> dict[str, Any]:
        """The one sync of the epoch: sums all-reduced over processes, then the epoch's values (a user's step that
        keeps its own metrics: its last logs)."""
        results = self._custom_results(custom, logs)
        if results is not None:
            return results
        return self.step.results(self.strategy.all_reduce_sum(self._sums.clone()).tolist())

    def _validate(self, val: ArrayData | SequenceData, batch_size: int, cbs: CallbackList) -> dict[str, Any]:
        """The validation pass at an epoch's end, its values named ``val_*``."""
        logs = self._evaluate_loop(val, batch_size, cbs)
        self.model.train()
        return {f"val_{name}": value for name, value in logs.items()}

    def _agree_to_stop(self) -> None:
        """Under torchrun, the same stop decision on every rank, whatever a callback did on one of them."""
        strategy = self.strategy
        if strategy.distributed:
            flag = torch.tensor([float(bool(self.model.stop_training or self._stop_now))],
                                device=strategy._comm_device())
            self.model.stop_training = bool(strategy.all_reduce_sum(flag)[0] > 0)

    # --- the NaN guard --------------------------------------------------------------------------------------------
    def _check_batch_data(self, batch: tuple, index: int, epoch: int) -> None:
        """A non-finite loss from NaN in the data is a data problem: say so, naming the batch."""
        if not self._nonfinite:
            return
        for name, tensor in (("labels (y)", batch[1]), *(("inputs (x)", t) for t in input_tensors(batch[0]))):
            if tensor is not None and tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
                bad = int((~torch.isfinite(tensor)).sum())
                self.model.stop_training = True
                raise ValueError(f"epoch {epoch + 1}, batch {index}: the {name} hold {bad} NaN or infinite values; "
                                 f"clean the data (this is not a learning-rate problem)")

    def _after_nonfinite(self, epoch: int, rollback: RollbackPoint) -> None:
        """Stop; the weights go back to the start of the NaN epoch — the end of the last complete epoch, which is
        what History, CSVLogger and epoch checkpoints recorded (the NaN epoch is not recorded) — and the
        optimizer starts afresh, so the next ``fit`` trains."""
        self.model.stop_training = True
        batch = self._live.batch
        position = rollback.restore(self.model)
        if position is not None:  # the run state (what a save now records) is that point too
            sums = position.pop("sums", None)
            self._live = RunState(**position)
            if sums is not None:
                self._sums = torch.tensor(sums, device=self.strategy.device)
        self.model.optimizer.build(self.model)
        if position is not None and position["batch"]:
            back = f"where this fit resumed (epoch {epoch + 1}, batch {position['batch']})"
        else:
            back = f"those at the end of epoch {epoch}" if epoch else "those before training"
        warnings.warn(f"epoch {epoch + 1}, batch {batch}: the loss or the gradients became NaN or infinite; training "
                      f"stopped, epoch {epoch + 1} is not recorded (History, CSVLogger and epoch checkpoints hold the "
                      f"epochs before it), the weights are back to {back} and the optimizer state was reset (lower "
                      f"the learning rate?)", RuntimeWarning, stacklevel=3)


__all__ = ["Trainer"]
