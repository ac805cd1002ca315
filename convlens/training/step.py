"""The arithmetic of one batch: forward under the precision policy, loss (fused log-softmax where the model ends with
softmax), metrics as on-device sufficient statistics, and the checks that catch targets that do not fit.

Example:
    >>> import numpy as np, torch
    >>> from convlens.training import Trainer
    >>> trainer = Trainer(torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Softmax(-1)))
    >>> trainer.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"], device="cpu", precision="float32")
    >>> step = Step(trainer.model, trainer.strategy)
    >>> step.prepare(torch.zeros(1, 3)); step.names
    ['loss', 'accuracy']
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Iterator

import torch
from torch import nn

from convlens.training.data import Inputs, input_tensors, map_inputs
from convlens.training.strategy import Strategy


class Step:
    """One compiled model's forward + loss + metric arithmetic for a batch."""

    def __init__(self, model: nn.Module, strategy: Strategy, class_weight: dict | None = None) -> None:
        compiled = getattr(model, "compiled", None)
        if compiled is None or compiled.loss is None:
            raise ValueError("compile the model with a loss first: model.compile(optimizer, loss=…, metrics=[…])")
        self.model, self.strategy = model, strategy
        self.loss = compiled.loss
        self.fused = self.loss.fusable_with(getattr(model, "output_activation", None))
        self.metrics: list = []
        self.names: list[str] = ["loss"]
        self.output_width: int | None = None
        self.class_weight = class_weight
        self._class_table: torch.Tensor | None = None
        self.regularized = [layer for layer in model.modules() if getattr(layer, "_regularizers", None) and
                            any(r is not None for r in layer._regularizers.values())]

    def forward(self, x: Inputs) -> torch.Tensor:
        """The model's output in float32 (logits when the loss is fused), layers run under the precision policy."""
        return self.strategy.run(self.model, x, **({"activate": False} if self.fused else {}))

    def prepare(self, sample_x: Inputs) -> None:
        """Learn the output width from one sample, then resolve the metrics (accuracy kind, top-k …)."""
        if self.output_width is not None:
            return
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            out = self.strategy.run(self.model, map_inputs(lambda t: t[:2].to(self.strategy.device), sample_x))
        self.model.train(was_training)
        self.output_width = out.shape[-1] if out.dim() > 1 else 1
        self.metrics = self.model.compiled.metrics(self.output_width)
        self.names = ["loss", *[m.name for m in self.metrics]]
        if self.class_weight:
            table = torch.ones(max(self.output_width, max(self.class_weight) + 1))
            for label, weight in self.class_weight.items():
                table[int(label)] = float(weight)
            self._class_table = table.to(self.strategy.device)
        self._warn_if_not_probabilities(out)

    def _warn_if_not_probabilities(self, out: torch.Tensor) -> None:
        """A softmax/sigmoid loss given outputs that are not probabilities (a module that returns logits) does not
        learn and says nothing: say it."""
        if self.fused or self.loss.from_logits or self.loss.kind == "regression" or not out.numel():
            return
        if self.loss.kind in ("categorical", "sparse"):
            bad = bool((out < 0).any()) or not torch.allclose(out.sum(-1), torch.ones(len(out)), atol=1e-3)
            what = "rows that are not probabilities (negative, or not summing to 1)"
        else:
            bad = bool(((out < 0) | (out > 1)).any())
            what = "values outside [0, 1]"
        if bad:
            warnings.warn(f"the model's outputs are {what} but the loss {self.loss.name!r} expects probabilities; "
                          f"if the model outputs logits, compile with loss=convlens.losses."
                          f"{_class_name(self.loss.name)}(from_logits=True) (or end the model with a softmax)",
                          RuntimeWarning, stacklevel=4)

    def check_targets(self, y: torch.Tensor | None, where: str) -> None:
        """Clear errors for targets that do not fit the loss and the model's output."""
        if y is None:
            raise ValueError(f"{where}: no targets (y) given; fit and evaluate need labels")
        if y.is_floating_point() and y.numel():
            bad = int((~torch.isfinite(y)).sum())
            if bad:
                raise ValueError(f"{where}: the labels (y) hold {bad} NaN or infinite values; clean the labels "
                                 f"(this is a data problem, not a learning-rate one)")
        kind, width = self.loss.kind, self.output_width
        if kind == "categorical":
            if y.dim() != 2 or y.shape[-1] != width:
                got = f"labels of shape {tuple(y.shape)}"
                hint = (f"one-hot encode them with convlens.utils.to_categorical(y, {width}) or use "
                        f"loss='sparse_categorical_crossentropy'") if y.dim() == 1 or y.shape[-1] == 1 else \
                    f"the one-hot width {y.shape[-1]} must equal the model's output width {width}"
                raise ValueError(f"{where}: categorical_crossentropy needs one-hot targets of width {width}, "
                                 f"got {got}; {hint}")
        elif kind == "sparse":
            if y.dim() > 2 or (y.dim() == 2 and y.shape[-1] != 1):
                raise ValueError(f"{where}: sparse_categorical_crossentropy needs integer labels of shape (N,) or "
                                 f"(N, 1), got shape {tuple(y.shape)}; for one-hot targets use "
                                 f"loss='categorical_crossentropy'")
            if y.is_floating_point() and not bool((y == y.round()).all()):
                raise ValueError(f"{where}: sparse labels must be whole numbers, got fractional values")
            low, high = int(y.min()), int(y.max())
            if low < 0 or high >= width:
                bad_label = low if low < 0 else high
                raise ValueError(f"{where}: label {bad_label} is outside the model's {width} classes "
                                 f"(0…{width - 1})")
        else:
            target_width = 1 if y.dim() == 1 else int(torch.tensor(y.shape[1:]).prod())
            if target_width != width:
                raise ValueError(f"{where}: {self.loss.name} compares each target with the model's output, but the "
                                 f"targets have width {target_width} (shape {tuple(y.shape)}) and the model's output "
                                 f"has width {width}; make the last layer Dense({target_width}) or reshape y")
            if kind == "binary" and y.numel() and (float(y.min()) < 0 or float(y.max()) > 1):
                raise ValueError(f"{where}: binary_crossentropy needs targets in [0, 1], got values from "
                                 f"{float(y.min())} to {float(y.max())}")

    def loss_sum(self, y: torch.Tensor, out: torch.Tensor, w: torch.Tensor | None) -> torch.Tensor:
        """The batch's per-sample losses (class and sample weights applied), summed."""
        per_sample = self.loss(y, out, from_logits=True if self.fused else None)
        if self._class_table is not None:
            labels = y.argmax(-1) if self.loss.kind == "categorical" else y.reshape(-1).long()
            per_sample = per_sample * self._class_table[labels]
        if w is not None:
            per_sample = per_sample * w.reshape(per_sample.shape)
        return per_sample.sum()

    def penalty(self) -> torch.Tensor | None:
        """Weight regularization added to the loss (None when no layer has a regularizer)."""
        total = None
        for layer in self.regularized:
            value = layer.regularization_loss()
            if value is not None:
                total = value if total is None else total + value
        return total

    def batch_stats(self, loss_sum: torch.Tensor, count: int, y: torch.Tensor | None,
                    out: torch.Tensor | None) -> torch.Tensor:
        """``[loss sum, samples, *metric statistics]`` of a batch, as one tensor (stays on the device)."""
        head = torch.stack([loss_sum.detach().float().reshape(()),
                            torch.tensor(float(count), device=loss_sum.device)])
        if out is None or not count:
            return torch.cat([head, torch.zeros(self.stats_size() - 2, device=loss_sum.device)])
        out = out.detach()
        return torch.cat([head, *[m.batch_stats(y, out, logits=self.fused) for m in self.metrics]])

    def stats_size(self) -> int:
        return 2 + sum(m.size for m in self.metrics)

    def results(self, totals: list[float]) -> dict[str, float]:
        """Epoch values from the summed batch stats: the loss is a mean over samples, metrics say their own."""
        values = {"loss": totals[0] / max(totals[1], 1.0)}
        start = 2
        for metric in self.metrics:
            values[metric.name] = metric.result(totals[start:start + metric.size])
            start += metric.size
        return values


def _class_name(loss_name: str) -> str:
    return {"categorical_crossentropy": "CategoricalCrossentropy", "binary_crossentropy": "BinaryCrossentropy",
            "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy"}.get(loss_name, loss_name)


class RunningLogs(Mapping):
    """Batch-end logs: running means computed only when a callback reads them (the progress bar, a few times a
    second), so the loop itself never waits for a number."""

    def __init__(self, step: Step, sums: torch.Tensor, size: int) -> None:
        self._step, self._names, self._sums, self._size = step, step.names, sums, size

    def __getitem__(self, key: str) -> Any:
        if key == "size":
            return self._size
        if key in self._names:
            return self._step.results(self._sums.tolist())[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter([*self._names, "size"])

    def __len__(self) -> int:
        return len(self._names) + 1


def check_input(model: nn.Module, x: Inputs, where: str) -> None:
    """A clear error when the samples' shape differs from the model's input shape (each input's, for several)."""
    expected = getattr(model, "input_shape", None)
    if expected is None:
        return
    if getattr(model, "_multi_input", False):
        tensors = input_tensors(x)
        if isinstance(x, dict):
            names = model.input_names
            missing = [name for name in names if name not in x]
            if missing:
                raise ValueError(f"{where}: x has no array for the model's input(s) {missing}; the dict's keys "
                                 f"must be the input names {names}, got {sorted(x)}")
            tensors = [x[name] for name in names]
        for index, (tensor, shape) in enumerate(zip(tensors, expected)):
            _check_shape(tensor, shape, f"{where}, input {index}")
        return
    _check_shape(x, expected, where)


def _check_shape(x: torch.Tensor, expected: Any, where: str) -> None:
    if tuple(x.shape[1:]) != tuple(expected[1:]):
        raise ValueError(f"{where}: the model expects samples of shape {tuple(expected[1:])} (input shape "
                         f"{expected}), got samples of shape {tuple(x.shape[1:])}"
                         + ("; add the channel axis with x.reshape(-1, *x.shape[1:], 1)"
                            if tuple(x.shape[1:]) + (1,) == tuple(expected[1:]) else ""))


__all__ = ["RunningLogs", "Step", "check_input"]
