"""Helpers shared by the train / evaluate / predict sub-commands: datasets and models by name."""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np

ARRAY_DATASETS = ("mnist_sample", "mnist", "fashion_mnist", "kmnist", "cifar10", "cifar100")


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


def build_model(spec: str, input_shape: tuple, num_classes: int):
    """A registered model name, or a Python file defining ``build_model(input_shape, num_classes)`` or ``model``."""
    from convlens.zoo import create_model
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


def add_common_arguments(parser: Any) -> None:
    parser.add_argument("--batch-size", type=int, default=128, help="samples per step (default 128)")
