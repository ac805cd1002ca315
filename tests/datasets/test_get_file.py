from __future__ import annotations

import hashlib
import os

import pytest

from convlens.datasets import DownloadError, get_file


@pytest.fixture
def origin(tmp_path):
    source = tmp_path / "server" / "blob.bin"
    source.parent.mkdir()
    source.write_bytes(os.urandom(3000))
    return source


def test_downloads_into_cache_dir_from_file_url(origin, tmp_path, capsys, digest):
    path = get_file("blob.bin", origin.as_uri(), file_hash=digest(origin), cache_dir=tmp_path / "cache")
    assert path == str(tmp_path / "cache" / "datasets" / "blob.bin")
    assert open(path, "rb").read() == origin.read_bytes()
    assert origin.as_uri() in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "cache" / "datasets").iterdir()] == ["blob.bin"]  # no leftover temp file
    assert os.stat(path).st_mode & 0o777 == 0o644  # readable like any downloaded file, not mkstemp's 0600


def test_cache_dir_comes_from_env(origin, tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    path = get_file("b.bin", origin.as_uri(), cache_subdir="sub")
    assert path == str(tmp_path / "home" / "sub" / "b.bin")


def test_default_cache_is_under_dot_convlens(origin, monkeypatch, tmp_path):
    monkeypatch.delenv("CONVLENS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_file("b.bin", origin.as_uri()) == str(tmp_path / ".convlens" / "datasets" / "b.bin")


def test_cached_file_is_reused_without_network(origin, tmp_path, digest):
    first = get_file("blob.bin", origin.as_uri(), file_hash=digest(origin), cache_dir=tmp_path)
    expected = origin.read_bytes()
    origin.unlink()  # the origin is gone: a second download would fail
    again = get_file("blob.bin", origin.as_uri(), file_hash=hashlib.sha256(expected).hexdigest(), cache_dir=tmp_path)
    assert again == first and open(again, "rb").read() == expected


def test_corrupt_cached_file_is_downloaded_again(origin, tmp_path, digest):
    path = get_file("blob.bin", origin.as_uri(), cache_dir=tmp_path)
    with open(path, "wb") as handle:
        handle.write(b"garbage")
    again = get_file("blob.bin", origin.as_uri(), file_hash=digest(origin), cache_dir=tmp_path)
    assert open(again, "rb").read() == origin.read_bytes()


def test_checksum_mismatch_raises_and_deletes(origin, tmp_path):
    with pytest.raises(ValueError, match="expected 0{64}") as info:
        get_file("blob.bin", origin.as_uri(), file_hash="0" * 64, cache_dir=tmp_path)
    assert origin.as_uri() in str(info.value) and "path=" in str(info.value)
    assert not (tmp_path / "datasets" / "blob.bin").exists()
    assert list((tmp_path / "datasets").iterdir()) == []


def test_md5_checksums_work_explicitly_and_by_auto(origin, tmp_path, digest):
    checksum = digest(origin, "md5")
    for name, algorithm in (("a.bin", "md5"), ("b.bin", "auto")):
        path = get_file(name, origin.as_uri(), file_hash=checksum, hash_algorithm=algorithm, cache_dir=tmp_path)
        assert open(path, "rb").read() == origin.read_bytes()
    with pytest.raises(ValueError, match="md5"):
        get_file("c.bin", origin.as_uri(), file_hash="f" * 32, hash_algorithm="md5", cache_dir=tmp_path)


def test_unreachable_origin_names_url_and_suggests_path(tmp_path):
    url = (tmp_path / "missing.bin").as_uri()
    with pytest.raises(DownloadError) as info:
        get_file("missing.bin", url, cache_dir=tmp_path / "cache")
    assert url in str(info.value) and "path=" in str(info.value)
    assert list((tmp_path / "cache" / "datasets").iterdir()) == []  # the temp file was cleaned up


def test_bad_hash_algorithm_is_rejected(origin, tmp_path):
    with pytest.raises(ValueError, match="'sha1'"):
        get_file("x.bin", origin.as_uri(), file_hash="ab", hash_algorithm="sha1", cache_dir=tmp_path)
