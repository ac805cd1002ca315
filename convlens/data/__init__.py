"""Batched tensor augmentation (:mod:`convlens.data.augment`), image-folder scanning and decoding, and
stratified splits.

Example:
    >>> from convlens.data import stratified_split
    >>> [len(part) for part in stratified_split([0] * 10 + [1] * 10, (0.8, 0.1, 0.1), seed=0)]
    [16, 2, 2]
"""
from __future__ import annotations

from convlens.data import augment
from convlens.data.dataset import AUTOTUNE, Dataset
from convlens.data.decode import BACKGROUND, ImageTooLargeError, UnreadableImageError, load_image, verify_image
from convlens.data.image_folder import DATASET_FORMATS, FLOW_FORMATS, ImageFolder, scan_image_folder
from convlens.data.prefetch import BatchPrefetcher
from convlens.data.splits import split_arrays, stratified_split

__all__ = [
    "AUTOTUNE", "BACKGROUND", "DATASET_FORMATS", "FLOW_FORMATS", "BatchPrefetcher", "Dataset", "ImageFolder",
    "ImageTooLargeError", "UnreadableImageError", "augment", "load_image", "scan_image_folder", "split_arrays",
    "stratified_split", "verify_image",
]
