"""A pickle loader that refuses to call anything but NumPy array reconstruction.

Pickle files can run arbitrary code on load (a `__reduce__` returning `os.system`, say). The CIFAR batches only
hold dicts, lists, strings, ints and NumPy arrays: the first four are plain pickle opcodes, and an array needs just
the handful of callables listed here, so everything else is refused.
"""
from __future__ import annotations

import codecs
import io
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


class UnsafePickleError(pickle.UnpicklingError):
    """The pickle asked for a callable outside the NumPy-array allow-list."""


class RestrictedUnpickler(pickle.Unpickler):
    """`pickle.Unpickler` whose `find_class` only returns the NumPy-array callables in the allow-list."""

    def __init__(self, file: io.BufferedIOBase, source: str) -> None:
        super().__init__(file, encoding="bytes")  # the CIFAR files are Python 2 pickles of byte strings
        self.source = source

    def find_class(self, module: str, name: str):  # noqa: D102 - documented on the class
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
    return RestrictedUnpickler(io.BytesIO(data), source).load()
