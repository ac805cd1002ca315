"""Keras-style dataset loaders: `mnist`, `fashion_mnist`, `kmnist`, `mnist_sample`, `cifar10`, `cifar100`.

Each module has `load_data()` returning `(x_train, y_train), (x_test, y_test)` as uint8 NumPy arrays, downloads
into `$CONVLENS_HOME/datasets` (default `~/.convlens/datasets`) with checksum checks, and accepts `path=` for an
offline copy. Nothing here imports torch; submodules load on first access.

Example:
    >>> from convlens.datasets import mnist_sample
    >>> (x_train, y_train), (x_test, y_test) = mnist_sample.load_data()
    >>> x_train.shape, y_test.shape
    ((4000, 28, 28), (1000,))
"""
from __future__ import annotations

import importlib

from convlens.datasets._download import DownloadError, get_file

_SUBMODULES = ("mnist", "fashion_mnist", "kmnist", "mnist_sample", "cifar10", "cifar100", "idx")

__all__ = ["get_file", "DownloadError", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"convlens.datasets.{name}")
    raise AttributeError(f"module 'convlens.datasets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES))
