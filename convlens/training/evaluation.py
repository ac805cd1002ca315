"""``evaluate``, ``predict`` and the one-batch methods (``train_on_batch`` / ``test_on_batch``) of a ``Trainer``.

``EvaluationMethods`` is mixed into ``Trainer``. Each adapts its data (``training/data.py``), walks one pass of an
``EpochIterator`` (``training/epoch_iterator.py``) and calls the step (``training/default_steps.py``, or the user's).
``predict`` runs the one inference path: ``predict_step`` → ``Strategy.run`` under the model's precision policy
(float32 on the model's device for a model never compiled), outputs in float32.

Example:
    >>> import torch, numpy as np
    >>> from convlens.training import Trainer
    >>> trainer = Trainer(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2), torch.nn.Softmax(-1)))
    >>> trainer.predict(np.zeros((5, 2, 2), "float32"), batch_size=2).shape
    (5, 2)
"""
from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import torch

from convlens.callbacks import Callback, CallbackList
from convlens.training.arguments import batch_size_or_default, optional_positive_int, verbosity
from convlens.training.data import ArrayData, SequenceData, adapt, as_model_input, input_count
from convlens.training.epoch_iterator import EpochIterator
from convlens.training.rollback import RollbackPoint
from convlens.training.step import Step, check_input


class EvaluationMethods:
    """``evaluate``, ``predict``, ``on_batch`` of a ``Trainer`` (which owns the attributes they use)."""

    def _evaluate_loop(self, data: ArrayData | SequenceData, batch_size: int, cbs: CallbackList | None
                       ) -> dict[str, float]:
        """One pass of ``test_step`` over ``data`` (this process's shard under torchrun); the results are the sums
        all-reduced over processes. fit's running sums are kept aside meanwhile."""
        strategy, step = self.strategy, self.step
        test, custom = self._step_function("test")
        self._reset_user_metrics(custom)
        saved_sums = self._sums
        self._sums = torch.zeros(step.stats_size(), device=strategy.device)
        self.model.eval()
        logs: Mapping[str, Any] = {}
        if cbs is not None:
            cbs.on_test_begin()
        passes = EpochIterator(data, batch_size, shard=strategy.shard if strategy.distributed else None)
        with torch.inference_mode():
            for index, batch, _ in passes.epoch():
                if cbs is not None:
                    cbs.on_test_batch_begin(index)
                logs = test(strategy.to_device(batch))
                if cbs is not None:
                    cbs.on_test_batch_end(index, logs)
        results = self._custom_results(custom, logs)
        if results is None:
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
        batch_size, steps = batch_size_or_default(batch_size), optional_positive_int(steps, "steps")
        verbose = verbosity(verbose)
        data = adapt(x, y, sample_weight, steps, input_count(self.model))
        self.step = Step(self.model, strategy, require_loss=not self._step_function("test")[1])
        self._prepare(data, "evaluate")
        was_training = self.model.training
        cbs = self._callback_list(callbacks, verbose, 1, data.steps(batch_size), "evaluate")
        try:
            logs = self._evaluate_loop(data, batch_size, cbs)
        finally:
            self.model.train(was_training)
        return logs if return_dict else _values(logs)

    def predict(self, x: Any, batch_size: int | None = None, verbose: Any = 0, steps: int | None = None,
                callbacks: Sequence[Callback] | None = None) -> np.ndarray | list[np.ndarray]:
        """Keras's ``predict``: the model's outputs as one NumPy array (written batch by batch into it), or a list
        of arrays, one per output, for a model with several outputs."""
        batch_size, steps = batch_size_or_default(batch_size), optional_positive_int(steps, "steps")
        verbose = verbosity(verbose)
        data = adapt(x, None, None, steps, input_count(self.model))
        strategy = self._inference_strategy()
        if isinstance(data, ArrayData):
            check_input(self.model, data.x, "predict")
        predict, _ = self._step_function("predict")
        passes = EpochIterator(data, batch_size)
        cbs = self._callback_list(callbacks, verbose, 1, passes.steps, "predict")
        was_training = self.model.training
        self.model.eval()
        rows = data.rows(batch_size) if isinstance(data, ArrayData) else None
        outputs: list[_Outputs] = []
        cbs.on_predict_begin()
        try:
            with torch.inference_mode():
                for index, batch, _ in passes.epoch():
                    cbs.on_predict_batch_begin(index)
                    out = predict(strategy.to_device(batch))
                    several = isinstance(out, (list, tuple))  # a multi-output model: one array per output
                    values = [_numpy(o) for o in out] if several else [_numpy(out)]
                    outputs = outputs or [_Outputs(rows) for _ in values]
                    for output, value in zip(outputs, values):
                        output.add(value)
                    cbs.on_predict_batch_end(index, {"outputs": values if several else values[0]})  # Keras's keys
        finally:
            self.model.train(was_training)
        cbs.on_predict_end()
        results = [output.result() for output in outputs]
        return results if several else results[0]

    def predict_on_batch(self, x: Any) -> np.ndarray | list[np.ndarray]:
        """Keras's ``predict_on_batch``: the whole batch in one forward pass (the predict step), with no batching
        loop and no callbacks, so one image costs little more than the model itself."""
        data = ArrayData(x, None, None, input_count(self.model))
        check_input(self.model, data.x, "predict_on_batch")
        predict, _ = self._step_function("predict")
        strategy, model = self._inference_strategy(), self.model
        was_training = model.training
        if was_training:
            model.eval()
        try:
            with torch.inference_mode():
                out = predict(strategy.to_device((as_model_input(data.x), None, None)))
        finally:
            if was_training:
                model.train()
        return [_numpy(o) for o in out] if isinstance(out, (list, tuple)) else _numpy(out)

    def on_batch(self, kind: str, x: Any, y: Any, sample_weight: Any, class_weight: dict | None,
                 return_dict: bool) -> Any:
        """Keras's ``train_on_batch`` (``kind='train'``) and ``test_on_batch`` (``'test'``) on one batch."""
        strategy = self._require_compiled(f"{kind}_on_batch")
        data = ArrayData(x, y, sample_weight, input_count(self.model))
        step = self.step = Step(self.model, strategy, class_weight)
        self._prepare(data, f"{kind}_on_batch")
        if kind == "train":
            self._ensure_optimizer()
        was_training = self.model.training
        self._sums = torch.zeros(step.stats_size(), device=strategy.device)
        (_, batch, rows), = EpochIterator(data, len(data)).epoch()
        self.batch_rows = rows
        try:
            if kind == "train":
                self._train_one(strategy.to_device(batch))
            else:
                self.model.eval()
                with torch.inference_mode():
                    self.test_step(strategy.to_device(batch))
        finally:
            self.model.train(was_training)
        logs = step.results(self._sums.tolist())
        return logs if return_dict else _values(logs)

    def _train_one(self, batch: tuple) -> None:
        """``train_on_batch``'s update, with the NaN guard: a non-finite update is not applied."""
        self.model.train()
        self._nonfinite = self._stop_now = False
        before = RollbackPoint()
        before.take(self.model, {}, buffers_only=True)
        self.train_step(batch)
        if self._nonfinite:
            before.restore(self.model)  # the forward pass already moved the BatchNorm statistics
            self.model.optimizer.build(self.model)
            warnings.warn("train_on_batch: the loss or the gradients became NaN or infinite; the update was "
                          "not applied (weights and BatchNorm statistics are those from before the batch) "
                          "and the optimizer state was reset", RuntimeWarning, stacklevel=4)


class _Outputs:
    """``predict``'s outputs: written into one preallocated array when the row count is known (arrays), else
    gathered and concatenated once (generators)."""

    def __init__(self, rows: int | None) -> None:
        self.rows, self.array, self.parts, self.seen = rows, None, [], 0

    def add(self, values: np.ndarray) -> None:
        if self.rows is None:
            self.parts.append(values)
            return
        if self.array is None:
            self.array = np.empty((self.rows, *values.shape[1:]), dtype=values.dtype)
        self.array[self.seen:self.seen + len(values)] = values
        self.seen += len(values)

    def result(self) -> np.ndarray:
        return self.array if self.array is not None else np.concatenate(self.parts)


def _numpy(out: Any) -> np.ndarray:
    return out.detach().float().cpu().numpy() if torch.is_tensor(out) else np.asarray(out)


def _values(logs: dict[str, Any]) -> Any:
    """Keras's return value of evaluate / *_on_batch: the loss alone, or ``[loss, *metrics]``."""
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


__all__ = ["EvaluationMethods"]
