"""Damaged and crafted dataset files are refused with a ValueError naming the file, without large allocations."""
import gzip
import pickle
import struct
import tracemalloc
import zlib

import numpy as np
import pytest

from convlens.datasets import mnist
from convlens.datasets._cifar_format import parse_batch
from convlens.datasets._safe_pickle import safe_loads
from convlens.datasets.idx import read_idx


def _keras_npz(path, n=40):
    rng = np.random.default_rng(0)
    np.savez_compressed(path, x_train=rng.integers(0, 255, (n, 28, 28), dtype=np.uint8), y_train=np.zeros(n, "u1"),
                        x_test=np.zeros((5, 28, 28), "u1"), y_test=np.zeros(5, "u1"))
    return path


@pytest.mark.parametrize("keep", [0.5, 0.97, 100])
def test_truncated_npz_is_refused_clearly(tmp_path, keep):
    data = _keras_npz(tmp_path / "full.npz").read_bytes()
    cut = tmp_path / "mnist.npz"
    cut.write_bytes(data[:int(len(data) * keep) if keep < 1 else keep])
    with pytest.raises(ValueError, match="mnist.npz.*(truncated|damaged)"):
        mnist.load_data(path=str(cut))


def test_npz_member_announcing_terabytes_is_refused_before_allocating(tmp_path):
    path = tmp_path / "mnist.npz"
    _keras_npz(path)
    import zipfile
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 28, 28), "u1"))
    header["shape"] = (2 ** 40, 28, 28)
    crafted = tmp_path / "crafted.npz"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            if name == "x_train.npy":
                import io
                buf = io.BytesIO()
                np.lib.format.write_array_header_1_0(buf, header)
                dst.writestr(name, buf.getvalue() + b"\0" * 100)
            else:
                dst.writestr(name, src.read(name))
    with pytest.raises(ValueError, match="announces shape"):
        mnist.load_data(path=str(crafted))


def _gzip_stream(path, head, zeros):
    """A gzip file: `head`, then `zeros` zero bytes, compressed chunk by chunk (never held in memory)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as out:
        out.write(comp.compress(head))
        chunk = bytes(1 << 20)
        for _ in range(zeros >> 20):
            out.write(comp.compress(chunk))
        out.write(comp.flush())
    return path


def test_gzip_bomb_is_not_decompressed_past_the_announced_size(tmp_path):
    head = bytes([0, 0, 8, 3]) + struct.pack(">3I", 2, 28, 28) + bytes(2 * 28 * 28)
    bomb = _gzip_stream(tmp_path / "train-images-idx3-ubyte.gz", head, 300 << 20)  # 300 MB of zeros
    assert bomb.stat().st_size < 1 << 20
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="trailing bytes"):
            read_idx(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20


def test_idx_header_whose_dimensions_overflow_is_refused(tmp_path):
    for dims in ((2 ** 32 - 1,) * 3, (2 ** 16,) * 4):
        path = tmp_path / "x.idx"
        path.write_bytes(bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims))
        with pytest.raises(ValueError, match="announces shape"):
            read_idx(path)
    gz = tmp_path / "y.gz"
    gz.write_bytes(gzip.compress(bytes([0, 0, 8, 1]) + struct.pack(">I", 2 ** 32 - 1)))
    with pytest.raises(ValueError, match="announces shape"):
        read_idx(gz, max_bytes=60000)


class _HugeArray:
    def __reduce__(self):
        return np.ndarray, ((2 ** 43,), np.dtype("u1"))  # 8 TiB, asked of the allowed array constructor


class _HugeState:
    def __reduce__(self):
        cls, args, state = np.zeros(3, np.uint8).__reduce__()
        return cls, (np.ndarray, (2 ** 43,), b"b"), state


@pytest.mark.parametrize("payload", [_HugeArray(), _HugeState()])
def test_cifar_pickle_asking_for_terabytes_is_refused(payload):
    data = pickle.dumps({b"data": payload, b"labels": [0]}, protocol=2)
    with pytest.raises(ValueError, match="larger than the whole file"):
        parse_batch(data, "data_batch_1", "labels", 10)


def test_garbage_pickle_is_a_value_error():
    with pytest.raises(ValueError, match="not a readable pickle"):
        safe_loads(b"\x80\x02}q\x00(", "data_batch_1")
