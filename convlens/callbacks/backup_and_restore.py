"""`BackupAndRestore`: resume an interrupted ``fit`` exactly where it stopped.

At every epoch end it writes (atomically) the weights, the optimizer state, the epoch, the shuffle seed and torch's
RNG state. When ``fit`` starts and a backup exists, all of it is restored and training continues from the next
epoch, so a run killed after epoch k and started again ends with the same weights as one never interrupted
(on the CPU, with ``set_random_seed``).

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
    """Keras's ``BackupAndRestore(backup_dir, save_freq='epoch', delete_checkpoint=True)``."""

    def __init__(self, backup_dir: str | Path, save_freq: Any = "epoch", delete_checkpoint: bool = True) -> None:
        super().__init__()
        if save_freq != "epoch":
            raise ValueError(f"save_freq must be 'epoch' (backups are taken at epoch ends), got {save_freq!r}")
        if not str(backup_dir):
            raise ValueError("backup_dir must name a folder")
        self.backup_dir = Path(backup_dir)
        self.delete_checkpoint = delete_checkpoint

    @property
    def path(self) -> Path:
        return self.backup_dir / "backup.convlens"

    def on_train_begin(self, logs: Logs = None) -> None:
        if self.path.exists():
            from convlens.saving import restore_checkpoint
            restore_checkpoint(self.model, self.path)
            self.model._resume_state = self.model.training_state

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        from convlens.saving import save_checkpoint
        save_checkpoint(self.model, self.path)

    def on_train_end(self, logs: Logs = None) -> None:
        if self.delete_checkpoint:
            self.path.unlink(missing_ok=True)
