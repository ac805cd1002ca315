"""Keras-style `get_file`: download once into a cache directory, verify a checksum, reuse afterwards.

A download is written to `<name>.<pid>-<random>.part` next to its target and renamed into place once checked; the
part file is created with mode 0666 minus the umask, so the cached file gets the same permissions as any file the
user writes. A download that was killed leaves its part file behind; the next call for the same name deletes those
whose process is gone.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import urllib.request

from convlens.cache import convlens_home, file_digest, process_alive

_CHUNK = 1 << 20
_TIMEOUT_S = 60
_ALGORITHMS = ("sha256", "md5", "auto")


class DownloadError(OSError):
    """The origin could not be reached (offline, bad URL, HTTP error)."""


def _resolve_algorithm(file_hash: str, hash_algorithm: str) -> str:
    if hash_algorithm not in _ALGORITHMS:
        raise ValueError(f"hash_algorithm={hash_algorithm!r} is not supported; expected one of {_ALGORITHMS}.")
    if hash_algorithm == "auto":  # Keras's rule: a 32-character digest is md5, anything else sha256.
        return "md5" if len(file_hash) == 32 else "sha256"
    return hash_algorithm


def part_path(target: str | os.PathLike) -> str:
    """A fresh part-file name for `target`: `<target>.<pid>-<random>.part` (the pid lets a later call tell a
    killed download's leftover from a running one's)."""
    return f"{os.fspath(target)}.{os.getpid()}-{secrets.token_hex(6)}.part"


def remove_stale_parts(target: str | os.PathLike) -> list[str]:
    """Delete the part files (or part folders) that killed downloads of `target` left; return their paths.

    Names from older convlens (`tempfile.mkstemp`'s `<name>.<8 chars>.part`) count as stale too; a part file whose
    process is still running (another download of the same file) is kept.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp(); leftover = os.path.join(folder, "a.npz.999999999-0f.part")
        >>> open(leftover, "wb").close()
        >>> [os.path.basename(p) for p in remove_stale_parts(os.path.join(folder, "a.npz"))]
        ['a.npz.999999999-0f.part']
    """
    directory, name = os.path.split(os.fspath(target))
    pattern = re.compile(re.escape(name) + r"\.(?:(?P<pid>\d+)-[0-9a-f]+|[A-Za-z0-9_]{8})\.part")
    removed = []
    try:
        entries = list(os.scandir(directory or "."))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or (match["pid"] is not None and process_alive(int(match["pid"]))):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(entry.path)
        except FileNotFoundError:
            pass  # another call cleaned it first
    return removed


def open_part(target: str | os.PathLike) -> tuple[str, int]:
    """Create a new part file for `target` with mode 0666 minus the umask: `(path, descriptor)`."""
    path = part_path(target)
    return path, os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)


def write_file(target: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `target` through a part file and a rename (a killed write leaves no half file)."""
    remove_stale_parts(target)
    tmp, fd = open_part(target)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _fetch(origin: str, target: str) -> str:
    """Stream `origin` into a new part file next to `target` (same file system) and return its path."""
    tmp, fd = open_part(target)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin, timeout=_TIMEOUT_S) as response:
            for block in iter(lambda: response.read(_CHUNK), b""):
                out.write(block)
    except BaseException:
        os.remove(tmp)
        raise
    return tmp


def get_file(fname: str, origin: str, file_hash: str | None = None, hash_algorithm: str = "sha256",
             cache_subdir: str = "datasets", cache_dir: str | os.PathLike | None = None) -> str:
    """Download `origin` to `<cache_dir>/<cache_subdir>/<fname>` unless a good copy is cached; return its path.

    The cache root is `cache_dir`, else `$CONVLENS_HOME`, else `~/.convlens`. The download goes to a temp file in
    the same directory, checked, then renamed into place, so a half or bad file never appears under `fname`. With
    `file_hash`, a cached file that does not match is fetched again, and a download that does not match is deleted
    and raises a `ValueError`.

    Example:
        >>> from convlens.datasets import mnist
        >>> path = get_file("mnist.npz", mnist.ORIGIN, file_hash=mnist.SHA256)  # doctest: +SKIP
        >>> path  # doctest: +SKIP
        '/home/me/.convlens/datasets/mnist.npz'
    """
    if not fname:
        raise ValueError(f"fname={fname!r} must be a non-empty file name.")
    algorithm = _resolve_algorithm(file_hash, hash_algorithm) if file_hash else None
    target = os.path.join(convlens_home(cache_dir), cache_subdir, fname)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    remove_stale_parts(target)
    if os.path.exists(target):
        if file_hash is None or file_digest(target, algorithm) == file_hash.lower():
            return target
        print(f"Cached {target} does not match its {algorithm} checksum; downloading it again.")
    print(f"Downloading data from {origin}")
    try:
        tmp = _fetch(origin, target)
    except (OSError, ValueError, http.client.HTTPException) as err:  # URLError is an OSError
        reason = getattr(err, "reason", err)
        raise DownloadError(
            f"Could not download {origin} ({reason}). If this machine is offline, fetch the file elsewhere and "
            f"pass its location as load_data(path=...), or copy it to {target}.") from err
    if file_hash is not None:
        actual = file_digest(tmp, algorithm)
        if actual != file_hash.lower():
            os.remove(tmp)
            raise ValueError(
                f"The file downloaded from {origin} has {algorithm} {actual}, expected {file_hash.lower()}; the "
                f"bad copy was deleted. Retry, or pass a verified offline copy as load_data(path=...).")
    os.replace(tmp, target)  # only a verified, complete file ever appears under its final name
    return target
