"""Fixture builders for the dataset tests: small files in the real on-disk formats, written into tmp_path."""
from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest

_IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
              np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
STEMS = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
         "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode an array in IDX: 0, 0, dtype code, ndim, big-endian dims, big-endian data."""
    big = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    header = bytes([0, 0, _IDX_CODES[big.dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + big.tobytes()


def digest(path: Path, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, Path(path).read_bytes()).hexdigest()


@pytest.fixture
def mnist_arrays() -> dict[str, np.ndarray]:
    """Random small MNIST-shaped split: 12 train / 5 test images, labels 0..9."""
    rng = np.random.default_rng(1)
    return {"x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
            "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
            "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
            "y_test": rng.integers(0, 10, 5, dtype=np.uint8)}


@pytest.fixture
def write_idx_dir(tmp_path):
    """write_idx_dir(arrays, gz=True, name='idx') -> directory holding the four IDX files."""
    def write(arrays: dict[str, np.ndarray], gz: bool = True, name: str = "idx") -> Path:
        directory = tmp_path / name
        directory.mkdir()
        for key, stem in STEMS.items():
            data = idx_bytes(arrays[key])
            if gz:
                (directory / (stem + ".gz")).write_bytes(gzip.compress(data))
            else:
                (directory / stem).write_bytes(data)
        return directory
    return write


def cifar_batch(n: int, label_key: str, rng: np.random.Generator, num_classes: int = 10,
                protocol: int = 2) -> tuple[bytes, np.ndarray, np.ndarray]:
    """A pickled CIFAR batch dict with bytes keys (as the Python 2 originals load); returns (pickle, data, labels)."""
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = rng.integers(0, num_classes, n).tolist()
    batch = {b"batch_label": b"test batch", b"data": data, label_key.encode(): labels,
             b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
    return pickle.dumps(batch, protocol=protocol), data, np.array(labels)


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, fileobj=io.BytesIO(payload))
    return path


# Helpers are handed out as fixtures (not imported), so no test module imports a module named `conftest`.
@pytest.fixture(name="idx_bytes")
def _idx_bytes():
    return idx_bytes


@pytest.fixture(name="digest")
def _digest():
    return digest


@pytest.fixture(name="cifar_batch")
def _cifar_batch():
    return cifar_batch


@pytest.fixture(name="write_tar")
def _write_tar():
    return write_tar
