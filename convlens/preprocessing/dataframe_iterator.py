"""Keras's ``DataFrameIterator`` (``ImageDataGenerator.flow_from_dataframe``): image files named in a table's
column, labels from another. Any pandas-like frame works (``frame[column]`` giving a sequence); pandas itself is the
optional ``dataframe`` extra and is never imported here.

Example:
    >>> import os, tempfile
    >>> from PIL import Image
    >>> from convlens.preprocessing.image_data_generator import ImageDataGenerator
    >>> root = tempfile.mkdtemp()
    >>> for i in range(4): Image.new("RGB", (10, 10)).save(os.path.join(root, f"{i}.png"))
    >>> table = {"filename": ["0.png", "1.png", "2.png", "3.png"], "class": ["cat", "dog", "cat", "dog"]}
    >>> it = ImageDataGenerator().flow_from_dataframe(table, root, target_size=(8, 8), batch_size=2, shuffle=False)
    Found 4 validated image filenames belonging to 2 classes.
    >>> it.class_indices, it[0][1].tolist()
    ({'cat': 0, 'dog': 1}, [[1.0, 0.0], [0.0, 1.0]])
"""
from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np
import torch

from convlens.data.image_folder import FLOW_FORMATS
from convlens.preprocessing.file_iterator import FileImageIterator
from convlens.preprocessing.iterator import BatchAugmenter

_SUFFIXES = tuple(f".{suffix}" for suffix in FLOW_FORMATS)
CLASS_MODES = ("categorical", "binary", "sparse", "input", "raw", None)


def _column(frame: Any, name: str) -> list:
    try:
        column = frame[name]
    except (KeyError, TypeError, IndexError):
        raise ValueError(f"flow_from_dataframe: the dataframe has no column {name!r}") from None
    return list(column.tolist() if hasattr(column, "tolist") else column)


class DataFrameIterator(FileImageIterator):
    """Batches of ``(x, y)`` (``(x, y, w)`` with ``weight_col``) from the files in ``dataframe[x_col]``."""

    def __init__(self, dataframe: Any, directory: str | None, image_data_generator: BatchAugmenter,
                 x_col: str = "filename", y_col: str | list[str] = "class", weight_col: str | None = None,
                 target_size: tuple[int, int] = (256, 256), color_mode: str = "rgb",
                 classes: list[str] | None = None, class_mode: str | None = "categorical", batch_size: int = 32,
                 shuffle: bool = True, seed: int | None = None, subset: str | None = None,
                 interpolation: str = "nearest", keep_aspect_ratio: bool = False, validate_filenames: bool = True,
                 dtype: str = "float32", workers: int | None = None, prefetch: int = 2) -> None:
        if class_mode not in CLASS_MODES:
            raise ValueError(f"Invalid class_mode: {class_mode!r}; expected one of {CLASS_MODES} "
                             f"('multi_output' is not supported by convlens)")
        if subset not in (None, "training", "validation"):
            raise ValueError(f"subset={subset!r} is invalid; expected 'training' or 'validation'.")
        names = _column(dataframe, x_col)
        paths = [os.path.join(directory, str(n)) if directory is not None else str(n) for n in names]
        labels = None if class_mode in (None, "input") else (
            np.stack([np.asarray(_column(dataframe, c)) for c in y_col], -1) if isinstance(y_col, list)
            else _column(dataframe, y_col))
        weights = None if weight_col is None else np.asarray(_column(dataframe, weight_col), dtype="float32")
        keep = list(range(len(paths)))
        if validate_filenames:
            keep = [i for i in keep if os.path.isfile(paths[i]) and paths[i].lower().endswith(_SUFFIXES)]
            if len(keep) < len(paths):
                warnings.warn(f"Found {len(paths) - len(keep)} invalid image filename(s) in x_col={x_col!r}; "
                              f"they will be ignored.", stacklevel=3)
        split = image_data_generator.validation_split
        if subset is not None:  # Keras splits the table's order: validation first, training the rest
            cut = int(split * len(keep))
            keep = keep[:cut] if subset == "validation" else keep[cut:]
        self.class_mode, self.dtype, self.image_data_generator = class_mode, dtype, image_data_generator
        self.directory, self.x_col, self.y_col = directory, x_col, y_col
        self.filenames = [str(names[i]) for i in keep]
        self.samples = len(keep)
        self._weights = None if weights is None else weights[keep]
        encoded = self._labels_of([labels[i] for i in keep] if labels is not None else None, classes)
        if class_mode in ("categorical", "binary", "sparse"):
            print(f"Found {self.samples} validated image filenames belonging to {self.num_classes} classes.")
        else:
            print(f"Found {self.samples} validated image filenames.")
        super().__init__([paths[i] for i in keep], encoded, batch_size=batch_size, shuffle=shuffle, seed=seed,
                         target_size=target_size, color_mode=color_mode, interpolation=interpolation,
                         crop_to_aspect_ratio=keep_aspect_ratio, transform=image_data_generator.transform_batch,
                         encode_labels=self._encode_labels, workers=workers, prefetch=prefetch)

    def _labels_of(self, labels: list | None, classes: list[str] | None) -> np.ndarray | None:
        """Class ids for the class modes, the values themselves for 'raw'."""
        self.class_indices: dict[str, int] = {}
        self.num_classes = 0
        if labels is None:
            return None
        if self.class_mode == "raw":
            return np.asarray(labels, dtype="float32")
        if any(isinstance(label, (list, tuple)) for label in labels):
            raise ValueError("flow_from_dataframe: multi-label rows (lists of classes) are not supported by "
                             "convlens; one class per row")
        names = sorted({str(label) for label in labels}) if classes is None else [str(c) for c in classes]
        self.class_indices = {name: index for index, name in enumerate(names)}
        self.num_classes = len(names)
        if self.class_mode == "binary" and self.num_classes != 2:
            raise ValueError(f"class_mode='binary' needs exactly 2 classes in y_col={self.y_col!r}; found "
                             f"{self.num_classes}: {names}")
        unknown = sorted({str(label) for label in labels} - set(names))
        if unknown:
            raise ValueError(f"flow_from_dataframe: labels {unknown} are not in classes={names}")
        self.classes = np.asarray([self.class_indices[str(label)] for label in labels], dtype=np.int32)
        return self.classes

    def _encode_labels(self, labels: np.ndarray) -> np.ndarray | None:
        if self.class_mode in ("binary", "sparse", "raw"):
            return labels.astype(np.float32)
        if self.class_mode == "categorical":
            return np.eye(self.num_classes, dtype=np.float32)[labels]
        return None

    def _get_batch(self, index_array: np.ndarray, batch_index: int, generator: torch.Generator) -> Any:
        batch = super()._get_batch(index_array, batch_index, generator)
        if self.class_mode == "input":
            return batch, batch.copy()
        if self._weights is not None and isinstance(batch, tuple):
            kept = [i for i in (int(j) for j in self.batch_indices(batch_index)) if i not in self._broken]
            return (*batch, self._weights[np.asarray(kept)])
        return batch


__all__ = ["DataFrameIterator"]
