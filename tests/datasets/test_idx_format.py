from __future__ import annotations

import gzip

import numpy as np
import pytest

from convlens.datasets.idx import parse_idx, read_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
def test_round_trip_every_idx_dtype(dtype, idx_bytes):
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    if dtype == np.uint8:
        array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    decoded = parse_idx(idx_bytes(array))
    assert decoded.shape == (2, 3, 4)
    assert decoded.dtype == np.dtype(dtype)  # native byte order, so arithmetic behaves as usual
    np.testing.assert_array_equal(decoded, array)


def test_big_endian_values_are_decoded():
    data = bytes([0, 0, 0x0C, 1, 0, 0, 0, 1]) + (258).to_bytes(4, "big")
    assert parse_idx(data).tolist() == [258]


def test_reads_gzip_and_plain_files_by_content(tmp_path, idx_bytes):
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28), dtype=np.uint8)
    (tmp_path / "plain").write_bytes(idx_bytes(images))
    (tmp_path / "packed.idx").write_bytes(gzip.compress(idx_bytes(images)))  # no .gz suffix: sniffed
    np.testing.assert_array_equal(read_idx(tmp_path / "plain"), images)
    np.testing.assert_array_equal(read_idx(tmp_path / "packed.idx"), images)


def test_truncated_file_names_the_file(tmp_path, idx_bytes):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((4, 28, 28), np.uint8))[:-10])
    with pytest.raises(ValueError, match="truncated") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_trailing_bytes_are_reported(idx_bytes):
    with pytest.raises(ValueError, match="trailing"):
        parse_idx(idx_bytes(np.zeros(5, np.uint8)) + b"\x00")


@pytest.mark.parametrize("data, message", [
    (b"\x01\x00\x08\x01\x00\x00\x00\x01\x00", "magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "dtype code 0x07"),
    (b"\x00\x00\x08\x03\x00\x00", "truncated header"),
    (b"\x00\x00", "magic"),
])
def test_bad_headers(data, message):
    with pytest.raises(ValueError, match=message):
        parse_idx(data, name="broken.idx")


def test_corrupt_gzip_names_the_file(tmp_path, idx_bytes):
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.arange(100, dtype=np.uint8)))[:30])
    with pytest.raises(ValueError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)
