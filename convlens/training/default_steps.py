"""The steps a run is made of — ``train_step``, ``test_step``, ``predict_step`` — and the ``default_step`` marker.

``StepMethods`` is mixed into ``Trainer``. A Trainer subclass, or (Keras's "customizing what happens in fit") a model
class, may override any step; ``step_function`` picks the user's step when one is overridden and the fast default
otherwise. ``default_step`` marks the defaults — here, and the model's delegating steps in
``convlens.models.training_methods`` — so "overridden" means "not marked".

The defaults are fast: batches arrive as tensor views or one gather, the loss and metric sums stay on the device (no
per-step host sync), and the optimizer updates all weights in one ``foreach`` call. A non-finite loss or gradient is
never applied: the step sets ``_nonfinite`` and the loop stops (the NaN guard).

Example:
    >>> @default_step
    ... def train_step(data): ...
    >>> is_default_step(train_step), is_default_step(lambda data: data)
    (True, False)
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import torch

from convlens.training.data import sample_count
from convlens.training.step import RunningLogs

_MARK = "_convlens_default_step"


def default_step(method: Callable) -> Callable:
    """Mark ``method`` as a default step: the Trainer runs its own fast step unless a subclass overrides it."""
    setattr(method, _MARK, True)
    return method


def is_default_step(method: Any) -> bool:
    """True for a missing step or one marked with ``default_step``."""
    return method is None or getattr(method, _MARK, False)


class StepMethods:
    """``train_step``, ``test_step``, ``predict_step`` of a ``Trainer`` (which owns the attributes they use)."""

    @default_step
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
            loss = step.objective(loss_sum, self.batch_rows, penalty)
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
        if self.scaler is not None:
            self.scaler.unscale_(optimizer.torch_optimizer)
        if strategy.distributed:
            finite, stop_elsewhere = self._all_reduce_gradients(loss_sum)
        else:
            grads = [p.grad for p in optimizer._params if p.grad is not None]
            norms = torch.stack(torch._foreach_norm(grads)).sum() if grads else torch.zeros(())
            finite, stop_elsewhere = bool(torch.isfinite(loss_sum.detach() + norms.to(loss_sum.device))), False
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

    def _all_reduce_gradients(self, loss_sum: torch.Tensor) -> tuple[bool, bool]:
        """One all-reduce of the flat gradients, the loss and the stop flag: ``(finite, stop asked elsewhere)``."""
        params = self.model.optimizer._params
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
        flags = torch.stack([loss_sum.detach().float().reshape(()),
                             torch.tensor(float(bool(self.model.stop_training)), device=loss_sum.device)])
        flat = self.strategy.all_reduce_sum(torch.cat([*[g.reshape(-1) for g in grads], flags.to(grads[0].device)]))
        offset = 0
        for p in params:
            p.grad = flat[offset:offset + p.numel()].view_as(p)
            offset += p.numel()
        return bool(torch.isfinite(flat[:-1]).all()), bool(flat[-1] > 0)

    @default_step
    def test_step(self, data: tuple) -> Mapping[str, Any]:
        """Loss and metrics of a batch, added to the running sums (no gradients)."""
        x, y, w = data
        step = self.step
        count = sample_count(x)
        if count:
            out = step.forward(x)
            loss_sum = step.loss_sum(y, out, w, training=False)
            penalty = step.penalty()
            if penalty is not None:
                loss_sum = loss_sum + penalty * count
        else:
            out, loss_sum = None, torch.zeros((), device=self._inference_strategy().device)
        self._sums += step.batch_stats(loss_sum, count, y, out)
        return RunningLogs(step, self._sums, count)

    @default_step
    def predict_step(self, data: tuple) -> torch.Tensor:
        """The model's outputs for a batch (probabilities after a softmax), in float32."""
        return self._inference_strategy().run(self.model, data[0])

    def _step_function(self, kind: str) -> tuple[Callable, bool]:
        """``(step, custom)``: the user's step when the model (Keras style) or a Trainer subclass overrides one,
        else the default."""
        mine = getattr(self, f"{kind}_step")
        if not is_default_step(mine):
            return mine, True
        theirs = getattr(self.model, f"{kind}_step", None)
        if not is_default_step(theirs):
            return (lambda data: theirs(tuple(t for t in data if t is not None) if kind != "predict" else data[0]),
                    True)
        return mine, False

    def _reset_user_metrics(self, custom: bool) -> None:
        """A user's step keeps Keras's stateful metrics (``model.metrics``): reset them at each epoch or pass."""
        reset = getattr(self.model, "reset_metrics", None)
        if custom and callable(reset):
            reset()

    def _custom_results(self, custom: bool, logs: Mapping[str, Any]) -> dict[str, Any] | None:
        """The last logs of a user's step that keeps its own metrics (None: the default sums say the results)."""
        if custom and not isinstance(logs, RunningLogs):
            return {k: _number(v) for k, v in dict(logs).items() if k != "size"}
        return None


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


__all__ = ["StepMethods", "default_step", "is_default_step"]
