"""``image_dataset_from_directory``: Keras 3's folder loader, as a ``tf.data``-style dataset of tensor batches.

It returns a :class:`convlens.data.Dataset` of ``(images, labels)`` batches of torch tensors (``.numpy()`` works):
images float32 ``(N, H, W, C)`` in ``[0, 255]`` (no rescaling), labels per ``label_mode`` (int32 ids, float32
``(N, 1)`` for ``'binary'``, float32 one-hot for ``'categorical'``); ``batch_size=None`` yields single images, as
in Keras 3. Chain ``cache()``, ``shuffle()``, ``prefetch(AUTOTUNE)``, ``map()`` as the tutorials do.
``convlens.utils.image_dataset_from_directory`` is this same function.

Differences from Keras, on purpose: the validation split is stratified per class (seeded by ``seed``, or 0 when
no seed is given, so the ``'training'`` and ``'validation'`` calls never overlap), and hidden entries are skipped.

Example:
    >>> import os, tempfile
    >>> from PIL import Image
    >>> root = tempfile.mkdtemp()
    >>> for cls in ("a", "b", "c"):
    ...     os.makedirs(os.path.join(root, cls))
    ...     for i in range(4): Image.new("RGB", (12, 12)).save(os.path.join(root, cls, f"{i}.png"))
    >>> train = image_dataset_from_directory(root, image_size=(8, 8), batch_size=5, validation_split=0.25,
    ...                                      subset="training", seed=1, verbose=False)
    >>> train.class_names, len(train.file_paths), [tuple(x.shape) for x, _ in train]
    (['a', 'b', 'c'], 9, [(5, 8, 8, 3), (4, 8, 8, 3)])
"""
from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from convlens.data.dataset import ImageFileBatches
from convlens.data.decode import verify_image
from convlens.data.image_folder import DATASET_FORMATS, list_image_files, scan_image_folder
from convlens.data.splits import stratified_split

LABEL_MODES = ("int", "categorical", "binary", None)


def _check_arguments(label_mode: str | None, color_mode: str, validation_split: float | None,
                     subset: str | None) -> None:
    if label_mode not in LABEL_MODES:
        raise ValueError(f"label_mode={label_mode!r} is invalid; expected one of {LABEL_MODES}.")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f"subset={subset!r} is invalid; expected 'training', 'validation', 'both' or None.")
    if (validation_split is None) != (subset is None):
        raise ValueError(f"validation_split={validation_split!r} and subset={subset!r} must be given together.")
    if validation_split is not None and not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be between 0 and 1; received: {validation_split!r}")


def _index_files(directory: str, labels: Any, class_names: list[str] | None, follow_links: bool
                 ) -> tuple[list[str], np.ndarray | None, list[str] | None, list[tuple[str, str]]]:
    if labels == "inferred":
        folder = scan_image_folder(directory, DATASET_FORMATS, class_names, follow_links)
        return folder.filepaths, folder.labels, folder.class_names, folder.errors
    paths = list_image_files(os.fspath(directory), DATASET_FORMATS, follow_links)
    if labels is not None and len(labels) != len(paths):
        raise ValueError(f"Expected the lengths of `labels` to match the number of files in the target directory. "
                         f"len(labels) is {len(labels)} while we found {len(paths)} files in {directory}.")
    reasons = [verify_image(p) for p in paths]
    errors = [(p, r) for p, r in zip(paths, reasons) if r is not None]
    for path, reason in errors:
        warnings.warn(f"Skipping {path}: {reason}", stacklevel=3)
    keep = [i for i, r in enumerate(reasons) if r is None]
    if not keep:
        raise ValueError(f"No images found in directory {directory}. Allowed formats: {DATASET_FORMATS}")
    kept_labels = None if labels is None else np.asarray(labels)[keep].astype(np.int64)
    return [paths[i] for i in keep], kept_labels, class_names, errors


def encode_labels(labels: np.ndarray, label_mode: str | None, num_classes: int) -> np.ndarray | None:
    """Integer class ids as Keras's ``label_mode`` wants them: int32, float32 ``(N, 1)`` or float32 one-hot."""
    if label_mode == "int":
        return labels.astype(np.int32)
    if label_mode == "binary":
        return labels.astype(np.float32).reshape(-1, 1)
    if label_mode == "categorical":
        return np.eye(num_classes, dtype=np.float32)[labels]
    return None


def split_files(directory: str, labels: Any = "inferred", label_mode: str | None = "int",
                class_names: list[str] | None = None, color_mode: str = "rgb", seed: int | None = None,
                validation_split: float | None = None, subset: str | None = None, follow_links: bool = False,
                verbose: bool = True) -> tuple[list[tuple[list[str], np.ndarray | None]], list[str] | None,
                                               str | None, list[tuple[str, str]]]:
    """The argument checks, file index and split shared by both ``image_dataset_from_directory`` functions.

    Returns ``([(paths, class ids), …] per requested subset, class names, label mode, skipped files)``.
    """
    _check_arguments(label_mode, color_mode, validation_split, subset)
    if labels is None:
        label_mode = None
    paths, ids, names, errors = _index_files(directory, labels, class_names, follow_links)
    if label_mode == "binary" and names is not None and len(names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. Received: '
                         f"class_names={names}")
    if verbose:
        print(f"Found {len(paths)} files" + (f" belonging to {len(names)} classes." if names else "."))
    split_labels = ids if ids is not None else np.zeros(len(paths), dtype=np.int64)
    if validation_split is None:
        parts = {"all": np.arange(len(paths))}
    else:
        train_idx, val_idx = stratified_split(split_labels, (1.0 - validation_split, validation_split),
                                              seed if seed is not None else 0)
        parts = {"training": train_idx, "validation": val_idx}
        if subset != "both":
            parts = {subset: parts[subset]}
    out = []
    for name, idx in parts.items():
        if verbose and name != "all":
            print(f"Using {len(idx)} files for {name}.")
        out.append(([paths[i] for i in idx], None if ids is None else ids[idx]))
    return out, names, label_mode, errors


def image_dataset_from_directory(directory: str, labels: Any = "inferred", label_mode: str | None = "int",
                                 class_names: list[str] | None = None, color_mode: str = "rgb",
                                 batch_size: int | None = 32, image_size: tuple[int, int] = (256, 256),
                                 shuffle: bool = True, seed: int | None = None,
                                 validation_split: float | None = None, subset: str | None = None,
                                 interpolation: str = "bilinear", follow_links: bool = False,
                                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                                 data_format: str | None = None, verbose: bool = True, workers: int | None = None
                                 ) -> ImageFileBatches | tuple[ImageFileBatches, ImageFileBatches]:
    """Keras's ``image_dataset_from_directory``; ``subset='both'`` returns ``(train, validation)``.

    ``batch_size=None`` yields single images (no batch axis), as in Keras. ``workers`` threads decode ahead.
    Example: see the module docstring.
    """
    if pad_to_aspect_ratio:
        raise ValueError("pad_to_aspect_ratio=True is not supported by convlens; use crop_to_aspect_ratio=True")
    if data_format not in (None, "channels_last"):
        raise ValueError(f"convlens images are channels-last; got data_format={data_format!r}")
    parts, names, label_mode, errors = split_files(directory, labels, label_mode, class_names, color_mode, seed,
                                                   validation_split, subset, follow_links, verbose)
    datasets = []
    for paths, ids in parts:
        encoded = None if ids is None or label_mode is None else encode_labels(ids, label_mode, len(names or []) or
                                                                                int(ids.max()) + 1)
        ds = ImageFileBatches(paths, encoded, batch_size or 1, image_size, color_mode, shuffle, seed, interpolation,
                              crop_to_aspect_ratio, workers)
        ds.class_names = names
        ds.errors = list(errors)
        datasets.append(ds.unbatch() if batch_size is None else ds)
    return tuple(datasets) if subset == "both" else datasets[0]
