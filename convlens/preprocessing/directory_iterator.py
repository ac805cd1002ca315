"""Keras's ``DirectoryIterator`` (``ImageDataGenerator.flow_from_directory``) over a folder of class folders.

Attributes as in Keras: ``class_indices``, ``classes``, ``filenames``, ``filepaths``, ``samples`` (``nb_samples``),
``num_classes``, ``image_shape``; plus ``errors``, the ``(file, reason)`` pairs that were skipped.

Example:
    >>> import os, tempfile
    >>> from PIL import Image
    >>> from convlens.preprocessing.image_data_generator import ImageDataGenerator
    >>> root = tempfile.mkdtemp()
    >>> for cls in ("cats", "dogs"):
    ...     os.makedirs(os.path.join(root, cls))
    ...     for i in range(3): Image.new("RGB", (10, 10)).save(os.path.join(root, cls, f"{i}.jpg"))
    >>> it = ImageDataGenerator(rescale=1 / 255).flow_from_directory(root, target_size=(8, 8), batch_size=4,
    ...                                                             class_mode="binary")
    Found 6 images belonging to 2 classes.
    >>> it.class_indices, it.samples, len(it), it[0][0].shape
    ({'cats': 0, 'dogs': 1}, 6, 2, (4, 8, 8, 3))
"""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from convlens.data.image_folder import FLOW_FORMATS, scan_image_folder
from convlens.preprocessing.file_iterator import FileImageIterator
from convlens.preprocessing.iterator import BatchAugmenter

CLASS_MODES = ("categorical", "binary", "sparse", "input", None)


def keras_subset(labels: np.ndarray, validation_split: float, subset: str | None) -> np.ndarray:
    """Keras's per-class split of a sorted folder: the first ``int(split * n_class)`` files of each class are
    the validation subset, the rest training. Returns the kept positions."""
    if subset is None:
        return np.arange(len(labels))
    if subset not in ("training", "validation"):
        raise ValueError(f"subset={subset!r} is invalid; expected 'training' or 'validation'.")
    keep = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        cut = int(validation_split * len(members))
        keep.append(members[:cut] if subset == "validation" else members[cut:])
    return np.sort(np.concatenate(keep))


class DirectoryIterator(FileImageIterator):
    """Batches of ``(x, y)`` from ``directory/<class>/**/<image>`` with Keras's ``class_mode`` labels."""

    def __init__(self, directory: str, image_data_generator: BatchAugmenter,
                 target_size: tuple[int, int] = (256, 256), color_mode: str = "rgb",
                 classes: list[str] | None = None, class_mode: str | None = "categorical", batch_size: int = 32,
                 shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                 subset: str | None = None, interpolation: str = "nearest", keep_aspect_ratio: bool = False,
                 dtype: str = "float32", workers: int | None = None, prefetch: int = 2,
                 max_pixels: int | None = None, verbose: bool = True) -> None:
        if class_mode not in CLASS_MODES:
            raise ValueError(f"Invalid class_mode: {class_mode!r}; expected one of {CLASS_MODES}.")
        folder = scan_image_folder(directory, FLOW_FORMATS, classes, follow_links, workers=workers,
                                   max_pixels=max_pixels)
        if class_mode == "binary" and len(folder.class_names) != 2:
            raise ValueError(f"class_mode='binary' needs exactly 2 class folders; found "
                             f"{len(folder.class_names)}: {folder.class_names}.")
        keep = keras_subset(folder.labels, image_data_generator.validation_split, subset)
        self.directory = folder.directory
        self.class_mode = class_mode
        self.class_indices = folder.class_indices
        self.num_classes = len(folder.class_names)
        self.classes = folder.labels[keep].astype(np.int32)
        self.filenames = [folder.filenames[i] for i in keep]
        self.samples = len(keep)
        self.image_data_generator = image_data_generator
        self.dtype = dtype
        if verbose:
            print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        super().__init__([folder.filepaths[i] for i in keep], self.classes, batch_size=batch_size,
                         shuffle=shuffle, seed=seed, target_size=target_size, color_mode=color_mode,
                         interpolation=interpolation, crop_to_aspect_ratio=keep_aspect_ratio,
                         transform=image_data_generator.transform_batch, encode_labels=self._encode_labels,
                         workers=workers, prefetch=prefetch, max_pixels=max_pixels)
        self.errors = list(folder.errors)

    @property
    def nb_samples(self) -> int:
        """Keras 1's name of ``samples``."""
        return self.samples

    @property
    def labels(self) -> np.ndarray:
        """Keras alias of ``classes``."""
        return self.classes

    def _encode_labels(self, labels: np.ndarray) -> np.ndarray | None:
        if self.class_mode in ("binary", "sparse"):
            return labels.astype(np.float32)
        if self.class_mode == "categorical":
            return np.eye(self.num_classes, dtype=np.float32)[labels]
        return None

    def _get_batch(self, index_array: np.ndarray, batch_index: int, generator: torch.Generator) -> Any:
        batch = super()._get_batch(index_array, batch_index, generator)
        if self.class_mode == "input":
            return batch, batch.copy()
        return batch
