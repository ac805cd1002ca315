"""Keras-style `get_file`: download once into a cache directory, verify a checksum, reuse afterwards."""
from __future__ import annotations

import http.client
import os
import tempfile
import urllib.request

from convlens.cache import convlens_home, file_digest

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


def _fetch(origin: str, directory: str, fname: str) -> str:
    """Stream `origin` into a new temp file in `directory` (same file system as the target) and return its path."""
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(fname) + ".", suffix=".part", dir=directory)
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
    if os.path.exists(target):
        if file_hash is None or file_digest(target, algorithm) == file_hash.lower():
            return target
        print(f"Cached {target} does not match its {algorithm} checksum; downloading it again.")
    print(f"Downloading data from {origin}")
    try:
        tmp = _fetch(origin, os.path.dirname(target), fname)
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
    os.chmod(tmp, 0o644)  # mkstemp made it private (0600); a cached dataset is readable like any downloaded file
    os.replace(tmp, target)  # only a verified, complete file ever appears under its final name
    return target
