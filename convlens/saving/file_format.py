"""convlens's file format: a safetensors file whose metadata holds JSON, recognised positively before anything
else is guessed.

A safetensors file starts with an 8-byte little-endian header length, then that many bytes of JSON. convlens checks
that the length fits the file, that the header is JSON whose ``__metadata__`` says ``"format": "convlens"``, and that
every tensor's offsets lie inside the file — and only then reads it. Anything else is named for what it looks like
(pickle, a Keras zip or HDF5 file) and refused: loading never unpickles.

Example:
    >>> import os, tempfile, torch
    >>> path = os.path.join(tempfile.mkdtemp(), "x.bin")
    >>> open(path, "wb").write(encode({"a": torch.zeros(2)}, {"kind": "weights"})) > 0
    True
    >>> tensors, meta = read_file(path)
    >>> meta["kind"], tensors["a"].tolist()
    ('weights', [0.0, 0.0])
"""
from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

FORMAT = "convlens"
FORMAT_VERSION = "2"  # 2: weights keyed by layer path; 1: by position (still read)
MAX_HEADER = 100 * 2 ** 20


class UnsafeFileError(ValueError):
    """A file that convlens will not load because loading it could run code (pickle) or it is not convlens's."""


def encode(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> bytes:
    metadata = {"format": FORMAT, "version": FORMAT_VERSION}
    metadata.update({k: json.dumps(v) for k, v in meta.items()})
    return st_save({k: v.detach().cpu().contiguous() for k, v in tensors.items()}, metadata=metadata)


def _convlens_header(data: bytes) -> dict[str, Any] | None:
    """The parsed header when ``data`` is a well-formed convlens safetensors file, else ``None``."""
    if len(data) < 8:
        return None
    (length,) = struct.unpack("<Q", data[:8])
    if not 2 <= length <= min(MAX_HEADER, len(data) - 8):
        return None
    try:
        header = json.loads(data[8:8 + length])
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(header, dict) or not isinstance(header.get("__metadata__"), dict) \
            or header["__metadata__"].get("format") != FORMAT:
        return None
    body = len(data) - 8 - length
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (isinstance(offsets, list) and len(offsets) == 2 and 0 <= offsets[0] <= offsets[1] <= body):
            return None
    return header


def is_convlens_file(path: str | Path) -> bool:
    """True when ``path`` is a well-formed file that convlens wrote."""
    path = Path(path)
    return path.is_file() and _convlens_header(path.read_bytes()) is not None


def _what_it_looks_like(data: bytes) -> str:
    if data[:2] == b"PK":
        return ("a zip archive (a Keras .keras file or a torch.save file); convlens never unpickles. For a Keras "
                "file build the same model in convlens and use load_weights, or save from convlens with "
                "model.save()")
    if data[:8].startswith(b"\x89HDF"):
        return ("an HDF5 file written by Keras; build the same model in convlens and move the weights with "
                "model.get_weights()/set_weights(), or save from convlens with model.save_weights()")
    if data[:1] == b"\x80":
        return "a pickle / torch.save file; convlens never unpickles (it could run code). Save with model.save()"
    return "not a convlens file"


def _metadata_value(path: Path, key: str, text: Any) -> Any:
    """One metadata entry's JSON, or a ``UnsafeFileError`` naming the file and the entry (nesting deep enough to
    exhaust Python's recursion limit included)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise UnsafeFileError(f"{path} is a damaged convlens file (its metadata {key!r} is nested too deeply)") \
            from None
    except (ValueError, TypeError) as err:
        raise UnsafeFileError(f"{path} is a damaged convlens file (its metadata {key!r} is not JSON: {err})") \
            from None


def read_file(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read a convlens file: ``(tensors, metadata)``. Pickle, HDF5 and foreign files are refused."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    data = path.read_bytes()
    header = _convlens_header(data)
    if header is None:
        raise UnsafeFileError(f"{path} is {_what_it_looks_like(data)}")
    try:
        tensors = st_load(data)
    except (SafetensorError, ValueError, TypeError) as err:
        raise UnsafeFileError(f"{path} is a damaged convlens file ({err})") from None
    meta = {k: _metadata_value(path, k, v) for k, v in header["__metadata__"].items() if k not in ("format", "version")}
    meta["_version"] = header["__metadata__"].get("version", "1")
    return tensors, meta
