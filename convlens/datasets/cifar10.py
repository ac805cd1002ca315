"""CIFAR-10 small colour images (10 classes), as `keras.datasets.cifar10`."""
from __future__ import annotations

import os

import numpy as np

from convlens.datasets._cifar_format import parse_batch, read_members, to_keras
from convlens.datasets._download import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
# SHA-256 as listed in keras/datasets/cifar10.py; the CIFAR page publishes md5 c58f30108f718f92721af3b95e74349a.
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]

class_names = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def load_data(path: str | os.PathLike | None = None) -> tuple[tuple[np.ndarray, np.ndarray],
                                                               tuple[np.ndarray, np.ndarray]]:
    """Return `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 32, 32, 3), uint8 labels (N, 1).

    `path` may be an offline copy: `cifar-10-python.tar.gz` or the extracted `cifar-10-batches-py` directory.
    Batches are unpickled with an allow-list, so a tampered file cannot run code.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_train.shape  # doctest: +SKIP
        ((50000, 32, 32, 3), (50000, 1))
    """
    source = path if path is not None else get_file("cifar-10-python.tar.gz", ORIGIN, file_hash=SHA256)
    raw = read_members(source, FOLDER, TRAIN_BATCHES + ["test_batch"])
    train = [parse_batch(raw[name], f"{source}:{name}", "labels", 10) for name in TRAIN_BATCHES]
    x_test, y_test = parse_batch(raw["test_batch"], f"{source}:test_batch", "labels", 10)
    return to_keras(*zip(*train)), to_keras([x_test], [y_test])
