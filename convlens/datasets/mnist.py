"""MNIST handwritten digits, as `keras.datasets.mnist`.

Downloads the same `mnist.npz` Keras uses and checks its published SHA-256.
"""
from __future__ import annotations

import os

from convlens.datasets._download import get_file
from convlens.datasets._mnist_format import FULL_COUNTS, Arrays, load_npz, load_offline

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # from keras/datasets/mnist.py

class_names = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def load_data(path: str | os.PathLike | None = None) -> Arrays:
    """Return `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and uint8 labels (N,).

    `path` may be an offline copy: a directory with the four IDX files (.gz or not) or a Keras-style .npz. A bare
    file name that does not exist (Keras's `path="mnist.npz"`) names the cached download instead.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape, y_test.shape  # doctest: +SKIP
        ((60000, 28, 28), (10000,))
    """
    if path is not None:
        path = os.fspath(path)
        if os.path.exists(path) or os.path.dirname(path):
            return load_offline(path)
    local = get_file(path or "mnist.npz", ORIGIN, file_hash=SHA256)
    return load_npz(local, counts=FULL_COUNTS)
