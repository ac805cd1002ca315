"""A pickle loader that refuses to call anything but NumPy array reconstruction.

Pickle files can run arbitrary code on load (a `__reduce__` returning `os.system`, say). The CIFAR batches only
hold dicts, lists, strings, ints and NumPy arrays: the first four are plain pickle opcodes, and an array needs just
the handful of callables listed here, so everything else is refused. An array may not be larger than the pickle
that describes it (its data has to come from the file), so a few bytes cannot ask for terabytes of memory.
"""
from __future__ import annotations

import codecs
import io
import math
import pickle

import numpy as np

# Taken from NumPy's own reduce methods, so they are found whichever module holds them in this NumPy version.
_RECONSTRUCT = np.empty(0).__reduce__()[0]
_FROMBUFFER = np.empty(0).__reduce_ex__(5)[0]

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,   # NumPy 1.x pickles (the CIFAR files)
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,  # NumPy 2.x pickles
    ("numpy.core.numeric", "_frombuffer"): _FROMBUFFER,        # protocol-5 pickles
    ("numpy._core.numeric", "_frombuffer"): _FROMBUFFER,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    # Python 3 pickles at protocol 2 spell a bytes object as _codecs.encode(text, "latin1").
    ("_codecs", "encode"): codecs.encode,
}


class UnsafePickleError(pickle.UnpicklingError, ValueError):
    """The pickle asked for a callable outside the NumPy-array allow-list."""


class RestrictedUnpickler(pickle.Unpickler):
    """`pickle.Unpickler` whose `find_class` only returns the NumPy-array callables in the allow-list."""

    def __init__(self, file: io.BufferedIOBase, source: str, max_bytes: int) -> None:
        super().__init__(file, encoding="bytes")  # the CIFAR files are Python 2 pickles of byte strings
        self.source = source
        self.max_bytes = max_bytes

    def _check_size(self, shape, dtype) -> None:
        dims = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        try:
            nbytes = math.prod(int(d) for d in dims) * np.dtype(dtype).itemsize
        except (TypeError, ValueError) as err:
            raise UnsafePickleError(f"{self.source}: an array with shape {shape!r} and dtype {dtype!r} is not "
                                    f"valid ({err}).") from None
        if min(dims, default=0) < 0 or nbytes > self.max_bytes:
            raise UnsafePickleError(f"{self.source}: an array of shape {dims} ({nbytes} bytes) is larger than the "
                                    f"whole file ({self.max_bytes} bytes), so this file is not a genuine batch file.")

    def _ndarray(self, shape, dtype=float, *args, **kwargs) -> np.ndarray:
        self._check_size(shape, dtype)
        return np.ndarray(shape, dtype, *args, **kwargs)

    def _reconstruct(self, subtype, shape, dtype) -> np.ndarray:
        self._check_size(shape, dtype if not isinstance(dtype, bytes) else "u1")
        return _RECONSTRUCT(np.ndarray, shape, dtype)  # only plain arrays: the subtype is ndarray or refused

    def find_class(self, module: str, name: str):  # noqa: D102 - documented on the class
        if (module, name) in _ALLOWED and _ALLOWED[(module, name)] is _RECONSTRUCT:
            return self._reconstruct
        if (module, name) == ("numpy", "ndarray"):
            return self._ndarray
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"Refusing to load {module}.{name} from {self.source}: a dataset pickle may only hold dicts, "
                f"lists, strings, numbers and NumPy arrays, so this file is not a genuine batch file.") from None


def safe_loads(data: bytes, source: str = "<bytes>") -> object:
    """Unpickle `data` allowing only plain containers and NumPy arrays; `source` names it in errors.

    Example:
        >>> safe_loads(pickle.dumps({"a": [1, 2]}))
        {'a': [1, 2]}
    """
    try:
        return RestrictedUnpickler(io.BytesIO(data), source, max_bytes=len(data)).load()
    except UnsafePickleError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError, RecursionError) as err:
        raise UnsafePickleError(f"{source} is not a readable pickle ({type(err).__name__}: {err}).") from None
