"""Shared reading of the CIFAR "python version" archives: pickled batch dicts inside a tar.gz.

Batches are read straight from the archive (nothing is extracted, so member paths cannot escape a directory).
"""
from __future__ import annotations

import os
import tarfile

import numpy as np

from convlens.datasets._safe_pickle import safe_loads

Split = tuple[np.ndarray, np.ndarray]
MAX_MEMBER_BYTES = 256 << 20  # the largest official batch (CIFAR-100 train) is 158 MB


def read_members(path: str | os.PathLike, folder: str, names: list[str]) -> dict[str, bytes]:
    """Return the bytes of `folder/name` for each name, from a .tar.gz archive or an extracted directory.

    A directory may be the extracted `folder` itself or its parent.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        return {name: _read_from_dir(path, folder, name) for name in names}
    if not os.path.isfile(path):
        raise FileNotFoundError(f"path={path!r} does not exist; expected the {folder} .tar.gz archive or its "
                                f"extracted directory.")
    wanted = {f"{folder}/{name}": name for name in names}
    found = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if member.isfile() and member.name in wanted:
                    if member.size > MAX_MEMBER_BYTES:
                        raise ValueError(f"{path}: {member.name} claims {member.size} bytes; a CIFAR batch holds "
                                         f"at most {MAX_MEMBER_BYTES}, so this is not the official archive.")
                    found[wanted[member.name]] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError, EOFError) as err:
        raise ValueError(f"{path} is not a readable tar archive ({err}); the download may be corrupt.") from err
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"{path} lacks {[f'{folder}/{m}' for m in missing]}; expected the official CIFAR archive.")
    return found


def _read_from_dir(path: str, folder: str, name: str) -> bytes:
    for candidate in (os.path.join(path, name), os.path.join(path, folder, name)):
        if os.path.isfile(candidate):
            with open(candidate, "rb") as handle:
                return handle.read()
    raise FileNotFoundError(f"Directory {path} has no CIFAR batch file {name!r} (looked in it and in {folder}/).")


def parse_batch(data: bytes, source: str, label_key: str, num_classes: int) -> Split:
    """Decode one pickled batch into uint8 images (N, 32, 32, 3) and uint8 labels (N,).

    Example:
        >>> import pickle
        >>> raw = pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [3]})
        >>> [a.shape for a in parse_batch(raw, "demo", "labels", 10)]
        [(1, 32, 32, 3), (1,)]
    """
    batch = safe_loads(data, source)
    if not isinstance(batch, dict):
        raise ValueError(f"{source}: expected a pickled dict, got {type(batch).__name__}.")
    batch = {key.decode("utf-8") if isinstance(key, bytes) else key: value for key, value in batch.items()}
    if "data" not in batch or label_key not in batch:
        raise ValueError(f"{source}: batch keys are {sorted(batch)}; expected 'data' and {label_key!r}.")
    pixels, labels = batch["data"], np.asarray(batch[label_key])
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.shape[1] != 3072:
        shape = getattr(pixels, "shape", None)
        raise ValueError(f"{source}: 'data' is {type(pixels).__name__} {shape}; expected a uint8 array (N, 3072).")
    if labels.shape != (len(pixels),) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{source}: {label_key!r} has shape {labels.shape}, dtype {labels.dtype}; expected "
                         f"{len(pixels)} integer labels.")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"{source}: {label_key!r} spans [{labels.min()}, {labels.max()}]; "
                         f"expected [0, {num_classes}).")
    # Rows are stored channel-planar (1024 red, 1024 green, 1024 blue); Keras returns channels-last.
    images = pixels.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.uint8)


def to_keras(images: list[np.ndarray], labels: list[np.ndarray]) -> Split:
    """Concatenate batches; labels become a (N, 1) uint8 column as Keras returns them."""
    return np.concatenate(images), np.concatenate(labels).reshape(-1, 1)
