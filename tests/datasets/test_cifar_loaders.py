from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from convlens.datasets import cifar10, cifar100


@pytest.fixture
def cifar10_archive(tmp_path, cifar_batch, write_tar):
    rng = np.random.default_rng(0)
    members, data, labels = {}, [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        raw, d, y = cifar_batch(3, "labels", rng)
        members[f"cifar-10-batches-py/{name}"] = raw
        data.append(d)
        labels.append(y)
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps({b"label_names": [b"airplane"]})
    path = write_tar(tmp_path / "cifar-10-python.tar.gz", members)
    return path, data, labels


def planar_to_hwc(data):
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def test_cifar10_from_archive(cifar10_archive):
    path, data, labels = cifar10_archive
    (x_train, y_train), (x_test, y_test) = cifar10.load_data(path=path)
    assert x_train.shape == (15, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert y_train.shape == (15, 1) and y_test.shape == (3, 1)
    assert x_train.dtype == y_train.dtype == np.uint8
    np.testing.assert_array_equal(x_train, planar_to_hwc(np.concatenate(data[:5])))
    np.testing.assert_array_equal(y_train[:, 0], np.concatenate(labels[:5]))
    np.testing.assert_array_equal(x_test, planar_to_hwc(data[5]))


def test_channel_planes_become_last_axis(tmp_path, write_tar):
    plane = np.concatenate([np.full(1024, 10), np.full(1024, 20), np.full(1024, 30)]).astype(np.uint8)[None]
    batch = pickle.dumps({b"data": plane, b"labels": [7]})
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    path = write_tar(tmp_path / "c.tar.gz", {f"cifar-10-batches-py/{n}": batch for n in names})
    _, (x_test, y_test) = cifar10.load_data(path=path)
    assert x_test[0, 5, 9].tolist() == [10, 20, 30]  # red, green, blue at every pixel
    assert y_test.tolist() == [[7]]


def test_cifar10_from_extracted_directory(tmp_path, cifar_batch):
    rng = np.random.default_rng(3)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        (folder / name).write_bytes(cifar_batch(2, "labels", rng, protocol=4)[0])
    for path in (folder, tmp_path):  # the folder itself or its parent
        (x_train, _), (x_test, _) = cifar10.load_data(path=path)
        assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)


def test_cifar100_fine_and_coarse(tmp_path, write_tar):
    rng = np.random.default_rng(5)
    members, expected = {}, {}
    for name, n in (("train", 6), ("test", 4)):
        data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
        fine, coarse = rng.integers(0, 100, n).tolist(), rng.integers(0, 20, n).tolist()
        members[f"cifar-100-python/{name}"] = pickle.dumps(
            {b"data": data, b"fine_labels": fine, b"coarse_labels": coarse}, protocol=2)
        expected[name] = (data, fine, coarse)
    path = write_tar(tmp_path / "cifar-100-python.tar.gz", members)
    (x_train, y_fine), (x_test, y_fine_test) = cifar100.load_data(path=path)
    (_, y_coarse), _ = cifar100.load_data(label_mode="coarse", path=path)
    assert x_train.shape == (6, 32, 32, 3) and x_test.shape == (4, 32, 32, 3)
    assert y_fine.shape == (6, 1) and y_fine.dtype == np.uint8
    assert y_fine[:, 0].tolist() == expected["train"][1]
    assert y_coarse[:, 0].tolist() == expected["train"][2]
    assert y_fine_test[:, 0].tolist() == expected["test"][1]
    np.testing.assert_array_equal(x_test, planar_to_hwc(expected["test"][0]))


def test_cifar100_rejects_bad_label_mode(tmp_path):
    with pytest.raises(ValueError, match="'medium'"):
        cifar100.load_data(label_mode="medium", path=tmp_path)


def test_archive_missing_batches_is_reported(tmp_path, write_tar):
    path = write_tar(tmp_path / "partial.tar.gz", {"cifar-10-batches-py/data_batch_1": b""})
    with pytest.raises(ValueError, match="data_batch_2"):
        cifar10.load_data(path=path)


def test_corrupt_archive_is_reported(tmp_path):
    (tmp_path / "bad.tar.gz").write_bytes(b"\x1f\x8b\x08\x00 definitely not a tarball")
    with pytest.raises(ValueError, match="bad.tar.gz"):
        cifar10.load_data(path=tmp_path / "bad.tar.gz")


def test_wrong_batch_content_is_reported(tmp_path, write_tar):
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    batch = pickle.dumps({b"data": np.zeros((2, 100), np.uint8), b"labels": [0, 1]})
    path = write_tar(tmp_path / "c.tar.gz", {f"cifar-10-batches-py/{n}": batch for n in names})
    with pytest.raises(ValueError, match=r"\(N, 3072\)"):
        cifar10.load_data(path=path)


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_malicious_pickle_is_refused_without_running(tmp_path, write_tar):
    marker = tmp_path / "pwned"
    evil = pickle.dumps({b"data": _Exploit(marker), b"labels": [0]})
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    path = write_tar(tmp_path / "evil.tar.gz", {f"cifar-10-batches-py/{n}": evil for n in names})
    with pytest.raises(pickle.UnpicklingError, match="system"):
        cifar10.load_data(path=path)
    assert not marker.exists()


def test_cifar10_download_path(cifar10_archive, tmp_path, monkeypatch, digest):
    path, data, _ = cifar10_archive
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(cifar10, "ORIGIN", path.as_uri())
    monkeypatch.setattr(cifar10, "SHA256", digest(path))
    _, (x_test, _) = cifar10.load_data()
    np.testing.assert_array_equal(x_test, planar_to_hwc(data[5]))
    assert (tmp_path / "home" / "datasets" / "cifar-10-python.tar.gz").is_file()


def test_class_names():
    assert cifar10.class_names[:2] == ("airplane", "automobile") and len(cifar10.class_names) == 10
    assert len(set(cifar100.class_names)) == 100 and list(cifar100.class_names) == sorted(cifar100.class_names)
    assert len(set(cifar100.coarse_class_names)) == 20
