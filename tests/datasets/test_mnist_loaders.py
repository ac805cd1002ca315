from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

from convlens.datasets import _mnist_format, fashion_mnist, kmnist, mnist

LOADERS = [mnist.load_data, fashion_mnist.load_data, kmnist.load_data]


def assert_same(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test"), (y_test, "y_test")):
        assert got.dtype == np.uint8, key
        np.testing.assert_array_equal(got, arrays[key])


@pytest.mark.parametrize("load", LOADERS)
@pytest.mark.parametrize("gz", [True, False])
def test_path_directory_of_idx_files(load, gz, mnist_arrays, write_idx_dir):
    assert_same(load(path=write_idx_dir(mnist_arrays, gz=gz)), mnist_arrays)


@pytest.mark.parametrize("load", LOADERS)
def test_path_npz_with_keras_keys(load, mnist_arrays, tmp_path):
    np.savez(tmp_path / "copy.npz", **mnist_arrays)
    assert_same(load(path=str(tmp_path / "copy.npz")), mnist_arrays)


def test_kmnist_official_npz_directory(mnist_arrays, tmp_path):
    for key, name in kmnist.NPZ_FILES.items():
        np.savez_compressed(tmp_path / name, mnist_arrays[key])  # stored under arr_0, as the release does
    assert_same(kmnist.load_data(path=tmp_path), mnist_arrays)


def test_npz_labels_of_wider_int_type_become_uint8(mnist_arrays, tmp_path):
    np.savez(tmp_path / "wide.npz", **{**mnist_arrays, "y_train": mnist_arrays["y_train"].astype(np.int64)})
    (_, y_train), _ = mnist.load_data(path=tmp_path / "wide.npz")
    assert y_train.dtype == np.uint8
    np.testing.assert_array_equal(y_train, mnist_arrays["y_train"])


def test_npz_missing_key_is_named(mnist_arrays, tmp_path):
    np.savez(tmp_path / "partial.npz", **{k: v for k, v in mnist_arrays.items() if k != "y_test"})
    with pytest.raises(ValueError, match="y_test"):
        mnist.load_data(path=tmp_path / "partial.npz")


def test_npz_with_pickled_objects_is_refused(mnist_arrays, tmp_path):
    np.savez(tmp_path / "objects.npz", **{**mnist_arrays, "x_train": np.array([{"a": 1}], dtype=object)})
    with pytest.raises(ValueError, match="objects.npz.*allow_pickle"):
        mnist.load_data(path=tmp_path / "objects.npz")


def test_not_an_npz_file(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"this is not a zip archive")
    with pytest.raises(ValueError, match="junk.npz"):
        mnist.load_data(path=tmp_path / "junk.npz")


@pytest.mark.parametrize("key, bad, message", [
    ("x_train", np.zeros((12, 32, 32), np.uint8), r"\(N, 28, 28\)"),
    ("x_test", np.zeros((5, 28, 28), np.float32), "uint8"),
    ("y_train", np.zeros(11, np.uint8), "to match x_train"),
    ("y_test", np.full(5, 10, np.uint8), r"\[0, 10\)"),
])
def test_bad_arrays_are_rejected(key, bad, message, mnist_arrays, tmp_path):
    np.savez(tmp_path / "bad.npz", **{**mnist_arrays, key: bad})
    with pytest.raises(ValueError, match=message):
        fashion_mnist.load_data(path=tmp_path / "bad.npz")


def test_directory_without_idx_files_lists_expected_names(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        kmnist.load_data(path=tmp_path)


def test_missing_path_is_reported(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        mnist.load_data(path=tmp_path / "nowhere" / "mnist.npz")


def test_corrupt_idx_in_directory_names_file(mnist_arrays, write_idx_dir):
    directory = write_idx_dir(mnist_arrays)
    bad = directory / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(gzip.compress(gzip.decompress(bad.read_bytes())[:-100]))
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        mnist.load_data(path=directory)


@pytest.fixture
def small_full_counts(monkeypatch, mnist_arrays):
    """Let the fixture's 12/5 split stand in for the real 60000/10000 in download paths."""
    counts = (len(mnist_arrays["x_train"]), len(mnist_arrays["x_test"]))
    monkeypatch.setattr(_mnist_format, "FULL_COUNTS", counts)
    monkeypatch.setattr(mnist, "FULL_COUNTS", counts)


def test_mnist_downloads_npz_and_checks_sha256(mnist_arrays, tmp_path, monkeypatch, small_full_counts, digest):
    served = tmp_path / "server" / "mnist.npz"
    served.parent.mkdir()
    np.savez(served, **mnist_arrays)
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(mnist, "ORIGIN", served.as_uri())
    monkeypatch.setattr(mnist, "SHA256", digest(served))
    assert_same(mnist.load_data(), mnist_arrays)
    assert (tmp_path / "home" / "datasets" / "mnist.npz").is_file()
    assert_same(mnist.load_data(path="mnist.npz"), mnist_arrays)  # Keras's meaning: a name inside the cache
    monkeypatch.setattr(mnist, "SHA256", "1" * 64)
    os.remove(tmp_path / "home" / "datasets" / "mnist.npz")
    with pytest.raises(ValueError, match="sha256"):
        mnist.load_data()


@pytest.mark.parametrize("module, table, algorithm", [(fashion_mnist, "SHA256", "sha256"), (kmnist, "MD5", "md5")])
def test_idx_download_path(module, table, algorithm, mnist_arrays, write_idx_dir, tmp_path, monkeypatch,
                           small_full_counts, digest):
    served = write_idx_dir(mnist_arrays, name="server")
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(module, "BASE_URL", served.as_uri() + "/")
    monkeypatch.setattr(module, table, {p.name: digest(p, algorithm) for p in served.iterdir()})
    if module is fashion_mnist:
        monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", (str(tmp_path / "no-system-copy"),))
    assert_same(module.load_data(), mnist_arrays)
    assert len(list((tmp_path / "home" / "datasets").rglob("*-ubyte.gz"))) == 4


def test_fashion_prefers_system_copy_and_checks_its_content(mnist_arrays, write_idx_dir, monkeypatch):
    directory = write_idx_dir(mnist_arrays)
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", (str(directory),))
    # a 12-image copy is not Fashion-MNIST: the content check must refuse it instead of downloading
    with pytest.raises(ValueError, match="60000"):
        fashion_mnist.load_data()


def test_fashion_system_copy_needs_balanced_classes(mnist_arrays, write_idx_dir, monkeypatch):
    monkeypatch.setattr(_mnist_format, "FULL_COUNTS", (12, 5))
    monkeypatch.setattr(fashion_mnist, "FULL_COUNTS", (12, 5))
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", (str(write_idx_dir(mnist_arrays)),))
    with pytest.raises(ValueError, match="per class"):
        fashion_mnist.load_data()


DEBIAN = fashion_mnist.SYSTEM_DIRS[0]


@pytest.mark.skipif(not os.path.isdir(DEBIAN), reason="Debian package dataset-fashion-mnist not installed")
def test_real_debian_fashion_mnist():
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == y_train.dtype == np.uint8
    assert np.bincount(y_test).tolist() == [1000] * 10
    assert 0 < x_train.mean() < 255


def test_class_names():
    assert mnist.class_names == tuple(str(d) for d in range(10))
    assert len(fashion_mnist.class_names) == len(set(fashion_mnist.class_names)) == 10
    assert fashion_mnist.class_names[9] == "Ankle boot"
    assert len(kmnist.class_names) == 10
