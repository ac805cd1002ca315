"""`CSVLogger`: write the epoch-end logs to a CSV file, one row per epoch, 'epoch' (0-based, as Keras) first.

Example:
    >>> logger = CSVLogger("training.log", separator=",", append=False)
    >>> # model.fit(x, y, epochs=5, callbacks=[logger])
"""
from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from typing import IO, Any

from convlens.callbacks.callback import Callback, Logs


class CSVLogger(Callback):
    """Columns are 'epoch' then the log keys in sorted order, fixed by the first epoch; a missing value is 'NA'.

    As Keras: when the first epoch has no 'val_' keys, 'val_<key>' columns are added for every key (validation may
    start later, e.g. with `validation_freq`). `append=True` adds rows to an existing file without a new header.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",", append: bool = False) -> None:
        super().__init__()
        if len(separator) != 1:
            raise ValueError(f"separator must be a single character; got {separator!r}.")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys: list[str] | None = None
        self._file: IO[str] | None = None
        self._writer: csv.DictWriter | None = None
        self._write_header = True

    chief_only = True

    def state_dict(self) -> dict[str, Any]:
        """A resumed run appends to the file under the same columns."""
        return {"keys": self.keys} if self.keys is not None else {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """A resumed run: keep the rows written before the interruption and add to them."""
        self.keys = state.get("keys")
        self._resumed = True

    def on_train_begin(self, logs: Logs = None) -> None:
        self.keys = None
        self._writer = None
        self._resumed = False
        self._file = None  # opened at the first epoch end, when it is known whether the run resumed

    def _open(self) -> None:
        append = self.append or getattr(self, "_resumed", False)
        self._write_header = True
        if append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as f:
                self._write_header = not f.readline()
        self._file = open(self.filename, "a" if append else "w", newline="", encoding="utf-8")

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if self._file is None:
            self._open()
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if not any(key.startswith("val_") for key in self.keys):
                self.keys += [f"val_{key}" for key in self.keys]
        if self._writer is None:
            self._writer = csv.DictWriter(self._file, fieldnames=["epoch", *self.keys], delimiter=self.sep,
                                          lineterminator="\n")
            if self._write_header:
                self._writer.writeheader()
        row = {"epoch": epoch, **{key: _cell(logs.get(key, "NA")) for key in self.keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs: Logs = None) -> None:
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None


def _cell(value: Any) -> Any:
    """Scalars as they are (0-dim tensors as floats); sequences as "[a, b]" as Keras writes them."""
    if isinstance(value, str):
        return value
    if getattr(value, "ndim", None) == 0:
        return float(value)
    if isinstance(value, Iterable):
        return f"[{', '.join(map(str, value))}]"
    return value
