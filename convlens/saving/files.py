"""Atomic file writes: a temporary file in the same folder, then ``os.replace``.

The temporary file is named ``.<target>.<pid>-<random>.tmp`` and created with mode 0666 minus the umask, so the
saved file has the same permissions as any other file the user writes. A save that was killed leaves its temporary
file behind; the next save of the same target deletes those whose writing process is gone.

Example:
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.bin")
    >>> atomic_write_bytes(path, b"hi"); open(path, "rb").read()
    b'hi'
"""
from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from convlens.cache import process_alive


def _temp_pattern(name: str) -> re.Pattern:
    # ``.<name>.<pid>-<hex>.tmp`` (this module), or ``.<name>.<8 chars>.tmp`` (tempfile.mkstemp, older convlens).
    return re.compile(re.escape(f".{name}.") + r"(?:(?P<pid>\d+)-[0-9a-f]+|[A-Za-z0-9_]{8})\.tmp")


def remove_stale_temp_files(path: str | Path) -> list[Path]:
    """Delete temporary files that killed saves of ``path`` left behind; return them.

    A temporary file whose writer is still running (another process saving the same file) is kept.

    Example:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp()); (folder / ".m.bin.abcd1234.tmp").write_bytes(b"x")
        1
        >>> [p.name for p in remove_stale_temp_files(folder / "m.bin")]
        ['.m.bin.abcd1234.tmp']
    """
    path = Path(path)
    pattern, removed = _temp_pattern(path.name), []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        if match["pid"] is not None and process_alive(int(match["pid"])):
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except FileNotFoundError:
            pass  # another save cleaned it first
    return removed


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {str(path)!r}: it is a folder; expected a file path.")
    remove_stale_temp_files(path)
    tmp = path.parent / f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
