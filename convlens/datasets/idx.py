"""Reader for the IDX format of MNIST-family files (plain or gzip-compressed).

Layout: two zero bytes, a dtype code, the number of dimensions, one big-endian uint32 per dimension, then the
values in C order, big-endian. The header says how many bytes follow, so a gzip file is never decompressed beyond
that size (nor beyond ``max_bytes``): a small gzip bomb cannot fill the memory.
"""
from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


DEFAULT_MAX_BYTES = 1 << 31  # 2 GiB: far above any MNIST-family file (47 MB)


def _header_size(head: bytes) -> int | None:
    """Total file size the IDX header announces (header + data), or None if the header is not IDX."""
    if len(head) < 4 or head[0] or head[1] or head[2] not in _DTYPES or len(head) < 4 + 4 * head[3]:
        return None
    shape = [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(head[3])]
    return 4 + 4 * head[3] + math.prod(shape) * np.dtype(_DTYPES[head[2]]).itemsize


def _read_bytes(path: str, max_bytes: int) -> bytes:
    with open(path, "rb") as handle:
        magic = handle.read(2)
        handle.seek(0)
        if magic != _GZIP_MAGIC:
            return handle.read(max_bytes + 1)  # more than max_bytes is refused by parse_idx's size check
        try:
            with gzip.GzipFile(fileobj=handle) as stream:
                head = stream.read(4)
                head += stream.read(4 * head[3]) if len(head) == 4 else b""
                announced = _header_size(head)
                # Read one byte past the announced size (to see trailing bytes), never past max_bytes.
                budget = min(max_bytes, announced if announced is not None else max_bytes) + 1 - len(head)
                return head + stream.read(max(budget, 0))
        except (OSError, EOFError, zlib.error) as err:
            raise ValueError(f"IDX file {path} is not a valid gzip stream ({err}); the file is corrupt or "
                             f"truncated.") from err


def parse_idx(data: bytes, name: str = "<bytes>", max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """Decode IDX bytes into a native-endian array; `name` is only used in error messages.

    A header announcing more than `max_bytes` of data is refused before anything is allocated.

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
    expected = math.prod(shape) * dtype.itemsize  # Python ints: a crafted header cannot overflow
    if expected > max_bytes:
        raise ValueError(f"IDX file {name} announces shape {shape}, {expected} data bytes, more than the "
                         f"{max_bytes} bytes such a file may hold; the header is corrupt or crafted.")
    actual = len(data) - header
    if actual != expected:
        problem = "is truncated" if actual < expected else "has trailing bytes"
        raise ValueError(f"IDX file {name} {problem}: shape {shape} needs {expected} data bytes, found "
                         f"{'at least ' if actual > expected else ''}{actual}.")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> np.ndarray:
    """Read an IDX file (`.gz` or not, detected from its content) into a NumPy array.

    At most `max_bytes` of data are read or decompressed (pass the size the dataset is known to have).

    Example:
        >>> images = read_idx("train-images-idx3-ubyte.gz")  # doctest: +SKIP
        >>> images.shape, images.dtype  # doctest: +SKIP
        ((60000, 28, 28), dtype('uint8'))
    """
    path = os.fspath(path)
    return parse_idx(_read_bytes(path, max_bytes), name=path, max_bytes=max_bytes)
