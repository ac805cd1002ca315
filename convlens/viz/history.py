"""Read training history from a Keras `History`, a dict of lists, or a `history.csv` from CSVLogger."""
from __future__ import annotations

import csv
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HistoryLike = Any  # a History (with `.history`), a mapping of lists, or a path to a CSVLogger file


def read_history(source: HistoryLike) -> dict[str, list[float]]:
    """Return the per-epoch logs as `{key: [value per epoch]}` (the CSV's `epoch` column is dropped).

    Example:
        >>> read_history({"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})["val_loss"]
        [1.0, 0.7]
    """
    if isinstance(source, (str, os.PathLike)):
        return _read_csv(Path(source))
    logs = getattr(source, "history", source)
    if not isinstance(logs, Mapping):
        raise ValueError(
            f"history must be a History object, a dict of lists or a history.csv path, got {type(source).__name__}"
        )
    out = {str(k): [float(v) for v in values] for k, values in logs.items()}
    lengths = {len(v) for v in out.values()}
    if len(lengths) > 1:
        raise ValueError(f"every history key needs one value per epoch, got lengths {sorted(lengths)}")
    return out


def _read_csv(path: Path) -> dict[str, list[float]]:
    if not path.is_file():
        raise ValueError(f"history file {str(path)!r} does not exist")
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        raise ValueError(f"history file {str(path)!r} has no epochs")
    keys = [k for k in rows[0] if k != "epoch"]
    return {k: [_to_float(row[k]) for row in rows] for k in keys}


def _to_float(text: str | None) -> float:
    # CSVLogger writes 'NA' (Keras's habit; older files: an empty cell) when a key was missing that epoch, e.g. no
    # validation: keep the column aligned with NaN.
    if text is None or text.strip() in ("", "NA", "NaN", "nan"):
        return math.nan
    return float(text)


def best_epoch(values: Sequence[float], monitor: str) -> int | None:
    """0-based epoch with the best `values` (lowest for losses, highest otherwise); None when all are NaN.

    Example:
        >>> best_epoch([0.9, 0.5, 0.7], "val_loss"), best_epoch([0.4, 0.8, 0.6], "val_accuracy")
        (1, 1)
    """
    finite = [(v, i) for i, v in enumerate(values) if not math.isnan(v)]
    if not finite:
        return None
    pick = min if "loss" in monitor or "error" in monitor else max
    return pick(finite, key=lambda pair: pair[0])[1]


def accuracy_key(keys: Sequence[str]) -> str | None:
    """The accuracy metric's name among `keys` ('accuracy' in Keras 2.3+, 'acc' before), or None."""
    for name in ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy"):
        if name in keys:
            return name
    return None
