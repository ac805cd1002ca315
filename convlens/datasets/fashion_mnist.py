"""Fashion-MNIST (Zalando article images), as `keras.datasets.fashion_mnist`.

Looks first in Debian's `dataset-fashion-mnist` directory, then downloads Keras's copies of the IDX files.
"""
from __future__ import annotations

import os

import numpy as np

from convlens.datasets._mnist_format import (FULL_COUNTS, Arrays, download_idx, find_idx_files, load_idx_files,
                                             load_offline)

BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# SHA-256 of the .gz files at BASE_URL, as listed in keras/datasets/fashion_mnist.py.
SHA256 = {
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
# Debian's package recompresses the .gz files, so their checksums differ from the official ones; files found
# here are checked on their decompressed content instead (IDX header, 60000/10000 images, 6000/1000 per class).
SYSTEM_DIRS = ("/usr/share/datasets/fashion-mnist",)

class_names = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def _load_system_copy(directory: str) -> Arrays:
    (x_train, y_train), (x_test, y_test) = load_idx_files(find_idx_files(directory), counts=FULL_COUNTS)
    for name, labels, per_class in (("train", y_train, 6000), ("test", y_test, 1000)):
        counts = np.bincount(labels, minlength=10)
        if not np.all(counts == per_class):
            raise ValueError(f"{directory}: {name} labels per class are {counts.tolist()}; Fashion-MNIST has "
                             f"exactly {per_class} of each class, so these files are not the real dataset.")
    return (x_train, y_train), (x_test, y_test)


def load_data(path: str | os.PathLike | None = None) -> Arrays:
    """Return `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and uint8 labels (N,).

    `path` may be an offline copy: a directory with the four IDX files (.gz or not) or a Keras-style .npz.

    Example:
        >>> (x_train, y_train), _ = load_data()  # doctest: +SKIP
        >>> class_names[y_train[0]]  # doctest: +SKIP
        'Ankle boot'
    """
    if path is not None:
        return load_offline(path)
    for directory in SYSTEM_DIRS:
        if find_idx_files(directory) is not None:
            return _load_system_copy(directory)
    return download_idx(BASE_URL, SHA256, cache_subdir=os.path.join("datasets", "fashion-mnist"),
                        hash_algorithm="sha256")
