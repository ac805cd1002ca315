"""`get_file` leftovers (issue 23): the `.part` files of a killed download are removed by the next call (a running
download's is kept), and the cached file gets the umask's mode, as saved models do — not mkstemp's 0600 or a fixed
0644."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from convlens.datasets import get_file
from convlens.datasets import _download

_KILLED_DOWNLOAD = """
import importlib.util, os, signal, sys
spec = importlib.util.spec_from_file_location("_download", sys.argv[2])  # the module alone: no torch import
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
path, fd = module.open_part(sys.argv[1])
os.write(fd, b"half a download")
os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def origin(tmp_path):
    source = tmp_path / "server" / "blob.bin"
    source.parent.mkdir()
    source.write_bytes(os.urandom(3000))
    return source


def test_part_files_of_a_killed_download_are_removed_by_the_next_call(origin, tmp_path, digest):
    target = tmp_path / "cache" / "datasets" / "blob.bin"
    target.parent.mkdir(parents=True)
    for _ in range(2):
        killed = subprocess.run([sys.executable, "-c", _KILLED_DOWNLOAD, str(target), _download.__file__])
        assert killed.returncode == -9
    legacy = target.parent / "blob.bin.k3j_x9q2.part"  # a tempfile.mkstemp name of older convlens
    legacy.write_bytes(b"old")
    live = target.parent / f"blob.bin.{os.getppid()}-0abc.part"  # a download still running in another process
    live.write_bytes(b"running")
    other = target.parent / "other.bin.k3j_x9q2.part"  # another file's part is not this call's to delete
    other.write_bytes(b"keep")
    assert len(list(target.parent.glob("blob.bin.*.part"))) == 4
    path = get_file("blob.bin", origin.as_uri(), file_hash=digest(origin), cache_dir=tmp_path / "cache")
    assert open(path, "rb").read() == origin.read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == sorted(["blob.bin", live.name, other.name])


def test_a_cached_copy_also_cleans_the_leftovers(origin, tmp_path):
    path = get_file("blob.bin", origin.as_uri(), cache_dir=tmp_path)
    leftover = tmp_path / "datasets" / "blob.bin.999999999-ff.part"
    leftover.write_bytes(b"x")
    assert get_file("blob.bin", origin.as_uri(), cache_dir=tmp_path) == path
    assert not leftover.exists()


@pytest.mark.parametrize("umask, mode", [(0o027, 0o640), (0o002, 0o664), (0o077, 0o600)])
def test_the_cached_file_follows_the_umask(origin, tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        path = get_file("blob.bin", origin.as_uri(), cache_dir=tmp_path)
        written = tmp_path / "written.bin"
        _download.write_file(written, b"data")
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == mode
    assert os.stat(written).st_mode & 0o777 == mode


def test_a_failed_download_leaves_no_part_file(tmp_path):
    with pytest.raises(_download.DownloadError):
        get_file("gone.bin", (tmp_path / "gone.bin").as_uri(), cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache" / "datasets").iterdir()) == []
