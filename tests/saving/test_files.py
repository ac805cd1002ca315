"""Atomic writes: killed saves leave no temp files behind for long, and saved files follow the umask."""
import os
import subprocess
import sys

from convlens.saving import files
from convlens.saving.files import atomic_write_bytes, remove_stale_temp_files

_KILLED_SAVE = """
import importlib.util, os, signal, sys
spec = importlib.util.spec_from_file_location("files", sys.argv[2])  # files.py alone: no torch import
files = importlib.util.module_from_spec(spec); spec.loader.exec_module(files)
def die(fd):
    os.kill(os.getpid(), signal.SIGKILL)  # killed after the data is written, before the rename
files.os.fsync = die
files.atomic_write_bytes(sys.argv[1], b"x" * 100_000)
"""


def test_temp_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "model.convlens"
    for _ in range(2):  # the second killed save already removes the first one's temp file
        proc = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(target), files.__file__])
        assert proc.returncode == -9
    legacy = tmp_path / ".model.convlens.k3j_x9q2.tmp"  # a mkstemp name left by older versions
    legacy.write_bytes(b"old")
    other = tmp_path / ".other.convlens.k3j_x9q2.tmp"  # another target's temp file is not ours to delete
    other.write_bytes(b"keep")
    assert len(list(tmp_path.glob(".model.convlens.*.tmp"))) == 2
    atomic_write_bytes(target, b"good")
    assert target.read_bytes() == b"good"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.convlens.k3j_x9q2.tmp", "model.convlens"]


def test_temp_file_of_a_live_writer_is_kept(tmp_path):
    live = tmp_path / f".m.bin.{os.getppid()}-abc123.tmp"
    live.write_bytes(b"in progress")
    assert remove_stale_temp_files(tmp_path / "m.bin") == []
    assert live.exists()


def test_saved_file_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "a.bin", b"1")
        os.umask(0o002)
        atomic_write_bytes(tmp_path / "b.bin", b"1")
    finally:
        os.umask(old)
    assert (tmp_path / "a.bin").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "b.bin").stat().st_mode & 0o777 == 0o664
