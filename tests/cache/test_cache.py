"""convlens.cache: the one place that reads $CONVLENS_HOME, and the one file checksum; datasets and zoo use both."""
from __future__ import annotations

import hashlib

import pytest

from convlens.cache import convlens_home, file_digest
from convlens.datasets import get_file
from convlens.zoo.weights import base_paths


def test_home_is_the_argument_then_the_environment_then_dot_convlens(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "env"))
    assert convlens_home(tmp_path / "arg") == tmp_path / "arg"
    assert convlens_home() == tmp_path / "env"
    monkeypatch.setenv("CONVLENS_HOME", "")  # set but empty: as if unset
    assert convlens_home() == tmp_path / "me" / ".convlens"
    monkeypatch.delenv("CONVLENS_HOME")
    assert convlens_home() == tmp_path / "me" / ".convlens"


def test_datasets_and_zoo_bases_live_under_the_same_home(monkeypatch, tmp_path):
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    origin = tmp_path / "blob.bin"
    origin.write_bytes(b"abc")
    assert get_file("blob.bin", origin.as_uri()) == str(tmp_path / "home" / "datasets" / "blob.bin")
    weights, card = base_paths("LeNet5", "fashion_mnist")
    assert weights == tmp_path / "home" / "bases" / "lenet5" / "fashion_mnist.convlens"
    assert card.parent == weights.parent


def test_file_digest_matches_hashlib_and_rejects_other_algorithms(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(bytes(range(256)) * 5000)  # more than one read chunk
    assert file_digest(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_digest(path, "md5") == hashlib.md5(path.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match="'crc'"):
        file_digest(path, "crc")
