"""Helpers shared by the train / evaluate / predict sub-commands: datasets, models, argument checks, run folders."""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import io
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from convlens.zoo import create_model, list_models
from convlens.saving.files import atomic_write_bytes

ARRAY_DATASETS = ("mnist_sample", "mnist", "fashion_mnist", "kmnist", "cifar10", "cifar100")
MODEL_FILE = "model.convlens"
DATASET_FILE = "dataset.json"


def load_arrays(name: str) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], list[str]]:
    """A Keras dataset by name, images channels-last uint8 ``(N, H, W, C)``, labels ``(N,)``, class names."""
    if name not in ARRAY_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; expected one of {', '.join(ARRAY_DATASETS)} or a folder of "
                         f"class sub-folders")
    module = importlib.import_module(f"convlens.datasets.{name}")
    (x_train, y_train), (x_test, y_test) = module.load_data()
    if x_train.ndim == 3:
        x_train, x_test = x_train[..., None], x_test[..., None]
    names = [str(c) for c in getattr(module, "class_names", range(int(y_train.max()) + 1))]
    return (x_train, y_train.reshape(-1)), (x_test, y_test.reshape(-1)), names


def model_names() -> str:
    """The registered model names, comma-separated (for help texts and errors)."""
    return ", ".join(list_models())


def build_model(spec: str, input_shape: tuple, num_classes: int):
    """A registered model name, or a Python file defining ``build_model(input_shape, num_classes)`` or ``model``."""
    path = Path(spec)
    if path.suffix == ".py":
        if not path.is_file():
            raise ValueError(f"model file {spec!r} does not exist")
        module_spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)  # the user's own model definition
        if hasattr(module, "build_model"):
            return module.build_model(input_shape, num_classes)
        if hasattr(module, "model"):
            return module.model
        raise ValueError(f"{spec} must define build_model(input_shape, num_classes) or a variable `model`")
    return create_model(spec, input_shape=input_shape, classes=num_classes)


def scale(x: np.ndarray) -> np.ndarray:
    """uint8 pixels → float32 in [0, 1], as the notes do (``x / 255.0``)."""
    return x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)


def positive_int(text: str) -> int:
    """argparse type: an int ≥ 1 (``--epochs 0``, ``--top -1`` are refused in one line)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {value}")
    return value


def fraction(text: str) -> float:
    """argparse type: a float in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {text!r}") from None
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1), got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {value}")
    return value


def add_common_arguments(parser: Any) -> None:
    parser.add_argument("--batch-size", type=positive_int, default=128, help="samples per step")


def run_folder_of(spec: str | os.PathLike) -> Path | None:
    """The run folder ``spec`` names (a run folder, or the model file inside one), else None."""
    path = Path(spec)
    if path.is_dir():
        return path
    if path.name == MODEL_FILE and (path.parent / DATASET_FILE).is_file():
        return path.parent
    return None


def model_path(spec: str) -> Path:
    """A run folder or a model file → the model file (``FileNotFoundError`` naming what is missing)."""
    path = Path(spec)
    model = path / MODEL_FILE if path.is_dir() else path
    if not model.is_file():
        where = f"run folder {str(path)!r} has no {MODEL_FILE}" if path.is_dir() else f"{str(path)!r} does not exist"
        raise FileNotFoundError(f"{where}; expected a run folder written by `convlens train` or a saved model file")
    return model


def read_dataset_record(spec: str | os.PathLike) -> dict | None:
    """The ``dataset.json`` of the run folder ``spec`` names (what the model was trained on), or None."""
    folder = run_folder_of(spec)
    if folder is None or not (folder / DATASET_FILE).is_file():
        return None
    try:
        record = json.loads((folder / DATASET_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"cannot read {folder / DATASET_FILE}: {err}") from None
    if not isinstance(record, dict) or "dataset" not in record:
        raise ValueError(f"{folder / DATASET_FILE} does not describe a dataset (no 'dataset' key)")
    return record


def output_folder(spec: str) -> Path:
    """``--out``: a folder to create or reuse; a path that is a file is refused before any work is done."""
    path = Path(spec)
    for part in (path, *path.parents):
        if part.exists() and not part.is_dir():
            raise ValueError(f"--out {spec!r}: {str(part)!r} is a file; expected a folder for the run")
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as JSON, atomically (ASCII-escaped, so any class name survives)."""
    atomic_write_bytes(path, (json.dumps(value, indent=2) + "\n").encode("ascii"))


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically; characters that cannot be encoded (stray surrogates) become '?'."""
    atomic_write_bytes(path, text.encode("utf-8", errors="replace"))


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` into a buffer, then an atomic write."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


def display_name(name: str) -> str:
    """A folder name as text: bytes that are not UTF-8 (``os.listdir`` surrogates) become U+FFFD.

    Example:
        >>> display_name("caf\\udce9")
        'caf�'
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
