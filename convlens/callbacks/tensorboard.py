"""Keras's `TensorBoard` callback: event files that `tensorboard --logdir` reads (written with the `tensorboard`
package's event-file writer, through `torch.utils.tensorboard.SummaryWriter`).

Example:
    >>> from convlens.callbacks.tensorboard import TensorBoard
    >>> model.fit(x, y, epochs=5, callbacks=[TensorBoard(log_dir="logs")])  # doctest: +SKIP
    $ tensorboard --logdir logs
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from convlens.callbacks.callback import Callback, Logs


class TensorBoard(Callback):
    """Write `log_dir/train` and `log_dir/validation` event files, as Keras does.

    Per epoch: every metric (`epoch_loss`, `epoch_accuracy`, ...; `val_` ones under `validation/`) and the
    learning rate (`epoch_learning_rate`). `update_freq='batch'` or an int N adds `batch_*` scalars every N
    batches. `histogram_freq=N` writes a histogram of every weight array every N epochs; `write_graph` writes the
    model summary as text (convlens has no TensorFlow graph to draw); `write_images` writes each Conv2D kernel as
    an image. `sample_images` (an (N, H, W, C) array; a convlens addition) are written once as images.
    `write_steps_per_second` logs training speed as Keras does.
    """

    def __init__(self, log_dir: str | os.PathLike = "logs", histogram_freq: int = 0, write_graph: bool = True,
                 write_images: bool = False, write_steps_per_second: bool = False, update_freq: str | int = "epoch",
                 profile_batch: int = 0, embeddings_freq: int = 0, embeddings_metadata: Any = None,
                 sample_images: np.ndarray | None = None) -> None:
        super().__init__()
        if profile_batch or embeddings_freq or embeddings_metadata:
            raise ValueError("TensorBoard: profile_batch, embeddings_freq and embeddings_metadata are not supported "
                             "by convlens (use torch.profiler for profiling)")
        if histogram_freq < 0:
            raise ValueError(f"histogram_freq must be >= 0, got {histogram_freq}")
        if update_freq not in ("epoch", "batch") and not (isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive int, got {update_freq!r}")
        self.log_dir = Path(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.sample_images = None if sample_images is None else np.asarray(sample_images)
        self._writers: dict[str, Any] = {}
        self._global_batch = 0
        self._epoch_start: float | None = None
        self._epoch_batches = 0

    def _writer(self, name: str) -> Any:
        if name not in self._writers:
            from torch.utils.tensorboard import SummaryWriter  # imported on use: fit without TensorBoard needs none

            self._writers[name] = SummaryWriter(log_dir=str(self.log_dir / name))
        return self._writers[name]

    def on_train_begin(self, logs: Logs = None) -> None:
        train = self._writer("train")
        if self.write_graph and hasattr(self.model, "summary"):
            try:
                text = self.model.summary(return_string=True)
            except Exception as err:  # noqa: BLE001 - an unbuilt model has no summary yet; say so in the log
                text = f"(no summary: {err})"
            train.add_text("model_summary", f"```\n{text}\n```", 0)
        if self.sample_images is not None:
            images = self.sample_images
            if images.ndim == 3:
                images = images[..., None]
            if images.ndim != 4:
                raise ValueError(f"sample_images must be (N, H, W) or (N, H, W, C), got shape {images.shape}")
            scaled = images.astype(np.float32) / (255.0 if np.issubdtype(images.dtype, np.integer) else 1.0)
            train.add_images("sample_images", np.clip(scaled, 0.0, 1.0), 0, dataformats="NHWC")
        train.flush()

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        import time

        self._epoch_start = time.perf_counter()
        self._epoch_batches = 0

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._global_batch += 1
        self._epoch_batches += 1
        if self.update_freq == "epoch" or self._global_batch % self.update_freq:
            return
        train = self._writer("train")
        for key, value in (logs or {}).items():
            train.add_scalar(f"batch_{key}", float(value), self._global_batch)
        rate = self._learning_rate()
        if rate is not None:
            train.add_scalar("batch_learning_rate", rate, self._global_batch)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        import time

        logs = logs or {}
        train, validation = self._writer("train"), None
        for key, value in logs.items():
            if key.startswith("val_"):
                validation = validation or self._writer("validation")
                validation.add_scalar(f"epoch_{key[4:]}", float(value), epoch)
            elif key not in ("lr", "learning_rate"):
                train.add_scalar(f"epoch_{key}", float(value), epoch)
        rate = self._learning_rate()
        if rate is None and ("lr" in logs or "learning_rate" in logs):
            rate = float(logs.get("learning_rate", logs.get("lr")))
        if rate is not None:
            train.add_scalar("epoch_learning_rate", rate, epoch)
        if self.write_steps_per_second and self._epoch_start is not None and self._epoch_batches:
            train.add_scalar("epoch_steps_per_second", self._epoch_batches / (time.perf_counter() - self._epoch_start),
                             epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(train, epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs: Logs = None) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def _learning_rate(self) -> float | None:
        optimizer = getattr(self.model, "optimizer", None)
        rate = getattr(optimizer, "learning_rate", None)
        return float(rate) if isinstance(rate, (int, float)) else None

    def _write_weights(self, writer: Any, epoch: int) -> None:
        for name, tensor in self.model.named_parameters():
            values = tensor.detach().cpu().float().numpy()
            writer.add_histogram(name.replace(".", "/"), values, epoch)
            if self.write_images and values.ndim == 4:  # a torch conv weight (filters, C_in, kh, kw)
                kernels = values[:, :1]
                peak = float(np.abs(kernels).max()) or 1.0
                writer.add_images(f"{name.replace('.', '/')}/kernels", 0.5 + kernels / (2 * peak), epoch,
                                  dataformats="NCHW")
