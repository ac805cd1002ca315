"""``Trainer``: one object owns a run of any ``torch.nn.Module`` — the loop, the callbacks, History and the run state
(epoch, position inside the epoch, shuffle seed, the run's own RNG stream, optimizer and callback states) — and a
``Strategy`` owns device, precision and processes.

``Model.fit/evaluate/predict`` delegate here. ``train_step``, ``test_step`` and ``predict_step`` can be overridden (on
a Trainer subclass, or on a Model subclass as in Keras's "customizing what happens in fit" guide). The default steps
are fast: batches are tensor views or one gather, loss and metric sums stay on the device until the epoch ends,
softmax + cross-entropy is fused into log-softmax, and the optimizer updates all weights in one ``foreach`` call.

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

import math
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import torch
from torch import nn

from convlens import saving
from convlens.callbacks import Callback, CallbackList, History
from convlens.training.data import (ArrayData, SequenceData, adapt, check_positive_int, input_tensors,
                                    sample_count)
from convlens.training.setup import compile_model, precision_from_arguments
from convlens.training.step import RunningLogs, Step, check_input
from convlens.training.strategy import Strategy, apply_policy, resolve_device

_RNG_SALT = 0x5EED  # the dropout streams' seed differs from the shuffle seed


def _default(method):
    method._convlens_default_step = True
    return method


def _is_default(method: Any) -> bool:
    return method is None or getattr(method, "_convlens_default_step", False)


def _whole(value: Any, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def _verbosity(verbose: Any) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2, True, False):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


class Trainer:
    """The run of ``model`` (any ``nn.Module``): compile, fit, evaluate, predict, and the run state."""

    def __init__(self, model: nn.Module, strategy: Strategy | None = None) -> None:
        if not isinstance(model, nn.Module):
            raise ValueError(f"Trainer trains a torch.nn.Module, got {type(model).__name__}")
        self.model = model
        self.strategy = strategy
        self.step: Step | None = None
        self.callbacks: CallbackList | None = None
        self.state: dict[str, Any] = {}  # where the run stands: epoch, batch, shuffle_seed, sums, data
        self.callback_states: dict[str, dict[str, Any]] = {}  # restored, given to the next fit's callbacks
        self.resume_requested = False  # set by BackupAndRestore when it restored a backup
        self.scaler: torch.amp.GradScaler | None = None
        self._scaler_state: dict[str, Any] | None = None
        self._live: dict[str, Any] | None = None  # the position while fit runs
        self._sums: torch.Tensor | None = None
        self._plain_strategy: Strategy | None = None  # predict of a never-compiled model: float32 where it lives
        self._stop_now = False
        self._data: ArrayData | SequenceData | None = None
        self._nonfinite = False
        self._collective_layers = False
        self.batch_rows = 0  # rows of the current global batch (over all processes)
        if getattr(model, "stop_training", None) is None:
            model.stop_training = False

    # --- compile --------------------------------------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                precision: str | None = None, device: Any = None, mixed_precision: str | None = None) -> None:
        """Keras's ``compile`` plus where and how to compute: ``precision`` (None by default: the model's own dtype
        policy, float32 unless set; or 'float32', 'mixed_bfloat16', 'mixed_float16', 'auto') and ``device`` ('cpu', 'cuda', 'cuda:1', 'mps'; default ``$CONVLENS_DEVICE`` or the best
        one present)."""
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
        """The compiled strategy, or float32 on the model's current device for a model never compiled."""
        if self.strategy is not None:
            return self.strategy
        parameter = next(self.model.parameters(), None)
        device = parameter.device if parameter is not None else torch.device("cpu")
        if self._plain_strategy is None or self._plain_strategy.device != device:
            self._plain_strategy = Strategy(device=device, precision="float32")
        return self._plain_strategy

    # --- the steps ------------------------------------------------------------------------------------------------
    @_default
    def train_step(self, data: tuple) -> Mapping[str, Any]:
        """One optimizer update on a batch ``(x, y, sample_weight)``; returns the batch-end logs (running means,
        read lazily so the loop never waits)."""
        x, y, w = data
        step, optimizer, strategy = self.step, self.model.optimizer, self.strategy
        optimizer.zero_grad()
        count = sample_count(x)
        out = None
        penalty = step.penalty()
        if count or self._collective_layers:  # synchronized BatchNorm joins its all-reduce even with no rows
            out = step.forward(x)
            loss_sum = step.loss_sum(y, out, w)
            loss = loss_sum / self.batch_rows
            if penalty is not None:
                loss = loss + penalty / strategy.world_size
            (self.scaler.scale(loss) if self.scaler is not None else loss).backward()
        else:  # an empty shard of a short last batch: contribute zero gradients to the all-reduce
            loss_sum = torch.zeros((), device=strategy.device)
        if not self._apply_gradients(loss_sum):
            return RunningLogs(step, self._sums, self.batch_rows)
        reported = loss_sum.detach() if penalty is None else loss_sum.detach() + penalty.detach() * count
        self._sums += step.batch_stats(reported, count, y, out)
        return RunningLogs(step, self._sums, self.batch_rows)  # size: the global batch (images/s of the run)

    def _apply_gradients(self, loss_sum: torch.Tensor) -> bool:
        """Sum gradients over processes, check that loss and gradients are finite, update. False (no update) when
        they are not, or when another process asked to stop."""
        optimizer, strategy = self.model.optimizer, self.strategy
        params = optimizer._params
        if self.scaler is not None:
            self.scaler.unscale_(optimizer.torch_optimizer)
        stop_elsewhere = False
        if strategy.distributed:
            grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
            flags = torch.stack([loss_sum.detach().float().reshape(()),
                                 torch.tensor(float(bool(self.model.stop_training)), device=loss_sum.device)])
            flat = strategy.all_reduce_sum(torch.cat([*[g.reshape(-1) for g in grads], flags.to(grads[0].device)]))
            offset = 0
            for p in params:
                p.grad = flat[offset:offset + p.numel()].view_as(p)
                offset += p.numel()
            finite = bool(torch.isfinite(flat[:-1]).all())
            stop_elsewhere = bool(flat[-1] > 0)
        else:
            grads = [p.grad for p in params if p.grad is not None]
            norms = torch.stack(torch._foreach_norm(grads)).sum() if grads else torch.zeros(())
            finite = bool(torch.isfinite(loss_sum.detach() + norms.to(loss_sum.device)))
        if stop_elsewhere:
            optimizer.zero_grad()
            self.model.stop_training = True
            self._stop_now = True
            return False
        if not finite:
            optimizer.zero_grad()
            if self.scaler is not None and bool(torch.isfinite(loss_sum)):
                self.scaler.update()  # float16 overflow: the scaler lowers its scale, the step is skipped
                return False
            self._nonfinite = True
            return False
        optimizer.step()
        if self.scaler is not None:
            self.scaler.update()
        return True

    @_default
    def test_step(self, data: tuple) -> Mapping[str, Any]:
        """Loss and metrics of a batch, added to the running sums (no gradients)."""
        x, y, w = data
        step = self.step
        count = sample_count(x)
        if count:
            out = step.forward(x)
            loss_sum = step.loss_sum(y, out, w)
            penalty = step.penalty()
            if penalty is not None:
                loss_sum = loss_sum + penalty * count
        else:
            out, loss_sum = None, torch.zeros((), device=self._inference_strategy().device)
        self._sums += step.batch_stats(loss_sum, count, y, out)
        return RunningLogs(step, self._sums, count)

    @_default
    def predict_step(self, data: tuple) -> torch.Tensor:
        """The model's outputs for a batch (probabilities after a softmax), in float32."""
        return self._inference_strategy().run(self.model, data[0])

    def _step_function(self, kind: str):
        """The user's step when the model (Keras style) or a Trainer subclass defines one, else the default."""
        mine = getattr(self, f"{kind}_step")
        if not _is_default(mine):
            return mine, True
        theirs = getattr(self.model, f"{kind}_step", None)
        if not _is_default(theirs):
            return (lambda data: theirs(tuple(t for t in data if t is not None) if kind != "predict" else data[0]),
                    True)
        return mine, False

    # --- fit ------------------------------------------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = "auto",
            callbacks: Sequence[Callback] | None = None, validation_split: float = 0.0, validation_data: Any = None,
            shuffle: bool = True, class_weight: dict | None = None, sample_weight: Any = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int = 1) -> History:
        """Keras's ``fit``: see ``convlens.models.Model.fit``."""
        model = self.model
        strategy = self._require_compiled("fit")
        batch_size = 32 if batch_size is None else check_positive_int(batch_size, "batch_size")
        epochs = _whole(epochs, "epochs")
        initial_epoch = _whole(initial_epoch, "initial_epoch")
        validation_freq = check_positive_int(validation_freq, "validation_freq")
        verbose = _verbosity(verbose)
        if steps_per_epoch is not None:
            steps_per_epoch = check_positive_int(steps_per_epoch, "steps_per_epoch")
        train = adapt(x, y, sample_weight, steps_per_epoch, _input_count(model))
        if validation_split and validation_data is None:
            if not isinstance(train, ArrayData):
                raise ValueError("validation_split works with arrays only; pass validation_data for generators")
            train, val = train.split(validation_split)
        else:
            val = _validation(validation_data, validation_steps, _input_count(model))
        if isinstance(train, SequenceData) and train.class_indices:
            index_to_name = sorted(train.class_indices.items(), key=lambda kv: kv[1])
            model.class_names = [name for name, _ in index_to_name]
        custom_train, custom = self._step_function("train")
        if custom and strategy.distributed:
            raise ValueError("a custom train_step runs on one process; under torchrun use the default step")

        self.step = step = Step(model, strategy, class_weight)
        first_x, first_y, _ = train.peek()
        self._prepare(step, first_x, "fit")
        step.check_targets(train.y if isinstance(train, ArrayData) else first_y, "fit")
        if isinstance(val, ArrayData):
            check_input(model, val.x, "validation_data")
            step.check_targets(val.y, "validation_data")
        optimizer = model.optimizer
        if optimizer.torch_optimizer is None or optimizer._params != [p for p in model.parameters()
                                                                      if p.requires_grad]:
            optimizer.build(model)
        strategy.broadcast_module(model)
        self._collective_layers = strategy.distributed and any(getattr(m, "synchronized", False) is True
                                                               for m in model.modules())

        steps = train.steps(batch_size)
        was_training = model.training
        model.stop_training = False
        self._stop_now = False
        self._nonfinite = False
        cbs = self._callback_list(callbacks, verbose, epochs, steps, "fit")
        cbs.on_train_begin()
        self._load_callback_states(cbs)

        state = self.state
        start_batch, sums = 0, None
        if self.resume_requested and state:
            initial_epoch, start_batch = int(state["epoch"]), int(state.get("batch", 0))
            sums = state.get("sums")
        resuming = bool(state) and (self.resume_requested or (int(state["epoch"]) == initial_epoch > 0 and
                                                              int(state.get("batch", 0)) == 0))
        self.resume_requested = False
        if resuming:
            shuffle_seed = int(state["shuffle_seed"])
            if state.get("data"):
                train.load_state(state["data"])
        else:
            shuffle_seed = strategy.broadcast_int(int(torch.randint(0, 2 ** 62, (1,)).item()))
            start_batch, sums = 0, None
            self._sync_iterator_seed(train)
        if self._scaler_state and self.scaler is not None:
            self.scaler.load_state_dict(self._scaler_state)
        self._data = train
        shard = strategy.shard if strategy.distributed else None

        # layers with a seed of their own (RandomFlip(seed=1) …) are reseeded per batch like the default stream
        own_generators = [(m.seed, m.generator) for m in model.modules()
                          if isinstance(getattr(m, "generator", None), torch.Generator) and
                          isinstance(getattr(m, "seed", None), int)]
        epoch_logs: dict[str, Any] = {}
        with strategy.rng_streams():
            for epoch in range(initial_epoch, epochs):
                if model.stop_training:
                    break
                self._live = {"epoch": epoch, "batch": start_batch, "shuffle_seed": shuffle_seed}
                if start_batch == 0:
                    cbs.on_epoch_begin(epoch)
                self._reset_user_metrics(custom)
                model.train()
                order = None
                if shuffle and isinstance(train, ArrayData):
                    order = torch.randperm(len(train), generator=torch.Generator().manual_seed(shuffle_seed + epoch))
                self._sums = torch.zeros(step.stats_size(), device=strategy.device)
                if sums is not None:
                    self._sums += torch.tensor(sums, device=strategy.device)
                logs: Mapping[str, Any] = {}
                for index, (batch, rows) in enumerate(train.batches(batch_size, order, start_batch, shard),
                                                      start_batch):
                    cbs.on_train_batch_begin(index)
                    strategy.seed_stream(shuffle_seed ^ _RNG_SALT, epoch, index, own_generators)  # dropout etc.
                    self.batch_rows = rows
                    data = strategy.to_device(batch)
                    logs = custom_train(data)
                    if self._nonfinite or self._stop_now:
                        self._check_batch_data(batch, index, epoch)
                        break
                    self._live["batch"] = index + 1
                    cbs.on_train_batch_end(index, logs)
                    if model.stop_training and not strategy.distributed:
                        break
                start_batch, sums = 0, None
                if self._nonfinite:
                    self._after_nonfinite(epoch)
                    break
                epoch_logs = self._epoch_results(step, custom, logs)
                if val is not None and (epoch + 1) % validation_freq == 0:
                    val_logs = self._evaluate_loop(val, validation_batch_size or batch_size, cbs)
                    epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
                    model.train()
                self._live = {"epoch": epoch + 1, "batch": 0, "shuffle_seed": shuffle_seed}
                cbs.on_epoch_end(epoch, epoch_logs)
                if strategy.distributed:  # the same decision on every rank, whatever a callback did
                    flag = torch.tensor([float(bool(model.stop_training or self._stop_now))],
                                        device=strategy._comm_device())
                    model.stop_training = bool(strategy.all_reduce_sum(flag)[0] > 0)
            self.state = self._snapshot()
            self._live = None
        cbs.on_train_end(epoch_logs)
        model.train(was_training)
        model.history = cbs.history
        return cbs.history

    def _prepare(self, step: Step, first_x: torch.Tensor, where: str) -> None:
        model = self.model
        if getattr(model, "built", True) is False and torch.is_tensor(first_x):
            model.build((None, *first_x.shape[1:]))
            model.to(self.strategy.device)
        check_input(model, first_x, where)
        step.prepare(first_x)

    def _sync_iterator_seed(self, train: ArrayData | SequenceData) -> None:
        """Under torchrun, a seeded iterator (ImageDataGenerator.flow with seed=None) takes rank 0's seed, so all
        ranks cut their shards from the same batches."""
        state = train.state()
        if state is not None and self.strategy.distributed:
            train.load_state({**state, "seed": self.strategy.broadcast_int(state["seed"])})

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

    def _after_nonfinite(self, epoch: int) -> None:
        """Stop; the weights are those of the last finite step (the bad update was never applied) and the
        optimizer starts afresh, so the next ``fit`` trains."""
        self.model.stop_training = True
        self.model.optimizer.build(self.model)
        warnings.warn(f"epoch {epoch + 1}, batch {self._live['batch']}: the loss or the gradients became NaN or "
                      f"infinite; training stopped before that update, so the weights are those of the last finite "
                      f"step, and the optimizer state was reset (lower the learning rate?)", RuntimeWarning,
                      stacklevel=3)

    def _epoch_results(self, step: Step, custom: bool, logs: Mapping[str, Any]) -> dict[str, Any]:
        """The one sync of the epoch: sums all-reduced over processes, then the epoch's values."""
        if custom and not isinstance(logs, RunningLogs):  # the user's step keeps its own metrics: its last logs
            return {k: _number(v) for k, v in dict(logs).items() if k != "size"}
        totals = self.strategy.all_reduce_sum(self._sums.clone()).tolist()
        return step.results(totals)

    def _reset_user_metrics(self, custom: bool) -> None:
        reset = getattr(self.model, "reset_metrics", None)
        if custom and callable(reset):
            reset()

    # --- evaluate / predict ---------------------------------------------------------------------------------------
    def _evaluate_loop(self, data: ArrayData | SequenceData, batch_size: int, cbs: CallbackList | None
                       ) -> dict[str, float]:
        model, strategy, step = self.model, self.strategy, self.step
        test, custom = self._step_function("test")
        self._reset_user_metrics(custom)
        saved_sums = self._sums
        self._sums = torch.zeros(step.stats_size(), device=strategy.device)
        shard = strategy.shard if strategy.distributed else None
        model.eval()
        logs: Mapping[str, Any] = {}
        if cbs is not None:
            cbs.on_test_begin()
        with torch.inference_mode():
            for index, (batch, _) in enumerate(data.batches(batch_size, None, 0, shard)):
                if cbs is not None:
                    cbs.on_test_batch_begin(index)
                logs = test(strategy.to_device(batch))
                if cbs is not None:
                    cbs.on_test_batch_end(index, logs)
        if custom and not isinstance(logs, RunningLogs):
            results = {k: _number(v) for k, v in dict(logs).items() if k != "size"}
        else:
            results = step.results(strategy.all_reduce_sum(self._sums.clone()).tolist())
        if cbs is not None:
            cbs.on_test_end(results)
        self._sums = saved_sums
        return results

    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = "auto",
                 sample_weight: Any = None, steps: int | None = None, callbacks: Sequence[Callback] | None = None,
                 return_dict: bool = False) -> Any:
        """Keras's ``evaluate``: ``[loss, *metrics]``, or the loss alone when there are no metrics."""
        strategy = self._require_compiled("evaluate")
        batch_size = 32 if batch_size is None else check_positive_int(batch_size, "batch_size")
        if steps is not None:
            steps = check_positive_int(steps, "steps")
        verbose = _verbosity(verbose)
        data = adapt(x, y, sample_weight, steps, _input_count(self.model))
        step = self.step = Step(self.model, strategy)
        first_x, first_y, _ = data.peek()
        self._prepare(step, first_x, "evaluate")
        step.check_targets(data.y if isinstance(data, ArrayData) else first_y, "evaluate")
        was_training = self.model.training
        cbs = self._callback_list(callbacks, verbose, 1, data.steps(batch_size), "evaluate")
        try:
            logs = self._evaluate_loop(data, batch_size, cbs)
        finally:
            self.model.train(was_training)
        if return_dict:
            return logs
        values = [logs[name] for name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: Sequence[Callback] | None = None) -> np.ndarray | list[np.ndarray]:
        """Keras's ``predict``: the model's outputs as one NumPy array (written batch by batch into it), or a list
        of arrays for a model with several outputs."""
        batch_size = 32 if batch_size is None else check_positive_int(batch_size, "batch_size")
        if steps is not None:
            steps = check_positive_int(steps, "steps")
        verbose = _verbosity(verbose)
        data = adapt(x, None, None, steps, _input_count(self.model))
        strategy = self._inference_strategy()
        if isinstance(data, ArrayData):
            check_input(self.model, data.x, "predict")
        predict, _ = self._step_function("predict")
        cbs = self._callback_list(callbacks, verbose, 1, data.steps(batch_size), "predict")
        was_training = self.model.training
        self.model.eval()
        outputs: np.ndarray | None = None
        parts: list[np.ndarray] = []
        several: list[list[np.ndarray]] = []
        seen = 0
        cbs.on_predict_begin()
        try:
            with torch.inference_mode():
                for index, (batch, _) in enumerate(data.batches(batch_size)):
                    cbs.on_predict_batch_begin(index)
                    out = predict(strategy.to_device(batch))
                    if isinstance(out, (list, tuple)):  # a multi-output model: one array per output, as Keras
                        several.append([_numpy(o) for o in out])
                        seen += len(several[-1][0])
                        cbs.on_predict_batch_end(index, {"outputs": several[-1], "size": len(several[-1][0])})
                        continue
                    values = _numpy(out)
                    if isinstance(data, ArrayData):
                        if outputs is None:
                            outputs = np.empty((data.rows(batch_size), *values.shape[1:]), dtype=values.dtype)
                        outputs[seen:seen + len(values)] = values
                    else:
                        parts.append(values)
                    seen += len(values)
                    cbs.on_predict_batch_end(index, {"outputs": values, "size": len(values)})
        finally:
            self.model.train(was_training)
        cbs.on_predict_end()
        if several:
            return [np.concatenate(arrays) for arrays in zip(*several)]
        return outputs if outputs is not None else np.concatenate(parts)

    def on_batch(self, kind: str, x: Any, y: Any, sample_weight: Any, class_weight: dict | None,
                 return_dict: bool) -> Any:
        """Keras's ``train_on_batch`` (``kind='train'``) and ``test_on_batch`` (``'test'``) on one batch."""
        strategy = self._require_compiled(f"{kind}_on_batch")
        data = ArrayData(x, y, sample_weight, _input_count(self.model))
        step = self.step = Step(self.model, strategy, class_weight)
        self._prepare(step, data.peek()[0], f"{kind}_on_batch")
        step.check_targets(data.y, f"{kind}_on_batch")
        optimizer = self.model.optimizer
        if kind == "train" and (optimizer.torch_optimizer is None or
                                optimizer._params != [p for p in self.model.parameters() if p.requires_grad]):
            optimizer.build(self.model)
        was_training = self.model.training
        self._sums = torch.zeros(step.stats_size(), device=strategy.device)
        (batch, rows), = data.batches(len(data))
        self.batch_rows = rows
        try:
            if kind == "train":
                self.model.train()
                self._nonfinite = self._stop_now = False
                self.train_step(strategy.to_device(batch))
                if self._nonfinite:
                    self.model.optimizer.build(self.model)
                    warnings.warn("train_on_batch: the loss or the gradients became NaN or infinite; the update was "
                                  "not applied and the optimizer state was reset", RuntimeWarning, stacklevel=3)
            else:
                self.model.eval()
                with torch.inference_mode():
                    self.test_step(strategy.to_device(batch))
        finally:
            self.model.train(was_training)
        logs = step.results(self._sums.tolist())
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # --- callbacks and their state --------------------------------------------------------------------------------
    def _callback_list(self, callbacks: Sequence[Callback] | None, verbose: int, epochs: int, steps: int,
                       mode: str) -> CallbackList:
        chief = self.strategy is None or self.strategy.is_chief
        callbacks = [cb for cb in (callbacks or []) if chief or not getattr(cb, "chief_only", False)]
        cbs = CallbackList(callbacks, model=self.model, add_history=(mode == "fit"), add_progbar=bool(verbose),
                           verbose=verbose if chief else 0, epochs=epochs, steps=steps,
                           **({"precision": self.precision} if self.precision and mode == "fit" else {}))
        cbs.set_trainer(self)
        if mode == "fit":
            self.callbacks = cbs
        return cbs

    def _callback_keys(self, cbs: CallbackList) -> list[tuple[str, Callback]]:
        counts: dict[str, int] = {}
        keyed = []
        for cb in cbs:
            if isinstance(cb, History) or type(cb).__name__ == "ProgbarLogger":
                continue
            name = type(cb).__name__
            keyed.append((f"{name}.{counts.get(name, 0)}", cb))
            counts[name] = counts.get(name, 0) + 1
        return keyed

    def _load_callback_states(self, cbs: CallbackList) -> None:
        """Restored callback states (EarlyStopping's patience and best value …) go to the callbacks of the
        resumed run, matched by class and position."""
        if not self.callback_states:
            return
        for key, cb in self._callback_keys(cbs):
            if key in self.callback_states and hasattr(cb, "load_state_dict"):
                cb.load_state_dict(self.callback_states[key])
        self.callback_states = {}

    # --- the run state --------------------------------------------------------------------------------------------
    def _snapshot(self) -> dict[str, Any]:
        """Where the run stands now, to resume it exactly (called by saves during fit, and when fit ends)."""
        if self._live is None:
            return dict(self.state)
        state = dict(self._live)
        if state["batch"] and self._sums is not None:
            state["sums"] = self._sums.tolist()
        if self._data is not None and self._data.state() is not None:
            state["data"] = self._data.state()
        state["world_size"] = self.strategy.world_size
        return state

    def state_dict(self) -> tuple[dict[str, torch.Tensor], dict[str, Any] | None]:
        """``(tensors, json_meta)`` needed to resume exactly: optimizer state, position, seeds, RNG stream,
        gradient-scaler and callback states."""
        tensors: dict[str, torch.Tensor] = {}
        meta: dict[str, Any] = {}
        optimizer = getattr(self.model, "optimizer", None)
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
        run = self._snapshot()
        if run:
            meta["run"] = dict(run)
        if self.scaler is not None:
            meta["scaler"] = self.scaler.state_dict()
        if self.callbacks is not None:
            states: dict[str, Any] = {}
            for key, cb in self._callback_keys(self.callbacks):
                values = cb.state_dict() if hasattr(cb, "state_dict") else {}
                if values:
                    states[key] = _split_arrays(values, f"callbacks/{key}", tensors)
            if states:
                meta["callbacks"] = states
        return tensors, (meta or None)

    def load_state_dict(self, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (the optimizer only when the model is compiled)."""
        optimizer = getattr(self.model, "optimizer", None)
        if "optimizer_state" in meta and optimizer is not None:
            torch_optimizer = optimizer.build(self.model)
            state: dict[int, dict[str, Any]] = {}
            for key, value in tensors.items():
                if key.startswith("optimizer/"):
                    _, index, name = key.split("/", 2)
                    state.setdefault(int(index), {})[name] = value
            for index, values in meta["optimizer_state"].get("scalars", {}).items():
                state.setdefault(int(index), {}).update(values)
            torch_optimizer.load_state_dict({"state": state, "param_groups": meta["optimizer_state"]["param_groups"]})
            if isinstance(getattr(optimizer, "_learning_rate", None), float):  # a rate changed by a callback
                optimizer.learning_rate = float(torch_optimizer.param_groups[0]["lr"])
        if "run" in meta:
            run = dict(meta["run"])
            if self.strategy is not None and run.get("batch") and run.get("world_size", 1) != \
                    self.strategy.world_size:
                raise ValueError(f"this backup was taken mid-epoch by {run.get('world_size')} processes; resume it "
                                 f"with the same number of processes (now {self.strategy.world_size})")
            self.state = run
        self._scaler_state = meta.get("scaler")
        self.callback_states = {key: _join_arrays(values, f"callbacks/{key}", tensors)
                                for key, values in meta.get("callbacks", {}).items()}

    def save_checkpoint(self, path: str | Path) -> None:
        """Weights and run state to ``path`` (atomically), for ``BackupAndRestore``."""
        saving.save_checkpoint(self.model, path)

    def load_checkpoint(self, path: str | Path) -> None:
        """Weights and run state from ``path``; the next (or current) ``fit`` resumes where it stood."""
        saving.restore_checkpoint(self.model, path)
        self.resume_requested = True


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _input_count(model: nn.Module) -> int:
    """How many inputs the model takes (a functional model may take several; everything else one)."""
    return len(model.inputs) if getattr(model, "_multi_input", False) else 1


def _validation(validation_data: Any, validation_steps: int | None,
                inputs: int = 1) -> ArrayData | SequenceData | None:
    if validation_data is None:
        return None
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return ArrayData(*validation_data, inputs=inputs)
    return adapt(validation_data, steps=validation_steps, inputs=inputs)


def _split_arrays(values: dict[str, Any], prefix: str, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    """JSON values stay; arrays (and lists of arrays) go to ``tensors`` and leave a marker."""
    plain: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, (list, tuple)) and value and all(isinstance(v, (np.ndarray, torch.Tensor))
                                                              for v in value):
            for i, item in enumerate(value):
                tensors[f"{prefix}/{name}/{i:04d}"] = torch.as_tensor(np.asarray(item)).contiguous()
            plain[name] = {"__arrays__": len(value)}
        elif isinstance(value, (np.ndarray, torch.Tensor)):
            tensors[f"{prefix}/{name}"] = torch.as_tensor(np.asarray(value)).contiguous()
            plain[name] = {"__array__": True}
        elif isinstance(value, float) and not math.isfinite(value):
            plain[name] = {"__float__": str(value)}
        else:
            plain[name] = value
    return plain


def _join_arrays(values: dict[str, Any], prefix: str, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    joined: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, dict) and "__arrays__" in value:
            joined[name] = [tensors[f"{prefix}/{name}/{i:04d}"].numpy() for i in range(value["__arrays__"])]
        elif isinstance(value, dict) and "__array__" in value:
            joined[name] = tensors[f"{prefix}/{name}"].numpy()
        elif isinstance(value, dict) and "__float__" in value:
            joined[name] = float(value["__float__"])
        else:
            joined[name] = value
    return joined


__all__ = ["Trainer"]


def _numpy(out: Any) -> np.ndarray:
    return out.detach().float().cpu().numpy() if torch.is_tensor(out) else np.asarray(out)
