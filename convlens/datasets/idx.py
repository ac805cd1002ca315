"""Reader for the IDX format of MNIST-family files (plain or gzip-compressed).

Layout: two zero bytes, a dtype code, the number of dimensions, one big-endian uint32 per dimension, then the
values in C order, big-endian.
"""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        raw = handle.read()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise ValueError(f"IDX file {path} is not a valid gzip stream ({err}); the file is corrupt or truncated.") \
            from err


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """Decode IDX bytes into a native-endian array; `name` is only used in error messages.

    Example:
        >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])).tolist()
        [7, 9]
    """
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"IDX file {name} does not start with the IDX magic number (two zero bytes, dtype code, "
                         f"ndim); got {data[:4]!r}.")
    code, ndim = data[2], data[3]
    if code not in _DTYPES:
        raise ValueError(f"IDX file {name} has unknown dtype code 0x{code:02X}; expected one of "
                         f"{[hex(c) for c in _DTYPES]}.")
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise ValueError(f"IDX file {name} has a truncated header ({len(data)} bytes for ndim={ndim}).")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = np.dtype(_DTYPES[code])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual = len(data) - header
    if actual != expected:
        problem = "truncated" if actual < expected else "has trailing bytes"
        raise ValueError(f"IDX file {name} is {problem}: shape {shape} needs {expected} data bytes, found {actual}.")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (`.gz` or not, detected from its content) into a NumPy array.

    Example:
        >>> images = read_idx("train-images-idx3-ubyte.gz")  # doctest: +SKIP
        >>> images.shape, images.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    path = os.fspath(path)
    return parse_idx(_read_bytes(path), name=path)
