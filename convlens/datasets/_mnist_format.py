"""Shared loading for the 28x28 MNIST-family datasets: four IDX files or one Keras-style .npz."""
from __future__ import annotations

import math
import os
import zipfile
import zlib

import numpy as np

from convlens.datasets._download import get_file
from convlens.datasets.idx import read_idx

Split = tuple[np.ndarray, np.ndarray]
Arrays = tuple[Split, Split]

#: Keras key -> IDX file stem, as the original distributions name them.
IDX_STEMS = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
FULL_COUNTS = (60000, 10000)
# The most samples an MNIST-style IDX file may hold (EMNIST's largest split has 697,932): anything announcing more
# is refused from its header, and a gzip file is never decompressed past this size.
MAX_SAMPLES = 1_000_000
MAX_BYTES = {"x": MAX_SAMPLES * 28 * 28, "y": MAX_SAMPLES}


def _idx_candidates(directory: str, stem: str) -> list[str]:
    dotted = stem.replace("-idx", ".idx")  # some unpackers write train-images.idx3-ubyte
    return [os.path.join(directory, name) for name in (stem + ".gz", stem, dotted + ".gz", dotted)]


def find_idx_files(directory: str | os.PathLike) -> dict[str, str] | None:
    """Map each Keras key to its IDX file in `directory` (.gz preferred), or None if any is missing."""
    found = {}
    for key, stem in IDX_STEMS.items():
        hits = [p for p in _idx_candidates(os.fspath(directory), stem) if os.path.isfile(p)]
        if not hits:
            return None
        found[key] = hits[0]
    return found


def check_arrays(arrays: dict[str, np.ndarray], source: str, counts: tuple[int, int] | None = None,
                 num_classes: int = 10) -> Arrays:
    """Validate shapes/dtypes/label range of MNIST-style arrays and return them as Keras's nested tuple."""
    for split, n_expected in zip(("train", "test"), counts or (None, None)):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28):
            raise ValueError(f"{source}: x_{split} has shape {x.shape}; expected (N, 28, 28).")
        if y.ndim != 1 or len(y) != len(x):
            raise ValueError(f"{source}: y_{split} has shape {y.shape}; expected ({len(x)},) to match x_{split}.")
        if n_expected is not None and len(x) != n_expected:
            raise ValueError(f"{source}: {split} split has {len(x)} samples; expected {n_expected}.")
        if x.dtype != np.uint8:
            raise ValueError(f"{source}: x_{split} has dtype {x.dtype}; expected uint8 pixels.")
        if not np.issubdtype(y.dtype, np.integer) or (y.size and (y.min() < 0 or y.max() >= num_classes)):
            raise ValueError(f"{source}: y_{split} must hold integer labels in [0, {num_classes}); "
                             f"got dtype {y.dtype}" + (f", range [{y.min()}, {y.max()}]." if y.size else "."))
        arrays[f"y_{split}"] = y.astype(np.uint8)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_idx_files(paths: dict[str, str], counts: tuple[int, int] | None = None) -> Arrays:
    """Read the four IDX files named in `paths` (Keras key -> file) and validate them."""
    arrays = {key: read_idx(path, max_bytes=MAX_BYTES[key[0]]) for key, path in paths.items()}
    return check_arrays(arrays, source=os.path.dirname(paths["x_train"]) or ".", counts=counts)


def npz_array(npz: np.lib.npyio.NpzFile, key: str, source: str, max_bytes: int) -> np.ndarray:
    """``npz[key]``, after checking from the member's header that it holds at most ``max_bytes`` (NumPy allocates
    the whole array before reading a compressed member, so a crafted header could ask for terabytes)."""
    try:
        with npz.zip.open(f"{key}.npy") as member:
            version = np.lib.format.read_magic(member)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(member)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > max_bytes:
            raise ValueError(f"{source}: {key!r} announces shape {shape} of {dtype} ({nbytes} bytes), more than the "
                             f"{max_bytes} bytes this dataset can hold; the file is corrupt or crafted.")
        return npz[key]
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, KeyError) as err:
        raise ValueError(f"{source} is damaged ({type(err).__name__}: {err}).") from err
    except ValueError as err:
        if str(err).startswith(source):
            raise
        raise ValueError(f"{source}: {key!r} is damaged or holds pickled objects, which are refused ({err}).") \
            from err


def load_npz(path: str | os.PathLike, counts: tuple[int, int] | None = None) -> Arrays:
    """Read a Keras-style .npz (keys x_train, y_train, x_test, y_test) without allowing pickled objects."""
    path = os.fspath(path)
    try:
        npz = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"{path} is not a readable .npz file ({err}); it may be truncated or damaged.") from err
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError(f"{path} holds a single array; expected an .npz with x_train, y_train, x_test, y_test.")
    with npz:
        missing = sorted(set(IDX_STEMS) - set(npz.files))
        if missing:
            raise ValueError(f"{path} lacks the keys {missing}; expected x_train, y_train, x_test, y_test.")
        arrays = {key: npz_array(npz, key, path, MAX_BYTES[key[0]]) for key in IDX_STEMS}
    return check_arrays(arrays, source=path, counts=counts)


def load_offline(path: str | os.PathLike) -> Arrays:
    """Load from `path=`: a directory holding the four IDX files (.gz or not), or a Keras-style .npz file."""
    path = os.fspath(path)
    if os.path.isdir(path):
        files = find_idx_files(path)
        if files is None:
            raise FileNotFoundError(f"path={path!r} is a directory without the four IDX files; expected "
                                    f"{[stem + '[.gz]' for stem in IDX_STEMS.values()]}.")
        return load_idx_files(files)
    if os.path.isfile(path):
        return load_npz(path)
    raise FileNotFoundError(f"path={path!r} does not exist; expected a directory of IDX files or an .npz file.")


def download_idx(base_url: str, hashes: dict[str, str], cache_subdir: str, hash_algorithm: str) -> Arrays:
    """Fetch the four `<stem>.gz` IDX files from `base_url` (checked against `hashes`, keyed by file name)."""
    paths = {}
    for key, stem in IDX_STEMS.items():
        fname = stem + ".gz"
        paths[key] = get_file(fname, base_url + fname, file_hash=hashes[fname], hash_algorithm=hash_algorithm,
                              cache_subdir=cache_subdir)
    return load_idx_files(paths, counts=FULL_COUNTS)
