"""Kuzushiji-MNIST (cursive Japanese hiragana), a drop-in MNIST replacement from ROIS-CODH."""
from __future__ import annotations

import os
import zipfile

import numpy as np

from convlens.datasets._mnist_format import MAX_BYTES, Arrays, check_arrays, download_idx, load_offline, npz_array

BASE_URL = "https://codh.rois.ac.jp/kmnist/dataset/kmnist/"
# MD5 of the official IDX .gz files (the checksums torchvision's KMNIST uses for the same URLs).
MD5 = {
    "train-images-idx3-ubyte.gz": "bdb82020997e1d708af4cf47b453dcf7",
    "train-labels-idx1-ubyte.gz": "e144d726b3acfaa3e44228e80efcd344",
    "t10k-images-idx3-ubyte.gz": "5c965bf0a639b31b8f53240b1b52f4d7",
    "t10k-labels-idx1-ubyte.gz": "7320c461ea6c1c855c0b718fb2a4b134",
}

# The NumPy-format release: one single-array .npz per split (key arr_0), also accepted as a `path=` directory.
NPZ_FILES = {"x_train": "kmnist-train-imgs.npz", "y_train": "kmnist-train-labels.npz",
             "x_test": "kmnist-test-imgs.npz", "y_test": "kmnist-test-labels.npz"}

#: Romanised readings of the ten hiragana classes.
class_names = ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")


def _load_official_npz(directory: str) -> Arrays:
    arrays = {}
    for key, name in NPZ_FILES.items():
        source = os.path.join(directory, name)
        try:
            npz = np.load(source, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
            raise ValueError(f"{source} is not a readable .npz file ({err}); it may be truncated or damaged.") \
                from err
        with npz:
            if "arr_0" not in npz.files:
                raise ValueError(f"{source} has keys {npz.files}; expected 'arr_0'.")
            arrays[key] = npz_array(npz, "arr_0", source, MAX_BYTES[key[0]])
    return check_arrays(arrays, source=directory)


def load_data(path: str | os.PathLike | None = None) -> Arrays:
    """Return `(x_train, y_train), (x_test, y_test)`: uint8 images (N, 28, 28) and uint8 labels (N,).

    `path` may be an offline copy: a directory with the four IDX files (.gz or not) or the four official
    `kmnist-*.npz` files, or a Keras-style .npz.

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data()  # doctest: +SKIP
        >>> x_train.shape  # doctest: +SKIP
        (60000, 28, 28)
    """
    if path is not None:
        if all(os.path.isfile(os.path.join(path, name)) for name in NPZ_FILES.values()):
            return _load_official_npz(os.fspath(path))
        return load_offline(path)
    return download_idx(BASE_URL, MD5, cache_subdir=os.path.join("datasets", "kmnist"), hash_algorithm="md5")
