"""Image-folder scanning and decoding (the one image reader), stratified splits, and on first use the torch parts:
batched tensor augmentation (:mod:`convlens.data.augment`) and the ``tf.data``-like :class:`Dataset`.

``import convlens.data`` loads no torch: the reader serves the NumPy-only packages (``explain``, ``kernels``' users)
too, so ``augment``, ``Dataset`` and ``AUTOTUNE`` are imported when first asked for.

Example:
    >>> from convlens.data import stratified_split
    >>> [len(part) for part in stratified_split([0] * 10 + [1] * 10, (0.8, 0.1, 0.1), seed=0)]
    [16, 2, 2]
"""
from __future__ import annotations

import importlib

from convlens.data.decode import BACKGROUND, ImageTooLargeError, UnreadableImageError, load_image, verify_image
from convlens.data.image_folder import DATASET_FORMATS, FLOW_FORMATS, ImageFolder, scan_image_folder
from convlens.data.prefetch import BatchPrefetcher
from convlens.data.splits import split_arrays, stratified_split

# name → the torch-using submodule that defines it, imported on first access
_TORCH_NAMES = {"augment": "augment", "Dataset": "dataset", "AUTOTUNE": "dataset"}

__all__ = [
    "AUTOTUNE", "BACKGROUND", "DATASET_FORMATS", "FLOW_FORMATS", "BatchPrefetcher", "Dataset", "ImageFolder",
    "ImageTooLargeError", "UnreadableImageError", "augment", "load_image", "scan_image_folder", "split_arrays",
    "stratified_split", "verify_image",
]


def __getattr__(name: str):
    if name not in _TORCH_NAMES:
        raise AttributeError(f"module 'convlens.data' has no attribute {name!r}")
    module = importlib.import_module(f"convlens.data.{_TORCH_NAMES[name]}")
    return module if name == "augment" else getattr(module, name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_TORCH_NAMES))
