"""The loop behind ``fit``, ``evaluate`` and ``predict``.

Fast by design: batches are tensor views or one gather, loss and metric sums stay on the device until the epoch
ends (no per-step ``.item()``), softmax + cross-entropy is fused into log-softmax, and the optimizer updates all
weights in one ``foreach`` call.

Example:
    >>> import numpy as np
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    >>> model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    >>> model.fit(np.zeros((4, 3)), np.zeros(4, "int64"), verbose=0).history.keys()
    dict_keys(['loss', 'accuracy'])
"""
from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Iterator, Sequence

import numpy as np
import torch

from convlens.callbacks import CallbackList
from convlens.training.data import ArrayData, SequenceData, adapt


class RunningLogs(Mapping):
    """Batch-end logs: running means computed only when a callback reads them (the progress bar, a few times a
    second), so the loop itself never waits for a number."""

    def __init__(self, step: "Step", sums: torch.Tensor, seen: int, size: int) -> None:
        self._step, self._names, self._sums, self._seen, self._size = step, step.names, sums, seen, size

    def __getitem__(self, key: str) -> Any:
        if key == "size":
            return self._size
        if key in self._names:
            return self._step.results(self._sums.tolist(), self._seen)[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter([*self._names, "size"])

    def __len__(self) -> int:
        return len(self._names) + 1


class Step:
    """One compiled model's forward + loss + metric arithmetic for a batch."""

    def __init__(self, model, class_weight: dict | None = None) -> None:
        if model.compiled is None or model.compiled.loss is None:
            raise ValueError("compile the model with a loss first: model.compile(optimizer, loss=…, metrics=[…])")
        self.model = model
        self.loss = model.compiled.loss
        self.fused = self.loss.fusable_with(model.output_activation)
        self.metrics: list = []
        self.names: list[str] = ["loss"]
        self.output_width: int | None = None
        self.class_weight = class_weight
        self._class_table: torch.Tensor | None = None
        self.autocast = model.compiled.mixed_precision == "bfloat16"
        self.regularized = [layer for layer in model.modules() if getattr(layer, "_regularizers", None) and
                            any(r is not None for r in layer._regularizers.values())]

    def prepare(self, sample_x: torch.Tensor) -> None:
        """Learn the output width from one sample, then resolve the metrics (accuracy kind, top-k …)."""
        if self.output_width is not None:
            return
        was_training = self.model.training
        self.model.eval()
        with torch.no_grad():
            out = self.model(sample_x[:1].to(model_device(self.model)))
        self.model.train(was_training)
        self.output_width = out.shape[-1] if out.dim() > 1 else 1
        self.metrics = self.model.compiled.metrics(self.output_width)
        self.names = ["loss", *[m.name for m in self.metrics]]
        if self.class_weight:
            table = torch.ones(max(self.output_width, max(self.class_weight) + 1))
            for label, weight in self.class_weight.items():
                table[int(label)] = float(weight)
            self._class_table = table.to(model_device(self.model))

    def check_targets(self, y: torch.Tensor | None, where: str) -> None:
        """Clear errors for targets that do not fit the loss and the model's output."""
        if y is None:
            raise ValueError(f"{where}: no targets (y) given; fit and evaluate need labels")
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
                bad = low if low < 0 else high
                raise ValueError(f"{where}: label {bad} is outside the model's {width} classes (0…{width - 1})")
        elif kind == "binary" and y.numel() and (float(y.min()) < 0 or float(y.max()) > 1):
            raise ValueError(f"{where}: binary_crossentropy needs targets in [0, 1], got values from "
                             f"{float(y.min())} to {float(y.max())}")

    def losses(self, x: torch.Tensor, y: torch.Tensor, w: torch.Tensor | None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(training loss, loss to report, model output) for a batch."""
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=self.autocast):
            out = self.model(x, activate=not self.fused)
        out = out.float()  # the loss and metrics in float32 even when the layers ran in bfloat16
        per_sample = self.loss(y, out, from_logits=True if self.fused else None)
        if self._class_table is not None:
            labels = y.argmax(-1) if self.loss.kind == "categorical" else y.reshape(-1).long()
            per_sample = per_sample * self._class_table[labels]
        if w is not None:
            per_sample = per_sample * w.reshape(per_sample.shape)
        loss = per_sample.mean()
        for layer in self.regularized:
            penalty = layer.regularization_loss()
            if penalty is not None:
                loss = loss + penalty
        return loss, loss.detach(), out

    def batch_stats(self, loss: torch.Tensor, y: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """``[loss, *metrics]`` summed over the batch, as one tensor (stays on the device)."""
        out = out.detach()
        values = [(loss * len(out)).reshape(1)] + [m.batch_stats(y, out, logits=self.fused) for m in self.metrics]
        return torch.cat(values)

    def stats_size(self) -> int:
        return 1 + sum(m.size for m in self.metrics)

    def results(self, totals: list[float], seen: int) -> dict[str, float]:
        """Epoch values from the summed batch stats: the loss is a mean over samples, metrics say their own."""
        values = {"loss": totals[0] / max(seen, 1)}
        start = 1
        for metric in self.metrics:
            values[metric.name] = metric.result(totals[start:start + metric.size])
            start += metric.size
        return values


def check_input(model, x: torch.Tensor, where: str) -> None:
    """A clear error when the samples' shape differs from the model's input shape."""
    expected = getattr(model, "input_shape", None)
    if expected is not None and tuple(x.shape[1:]) != tuple(expected[1:]):
        raise ValueError(f"{where}: the model expects samples of shape {tuple(expected[1:])} (input shape "
                         f"{expected}), got samples of shape {tuple(x.shape[1:])}"
                         + ("; add the channel axis with x.reshape(-1, *x.shape[1:], 1)"
                            if tuple(x.shape[1:]) + (1,) == tuple(expected[1:]) else ""))


def model_device(model) -> torch.device:
    """Where the model's weights live; batches are moved there (a no-op on the CPU)."""
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def on_device(batch: tuple, device: torch.device) -> tuple:
    if device.type == "cpu":
        return batch
    return tuple(None if t is None else t.to(device, non_blocking=True) for t in batch)


def _seed_from_global() -> int:
    return int(torch.randint(0, 2 ** 62, (1,)).item())


def _snapshot(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _make_callbacks(model, callbacks, verbose, epochs, steps, mode: str = "fit") -> CallbackList:
    verbose = 1 if verbose == "auto" else int(verbose)
    return CallbackList(callbacks, model=model, add_history=(mode == "fit"), add_progbar=verbose != 0,
                        verbose=verbose, epochs=epochs, steps=steps)


def _validation(validation_data: Any, validation_steps: int | None):
    if validation_data is None:
        return None
    if isinstance(validation_data, (tuple, list)) and len(validation_data) in (2, 3):
        return ArrayData(*validation_data)
    return adapt(validation_data, steps=validation_steps)


def fit(model, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1, verbose: Any = 1,
        callbacks: Sequence[Any] | None = None, validation_split: float = 0.0, validation_data: Any = None,
        shuffle: bool = True, class_weight: dict | None = None, sample_weight: Any = None, initial_epoch: int = 0,
        steps_per_epoch: int | None = None, validation_steps: int | None = None,
        validation_batch_size: int | None = None, validation_freq: int = 1):
    """Keras's ``fit``: see ``convlens.models.Model.fit``."""
    if model.compiled is None:
        raise ValueError("call model.compile(optimizer, loss, metrics) before fit")
    batch_size = 32 if batch_size is None else int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    train = adapt(x, y, sample_weight, steps_per_epoch)
    if validation_split and validation_data is None:
        if not isinstance(train, ArrayData):
            raise ValueError("validation_split works with arrays only; pass validation_data for generators")
        train, val = train.split(validation_split)
    else:
        val = _validation(validation_data, validation_steps)
    if isinstance(train, SequenceData) and train.class_indices:
        index_to_name = sorted(train.class_indices.items(), key=lambda kv: kv[1])
        model.class_names = [name for name, _ in index_to_name]

    step = Step(model, class_weight)
    first_x, first_y, _ = train.peek()
    if not model.built:
        model.build((None, *first_x.shape[1:]))
    check_input(model, first_x, "fit")
    step.prepare(first_x)
    step.check_targets(train.y if isinstance(train, ArrayData) else first_y, "fit")
    if isinstance(val, ArrayData):
        check_input(model, val.x, "validation_data")
        step.check_targets(val.y, "validation_data")

    optimizer = model.optimizer
    if optimizer.torch_optimizer is None or optimizer._params != [p for p in model.parameters() if p.requires_grad]:
        optimizer.build(model)

    steps = train.steps(batch_size)
    model.stop_training = False
    cbs = _make_callbacks(model, callbacks, verbose, epochs, steps)
    cbs.on_train_begin()
    resume = getattr(model, "_resume_state", None)  # set by BackupAndRestore
    state = model.training_state
    if resume is not None:
        state, initial_epoch = resume, int(resume["epoch"])
        model._resume_state = None
    if state is not None and int(state.get("epoch", -1)) == initial_epoch and initial_epoch > 0:
        shuffle_seed = int(state["shuffle_seed"])
        torch.set_rng_state(state["torch_rng"])  # dropout masks continue exactly where the saved run stopped
    else:
        shuffle_seed = _seed_from_global()

    device = model_device(model)
    epoch_logs: dict[str, float] = {}
    for epoch in range(initial_epoch, epochs):
        if model.stop_training:
            break
        cbs.on_epoch_begin(epoch)
        model.train()
        before = _snapshot(model)
        order = None
        if shuffle and isinstance(train, ArrayData):
            generator = torch.Generator().manual_seed(shuffle_seed + epoch)
            order = torch.randperm(len(train), generator=generator)
        sums = torch.zeros(step.stats_size(), device=device)
        seen = 0
        for batch_index, batch in enumerate(train.batches(batch_size, order)):
            xb, yb, wb = on_device(batch, device)
            cbs.on_train_batch_begin(batch_index)
            loss, reported, out = step.losses(xb, yb, wb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                sums += step.batch_stats(reported, yb, out)
            seen += len(xb)
            cbs.on_train_batch_end(batch_index, RunningLogs(step, sums, seen, len(xb)))
            if model.stop_training:
                break
        epoch_logs = step.results(sums.tolist(), seen)  # the one sync of the epoch
        if not np.isfinite(epoch_logs["loss"]):
            model.load_state_dict(before)
            model.stop_training = True
            warnings.warn(f"epoch {epoch + 1}: the loss became {epoch_logs['loss']}; training stopped and the "
                          f"weights from before this epoch were restored (lower the learning rate?)", RuntimeWarning)
            break
        if val is not None and (epoch + 1) % validation_freq == 0:
            val_values = _evaluate_loop(model, step, val, validation_batch_size or batch_size, None)
            epoch_logs.update({f"val_{k}": v for k, v in val_values.items()})
        model.training_state = {"epoch": epoch + 1, "shuffle_seed": shuffle_seed,
                                "torch_rng": torch.get_rng_state()}
        cbs.on_epoch_end(epoch, epoch_logs)
    cbs.on_train_end(epoch_logs)
    model.history = cbs.history
    return cbs.history


def _evaluate_loop(model, step: Step, data: ArrayData | SequenceData, batch_size: int, cbs) -> dict[str, float]:
    model.eval()
    device = model_device(model)
    sums = torch.zeros(step.stats_size(), device=device)
    seen = 0
    with torch.inference_mode():
        for batch_index, batch in enumerate(data.batches(batch_size)):
            xb, yb, wb = on_device(batch, device)
            if cbs is not None:
                cbs.on_test_batch_begin(batch_index)
            _, reported, out = step.losses(xb, yb, wb)
            sums += step.batch_stats(reported, yb, out)
            seen += len(xb)
            if cbs is not None:
                cbs.on_test_batch_end(batch_index, RunningLogs(step, sums, seen, len(xb)))
    model.train()
    return step.results(sums.tolist(), seen)


def evaluate(model, x: Any = None, y: Any = None, batch_size: int | None = None, verbose: Any = 1,
             steps: int | None = None, callbacks: Sequence[Any] | None = None, return_dict: bool = False,
             sample_weight: Any = None):
    """Keras's ``evaluate``: ``[loss, *metrics]``, or the loss alone when there are no metrics."""
    data = adapt(x, y, sample_weight, steps)
    batch_size = 32 if batch_size is None else int(batch_size)
    step = Step(model)
    first_x, first_y, _ = data.peek()
    check_input(model, first_x, "evaluate")
    step.prepare(first_x)
    step.check_targets(data.y if isinstance(data, ArrayData) else first_y, "evaluate")
    cbs = _make_callbacks(model, callbacks, verbose, 1, data.steps(batch_size), mode="evaluate")
    cbs.on_test_begin()
    logs = _evaluate_loop(model, step, data, batch_size, cbs)
    cbs.on_test_end(logs)
    if return_dict:
        return logs
    values = [logs[name] for name in step.names]
    return values[0] if len(values) == 1 else values


def predict(model, x: Any, batch_size: int | None = None, steps: int | None = None,
            callbacks: Sequence[Any] | None = None) -> np.ndarray:
    """Keras's ``predict``: the model's outputs as one NumPy array."""
    data = adapt(x, None, None, steps)
    batch_size = 32 if batch_size is None else int(batch_size)
    if isinstance(data, ArrayData):
        check_input(model, data.x, "predict")
    model.eval()
    outputs = []
    result, filled = None, 0  # arrays of known length: each batch goes straight into one preallocated array
    with torch.inference_mode():
        device = model_device(model)
        for xb, _, _ in data.batches(batch_size):
            out = model(xb.to(device)).float().cpu()
            if isinstance(data, ArrayData):
                if result is None:
                    result = torch.empty((len(data), *out.shape[1:]))
                result[filled:filled + len(out)] = out
                filled += len(out)
            else:
                outputs.append(out)
    model.train()
    return (result if result is not None else torch.cat(outputs)).numpy()


__all__ = ["fit", "evaluate", "predict"]
