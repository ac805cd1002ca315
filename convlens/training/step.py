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

from convlens.training.checks import check_target_shape, class_weight_table
from convlens.training.data import Inputs, input_tensors, map_inputs
from convlens.training.strategy import Strategy


class Step:
    """One compiled model's forward + loss + metric arithmetic for a batch."""

    def __init__(self, model: nn.Module, strategy: Strategy, class_weight: dict | None = None,
                 require_loss: bool = True) -> None:
        compiled = getattr(model, "compiled", None)
        if compiled is None or (compiled.loss is None and require_loss):
            raise ValueError("compile the model with a loss first: model.compile(optimizer, loss=…, metrics=[…])")
        self.model, self.strategy = model, strategy
        self.loss = compiled.loss  # None only for a model whose own train_step / test_step computes its loss
        self.fused = self.loss is not None and self.loss.fusable_with(getattr(model, "output_activation", None))
        self.metrics: list = []
        self.names: list[str] = ["loss"]
        self.output_width: int | None = None
        self.output_shape: tuple[int, ...] = ()  # one sample's output shape, e.g. (10,) or (28, 28, 1)
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
        self.output_shape = tuple(out.shape[1:])
        self.metrics = self.model.compiled.metrics(self.output_width)
        self.names = ["loss", *[m.name for m in self.metrics]]
        if self.class_weight:
            classes = 2 if self.output_width == 1 else self.output_width  # one unit: classes 0 and 1
            self._class_table = class_weight_table(self.class_weight, classes).to(self.strategy.device)
        self._warn_if_not_probabilities(out)

    def _warn_if_not_probabilities(self, out: torch.Tensor) -> None:
        """A softmax/sigmoid loss given outputs that are not probabilities (a module that returns logits) does not
        learn and says nothing: say it."""
        if self.loss is None or self.fused or self.loss.from_logits or self.loss.kind == "regression" or \
                not out.numel():
            return
        if self.loss.kind in ("categorical", "sparse"):
            bad = bool((out < 0).any()) or not torch.allclose(out.sum(-1), torch.ones_like(out.sum(-1)), atol=1e-3)
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
        """Clear errors for targets that do not fit the loss and the model's output (any rank: ``(N, k)`` classes,
        ``(N, H, W, C)`` images, ``(N, H, W, K)`` per-pixel classes, ``(N, L, k)`` sequences)."""
        if self.loss is None:  # the model's own step computes its loss from whatever its data holds
            return
        if y is None:
            raise ValueError(f"{where}: no targets (y) given; fit and evaluate need labels")
        if y.is_floating_point() and y.numel():
            bad = int((~torch.isfinite(y)).sum())
            if bad:
                raise ValueError(f"{where}: the labels (y) hold {bad} NaN or infinite values; clean the labels "
                                 f"(this is a data problem, not a learning-rate one)")
        check_target_shape(y, self.output_shape, where)
        kind, width, out_shape = self.loss.kind, self.output_width, self.output_shape
        target_shape = tuple(y.shape[1:])
        if kind == "categorical":
            if target_shape != out_shape:
                got = f"labels of shape {tuple(y.shape)}"
                hint = (f"one-hot encode them with convlens.utils.to_categorical(y, {width}) or use "
                        f"loss='sparse_categorical_crossentropy'") if target_shape in (out_shape[:-1],
                                                                        (*out_shape[:-1], 1)) else \
                    f"the one-hot width {y.shape[-1]} must equal the model's output width {width}" \
                    if y.dim() == 2 and len(out_shape) == 1 else f"the model's output has shape (N, {_dims(out_shape)})"
                raise ValueError(f"{where}: categorical_crossentropy needs one-hot targets of width {width}, "
                                 f"got {got}; {hint}")
        elif kind == "sparse":
            if target_shape not in (out_shape[:-1], (*out_shape[:-1], 1)):
                raise ValueError(f"{where}: sparse_categorical_crossentropy needs integer labels of shape "
                                 f"(N, {_dims(out_shape[:-1])}) or (N, {_dims((*out_shape[:-1], 1))}) for the "
                                 f"model's output (N, {_dims(out_shape)}), got shape {tuple(y.shape)}; for one-hot "
                                 f"targets use loss='categorical_crossentropy'")
            if y.is_floating_point() and not bool((y == y.round()).all()):
                raise ValueError(f"{where}: sparse labels must be whole numbers, got fractional values")
            low, high = int(y.min()), int(y.max())
            if low < 0 or high >= width:
                bad_label = low if low < 0 else high
                raise ValueError(f"{where}: label {bad_label} is outside the model's {width} classes "
                                 f"(0…{width - 1})")
        else:
            if _drop_trailing_one(target_shape) != _drop_trailing_one(out_shape):
                if len(out_shape) <= 1 and y.dim() <= 2:
                    target_width = 1 if y.dim() == 1 else y.shape[-1]
                    raise ValueError(f"{where}: {self.loss.name} compares each target with the model's output, but "
                                     f"the targets have width {target_width} (shape {tuple(y.shape)}) and the "
                                     f"model's output has width {width}; make the last layer Dense({target_width}) "
                                     f"or reshape y")
                raise ValueError(f"{where}: {self.loss.name} compares each target with the model's output, but the "
                                 f"targets have shape {tuple(y.shape)} and the model's output has shape "
                                 f"(N, {_dims(out_shape)}); reshape y to the output's shape or change the model")
            if kind == "binary" and y.numel() and (float(y.min()) < 0 or float(y.max()) > 1):
                raise ValueError(f"{where}: binary_crossentropy needs targets in [0, 1], got values from "
                                 f"{float(y.min())} to {float(y.max())}")

    def loss_sum(self, y: torch.Tensor, out: torch.Tensor, w: torch.Tensor | None, logits: bool | None = None,
                 training: bool = True) -> torch.Tensor:
        """The one loss computation of the engine (the default steps and ``Model.compute_loss``): the batch's
        per-sample losses in float32 (class weights while training, and sample weights applied), summed.
        ``logits``: whether ``out`` holds the fused loss's logits (default: the default step's outputs)."""
        if self.loss is None:
            raise ValueError("compile the model with a loss to compute one: model.compile(optimizer, loss=…)")
        logits = self.fused if logits is None else logits
        element_weight = None
        if training and self._class_table is not None:
            element_weight = self._class_table[self._class_labels(y, out)]
        per_sample = self.loss.per_sample(y, out.float(), w, from_logits=True if logits else None,
                                          element_weight=element_weight)
        return per_sample.sum()

    def objective(self, loss_sum: torch.Tensor, rows: int, penalty: torch.Tensor | None) -> torch.Tensor:
        """What the optimizer minimises: the summed loss over the global batch's ``rows`` (over all processes),
        plus this process's share of the weight penalty (gradients are summed over processes)."""
        loss = loss_sum / max(rows, 1)
        if penalty is not None:
            loss = loss + penalty / self.strategy.world_size
        return loss

    def _class_labels(self, y: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """Each loss element's class, to look up its class weight."""
        element_shape = out.shape[:-1] if out.dim() > 1 else out.shape
        if self.loss.kind == "sparse":
            return y.reshape(element_shape).long()
        if y.dim() > 1 and y.shape[-1] > 1:
            return y.argmax(-1).reshape(element_shape)
        return y.round().long().reshape(element_shape)

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


def _dims(shape: tuple[int, ...]) -> str:
    return ", ".join(str(d) for d in shape)


def _drop_trailing_one(shape: tuple[int, ...]) -> tuple[int, ...]:
    """Keras compares targets and outputs after squeezing a trailing axis of 1 ((N,) against (N, 1))."""
    return shape[:-1] if shape and shape[-1] == 1 else shape


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

    def __iter__(self) -> Iterator[str]:  # Keras's keys; 'size' (for the images/s figure) answers but is not listed
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


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
