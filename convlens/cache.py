"""Where convlens keeps what it downloads or trains (``$CONVLENS_HOME``), and the checksum that proves a cached
file is the one expected. Standard library only, so every package may use it.

Example:
    >>> str(convlens_home("/tmp/x"))
    '/tmp/x'
    >>> len(file_digest(__file__))
    64
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CHUNK = 1 << 20


def convlens_home(home: str | os.PathLike | None = None) -> Path:
    """``home`` if given, else ``$CONVLENS_HOME`` (when set and not empty), else ``~/.convlens``.

    Datasets are cached under ``<home>/datasets``, trained bases under ``<home>/bases``.
    """
    if home is not None:
        return Path(home)
    return Path(os.environ.get("CONVLENS_HOME") or Path(os.path.expanduser("~")) / ".convlens")


def file_digest(path: str | os.PathLike, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in chunks (``algorithm`` is ``'sha256'`` or ``'md5'``)."""
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"hash_algorithm={algorithm!r} is not supported; expected 'sha256' or 'md5'.")
    # md5 only checks integrity against the published checksums; it is not used for security.
    digest = hashlib.sha256() if algorithm == "sha256" else hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs: a file named after a live writer is that writer's, not a leftover.

    Example:
        >>> process_alive(os.getpid())
        True
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2 ** 31  # another user's live process (or a nonsense pid: not alive)
    return True

