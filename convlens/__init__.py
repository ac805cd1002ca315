"""convlens: Keras-style convolutional networks on PyTorch, with the arithmetic and the insides made visible.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Conv2D, MaxPooling2D, Flatten, Dense
    >>> model = Sequential([Conv2D(10, (5, 5), activation="relu", input_shape=(28, 28, 1)), MaxPooling2D((2, 2)),
    ...                     Flatten(), Dense(10, activation="softmax")])
    >>> model.count_params()
    14670
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Sub-packages and names are imported on first use, so `import convlens` stays cheap and side-effect free.
_SUBMODULES = {
    "arithmetic", "layers", "models", "training", "callbacks", "datasets", "data", "preprocessing", "explain",
    "kernels", "viz", "report", "utils", "activations", "initializers", "regularizers", "optimizers", "losses",
    "metrics", "backend", "graph", "saving", "zoo", "applications", "inspect", "export", "serve",
    "dtype_policies", "mixed_precision", "ops", "random", "config",
}
_NAMES = {"Sequential": "convlens.models", "Model": "convlens.models", "Input": "convlens.layers",
          "KerasTensor": "convlens.layers", "Layer": "convlens.layers", "Functional": "convlens.models",
          "load_model": "convlens.models", "register_serializable": "convlens.saving",
          "lr_find": "convlens.training.lr_find"}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"convlens.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name]), name)
    raise AttributeError(f"module 'convlens' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_NAMES))
