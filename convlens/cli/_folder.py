"""Folder datasets for the CLI: one scan, a stratified train / validation / test split, batches read by the one
image reader of :mod:`convlens.data` (the same reader and resize that ``convlens predict`` uses).

The test split never sees training and never chooses the best epoch: it is what ``convlens train`` and
``convlens evaluate`` report.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch

from convlens.cli._common import display_name
from convlens.data import scan_image_folder, stratified_split
from convlens.preprocessing.file_iterator import FileImageIterator

INTERPOLATION = "bilinear"  # the resize of training folders, recorded in the run folder and reused by predict
SPLITS = ("train", "validation", "test")


@dataclass
class FolderSplits:
    """Relative file names and integer labels of each split of a class-folder dataset."""

    root: str
    class_names: list[str]
    files: dict[str, list[str]]
    labels: dict[str, np.ndarray]


def split_folder(directory: str, validation_split: float, test_split: float, seed: int) -> FolderSplits:
    """Scan ``directory`` and split every class into train / validation / test by the given fractions."""
    if validation_split + test_split >= 1:
        raise ValueError(f"--validation-split {validation_split} + --test-split {test_split} leave no images to "
                         f"train on; their sum must be below 1")
    folder = scan_image_folder(directory)
    parts = stratified_split(folder.labels, (1 - validation_split - test_split, validation_split, test_split),
                             seed=seed)
    if len(parts[0]) == 0:
        raise ValueError(f"{directory}: no image is left for training after the validation and test splits")
    return FolderSplits(root=os.path.abspath(directory), class_names=[display_name(c) for c in folder.class_names],
                        files={s: [folder.filenames[i] for i in part] for s, part in zip(SPLITS, parts)},
                        labels={s: folder.labels[part] for s, part in zip(SPLITS, parts)})


def files_for_classes(directory: str, class_names: list[str]) -> tuple[list[str], np.ndarray]:
    """Every image of a class folder dataset, labelled by the position of its class in the model's
    ``class_names`` (a folder class the model does not know is an error naming it)."""
    folder = scan_image_folder(directory)
    shown = [display_name(c) for c in folder.class_names]
    unknown = [c for c in shown if c not in class_names]
    if unknown:
        raise ValueError(f"{directory}: class folders {unknown} are not classes of the model "
                         f"(it knows {class_names})")
    mapping = np.array([class_names.index(c) for c in shown], dtype=np.int64)
    return folder.filenames, mapping[folder.labels]


def labels_of(filenames: list[str], class_names: list[str]) -> np.ndarray:
    """Labels of recorded relative file names (``class/…/file``) by their first folder."""
    try:
        return np.array([class_names.index(display_name(name.split("/", 1)[0])) for name in filenames], np.int64)
    except ValueError:
        raise ValueError(f"recorded test files name classes outside {class_names}") from None


def _to_unit(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    return batch.float().div_(255.0)


def batches(root: str, filenames: list[str], labels: np.ndarray, image_size: tuple[int, int], color_mode: str,
            batch_size: int, shuffle: bool = False, seed: int | None = None) -> FileImageIterator:
    """Batches ``(x in [0, 1], integer y)`` of the given files, read and resized as ``convlens predict`` does."""
    missing = [name for name in filenames if not os.path.isfile(os.path.join(root, name))]
    if missing:
        raise FileNotFoundError(f"{len(missing)} image(s) of the dataset are gone from {root}, e.g. {missing[0]!r}")
    return FileImageIterator([os.path.join(root, name) for name in filenames], np.asarray(labels), shuffle=shuffle,
                             batch_size=batch_size, seed=seed, target_size=tuple(image_size), color_mode=color_mode,
                             interpolation=INTERPOLATION, transform=_to_unit)


def collect(iterator: FileImageIterator, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``limit`` samples of an iterator, as arrays (for the report's test_data.npz)."""
    xs, ys, count = [], [], 0
    for i in range(len(iterator)):
        x, y = iterator[i]
        xs.append(x)
        ys.append(np.asarray(y))
        count += len(x)
        if count >= limit:
            break
    return np.concatenate(xs)[:limit], np.concatenate(ys)[:limit]
