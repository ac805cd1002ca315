"""Read the pieces of a training run folder; each missing piece becomes a note instead of an error."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from convlens.viz.history import read_history

MODEL_FILE = "model.convlens"
HISTORY_FILE = "history.csv"
SUMMARY_FILE = "summary.txt"
METRICS_FILE = "metrics.json"
TEST_DATA_FILE = "test_data.npz"
CLASS_NAMES_FILE = "class_names.json"
RUN_FILE = "run.json"
DATASET_FILE = "dataset.json"  # written by `convlens train`: dataset, seed, split sizes, image size


@dataclass
class RunData:
    """Everything a report can show; any piece may be None. `notes` says why a piece is missing."""

    model: Any = None
    history: dict[str, list[float]] | None = None
    summary: str | None = None
    metrics: dict[str, float] | None = None
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    class_names: list[str] | None = None
    run_info: dict[str, Any] | None = None  # run.json: dataset, hyperparameters, seed, wall time, images/s
    model_meta: dict[str, Any] | None = None  # the model file's header: compile settings, training state
    notes: dict[str, str] = field(default_factory=dict)


def load_run(run_dir: Path, **given: Any) -> RunData:
    """Fill a RunData from `run_dir`, keeping every piece passed in `given` (model=, history=, ...) as is.

    Example:
        >>> data = load_run(Path("runs/mnist"))  # doctest: +SKIP
        >>> data.notes.get("model")  # None when model.convlens loaded  # doctest: +SKIP
    """
    unknown = set(given) - set(RunData.__dataclass_fields__) - {"notes"}
    if unknown:
        raise ValueError(f"unknown run pieces {sorted(unknown)}; expected some of {sorted(RunData.__dataclass_fields__)}")
    data = RunData(**{k: v for k, v in given.items() if v is not None})
    if data.history is not None:
        data.history = read_history(data.history)
    loaders = (
        ("history", _load_history),
        ("summary", _load_summary),
        ("metrics", _load_metrics),
        ("model", _load_model),
        ("run_info", _load_run_info),
        ("model_meta", _load_model_meta),
    )
    for name, loader in loaders:
        if getattr(data, name) is None:
            _attempt(data, name, lambda loader=loader: loader(run_dir))
    if data.x_test is None and data.y_test is None:
        _attempt(data, "test_data", lambda: _load_test_data(run_dir, data))
    if data.class_names is None:
        data.class_names = _class_names(run_dir, data)
    if data.class_names is not None:
        data.class_names = [shown_name(name) for name in data.class_names]
    if data.summary is None and data.model is not None:
        _attempt(data, "summary", lambda: model_summary_text(data.model))  # e.g. an unbuilt model raises
    return data


class _Missing(Exception):
    """A run file that is simply not there (as opposed to one that is broken)."""


def _attempt(data: RunData, name: str, load: Any) -> None:
    # A broken or missing file must not stop the rest of the report: record what went wrong and go on.
    try:
        value = load()
    except _Missing as missing:
        data.notes[name] = str(missing)
        return
    except Exception as err:  # noqa: BLE001 - shown to the reader as a note
        data.notes[name] = f"could not read it: {type(err).__name__}: {err}"
        return
    if value is not None:
        setattr(data, name, value)


def _missing(run_dir: Path, filename: str) -> _Missing:
    return _Missing(f"there is no {filename} in the run folder {run_dir.name!r}")


def _load_history(run_dir: Path) -> dict[str, list[float]]:
    path = run_dir / HISTORY_FILE
    if not path.is_file():
        raise _missing(run_dir, HISTORY_FILE)
    return read_history(path)


def _load_summary(run_dir: Path) -> str:
    path = run_dir / SUMMARY_FILE
    if not path.is_file():
        raise _missing(run_dir, SUMMARY_FILE)
    return path.read_text(encoding="utf-8")


def _load_metrics(run_dir: Path) -> dict[str, Any]:
    path = run_dir / METRICS_FILE
    if not path.is_file():
        raise _missing(run_dir, METRICS_FILE)
    raw = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{METRICS_FILE} must hold a JSON object, got {type(raw).__name__}")
    return raw


def _load_run_info(run_dir: Path) -> dict[str, Any]:
    """run.json, completed by what dataset.json says about the data (run.json wins where both say it)."""
    info: dict[str, Any] = {}
    for name in (DATASET_FILE, RUN_FILE):
        path = run_dir / name
        if path.is_file():
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError(f"{name} must hold a JSON object, got {type(raw).__name__}")
            info.update(raw)
    if not info:
        raise _missing(run_dir, RUN_FILE)
    splits = info.pop("splits", None)
    if isinstance(splits, dict):  # dataset.json's split sizes
        for split, key in (("train", "train_samples"), ("validation", "validation_samples"), ("test", "test_samples")):
            if split in splits:
                info.setdefault(key, splits[split])
    info.pop("test_files", None)  # a list of file names: not for the table
    if isinstance(info.get("dataset"), str) and "/" in info["dataset"]:
        info["dataset"] = Path(info["dataset"]).name  # a folder's name, not a local path
    return info


def _load_model_meta(run_dir: Path) -> dict[str, Any] | None:
    path = run_dir / MODEL_FILE
    if not path.exists():
        return None  # the model's own note already says so
    from convlens.saving import read_file

    _, meta = read_file(path)
    return {"compile": meta.get("compile"), "training_state": (meta.get("run") or {}).get("training_state")}


def _load_model(run_dir: Path) -> Any:
    path = run_dir / MODEL_FILE
    if not path.exists():
        raise _missing(run_dir, MODEL_FILE)
    from convlens.models import load_model  # imported here: a report without a model needs no torch model code

    return load_model(path, compile=False)  # the report only runs inference; no optimizer needed


def _load_test_data(run_dir: Path, data: RunData) -> None:
    path = run_dir / TEST_DATA_FILE
    if not path.is_file():
        raise _missing(run_dir, TEST_DATA_FILE)
    with np.load(path, allow_pickle=False) as npz:
        if "x_test" not in npz or "y_test" not in npz:
            raise ValueError(f"{TEST_DATA_FILE} must hold arrays 'x_test' and 'y_test', it has {sorted(npz.files)}")
        data.x_test, data.y_test = npz["x_test"], npz["y_test"]
        if "class_names" in npz and data.class_names is None:
            data.class_names = [str(c) for c in npz["class_names"]]
    return None


def _class_names(run_dir: Path, data: RunData) -> list[str] | None:
    path = run_dir / CLASS_NAMES_FILE
    if path.is_file():
        try:
            return [str(c) for c in json.loads(path.read_text(encoding="utf-8"))]
        except (ValueError, TypeError) as err:
            data.notes["class_names"] = f"could not read {CLASS_NAMES_FILE}: {err}"
            return None
    indices = getattr(data.model, "class_indices", None)
    if isinstance(indices, dict) and indices:
        return [name for name, _ in sorted(indices.items(), key=lambda item: item[1])]
    return None


def shown_name(name: Any) -> str:
    """A class name as the page shows it: bytes that are not UTF-8 (a folder name from another system, which
    ``os.listdir`` hands over as surrogates) are shown escaped, so the page can be written and the figures drawn.

    Example:
        >>> shown_name("caf\\udce9")
        'caf\\\\xe9'
    """
    text = str(name)
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no undecodable byte explains: show its code point
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def model_summary_text(model: Any) -> str | None:
    """`model.summary(return_string=True)`, or the lines it prints through `print_fn`; None if it has none."""
    summary = getattr(model, "summary", None)
    if summary is None:
        return None
    try:
        text = summary(return_string=True)
    except TypeError:
        lines: list[str] = []
        text = summary(print_fn=lines.append)
        text = text if isinstance(text, str) else "\n".join(lines)
    return text if isinstance(text, str) else None
