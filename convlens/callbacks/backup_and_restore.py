"""`BackupAndRestore`: resume an interrupted ``fit`` exactly where it stopped.

At every epoch end (or every ``save_freq`` batches) it asks the trainer to write (atomically) the weights and the
run state: optimizer and callback states, the position in the epoch, the shuffle seed and the run's RNG stream.
When ``fit`` starts and a backup exists, all of it is restored and training continues where it stood, so a run
killed at any point and started again ends with the same weights as one never interrupted (on the CPU, with
``set_random_seed``).

Example:
    >>> from convlens.callbacks import BackupAndRestore
    >>> backup = BackupAndRestore("runs/backup")
    >>> # model.fit(x, y, epochs=20, callbacks=[backup])   # kill it, run the same line again: it resumes
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from convlens.callbacks.callback import Callback, Logs


class BackupAndRestore(Callback):
    """Keras's ``BackupAndRestore(backup_dir, save_freq='epoch', delete_checkpoint=True)``.

    ``save_freq`` is ``'epoch'`` or a number of training batches: a run killed mid-epoch resumes at the batch after
    the last backup. The backup holds weights and the trainer's run state (position, seeds, RNG stream, optimizer
    and callback states); under torchrun rank 0 writes it and every rank reads it.
    """

    runs_last = True  # back up after the other callbacks have updated their state

    def __init__(self, backup_dir: str | Path, save_freq: Any = "epoch", delete_checkpoint: bool = True) -> None:
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1):
            raise ValueError(f"save_freq must be 'epoch' or a positive number of batches, got {save_freq!r}")
        if not str(backup_dir):
            raise ValueError("backup_dir must name a folder")
        self.backup_dir = Path(backup_dir)
        self.save_freq = save_freq
        self.delete_checkpoint = delete_checkpoint
        self._batches = 0

    @property
    def path(self) -> Path:
        return self.backup_dir / "backup.convlens"

    def _chief(self) -> bool:
        strategy = getattr(self.trainer, "strategy", None)
        return strategy is None or strategy.is_chief

    def _trainer(self) -> Any:
        if self.trainer is None:
            raise ValueError("BackupAndRestore needs the trainer that runs fit (model.fit sets it)")
        return self.trainer

    def on_train_begin(self, logs: Logs = None) -> None:
        self._batches = 0
        if self.path.exists():
            self._trainer().load_checkpoint(self.path)

    def _backup(self) -> None:
        if self._chief():
            self.backup_dir.mkdir(parents=True, exist_ok=True)
            self._trainer().save_checkpoint(self.path)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._backup()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._backup()

    def on_train_end(self, logs: Logs = None) -> None:
        if self.delete_checkpoint and self._chief():
            self.path.unlink(missing_ok=True)
