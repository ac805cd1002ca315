"""Scan a folder of class sub-folders into file paths and integer labels, Keras-style.

Classes are the sub-folder names in sorted order (Keras's ordering); files are found recursively inside each class
folder, sorted per directory. Hidden entries (``.DS_Store``, ``.ipynb_checkpoints``, ``.git``, AppleDouble
``._x.jpg``) and ``__MACOSX`` are never classes or images. Files are verified in a thread pool; broken ones are
reported as ``(file, reason)`` in ``errors`` (and as a warning) and left out.

Example:
    >>> import tempfile, os
    >>> from PIL import Image
    >>> root = tempfile.mkdtemp()
    >>> for name in ("cat", "dog", ".ipynb_checkpoints"):
    ...     os.makedirs(os.path.join(root, name))
    ...     Image.new("RGB", (4, 4)).save(os.path.join(root, name, "a.png"))
    >>> folder = scan_image_folder(root)
    >>> folder.class_names, folder.labels.tolist(), folder.filenames
    (['cat', 'dog'], [0, 1], ['cat/a.png', 'dog/a.png'])
"""
from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from convlens.data.decode import verify_image

# Keras's flow_from_directory white list and image_dataset_from_directory allow list.
FLOW_FORMATS = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")
DATASET_FORMATS = ("bmp", "gif", "jpeg", "jpg", "png")
_SKIPPED_NAMES = {"__MACOSX", "__pycache__"}


@dataclass
class ImageFolder:
    """The result of a scan: parallel lists of files and labels, plus what was skipped and why."""

    directory: str
    class_names: list[str]
    filepaths: list[str]
    filenames: list[str]
    labels: np.ndarray
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def class_indices(self) -> dict[str, int]:
        """Keras's ``{class_name: index}`` map."""
        return {name: i for i, name in enumerate(self.class_names)}


def is_hidden(name: str) -> bool:
    """True for dot-files/folders and OS litter that must never be a class or an image."""
    return name.startswith(".") or name in _SKIPPED_NAMES


def list_class_names(directory: str | os.PathLike) -> list[str]:
    """Sorted names of the visible sub-folders of ``directory``."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"directory={directory!r} does not exist or is not a folder.")
    return sorted(name for name in os.listdir(directory)
                  if not is_hidden(name) and os.path.isdir(os.path.join(directory, name)))


def _folder_key(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


def list_image_files(folder: str, formats: tuple[str, ...], follow_links: bool = False,
                     skip: frozenset[tuple[int, int]] = frozenset()) -> list[str]:
    """Every visible file under ``folder`` whose extension (case-insensitive) is in ``formats``, Keras-sorted.

    Hidden folders are pruned while walking, so nothing under ``.ipynb_checkpoints`` or ``__MACOSX`` is listed.
    With ``follow_links=True`` a folder reached twice (a symlink loop, or two links to one folder) is read once,
    and folders whose ``(st_dev, st_ino)`` is in ``skip`` (the dataset folder, the other classes) are not entered.

    Example:
        >>> import tempfile, os
        >>> root = tempfile.mkdtemp(); os.makedirs(os.path.join(root, "a", ".ipynb_checkpoints"))
        >>> for name in ("a/x.png", "a/.ipynb_checkpoints/x.png"): open(os.path.join(root, name), "w").close()
        >>> os.symlink(root, os.path.join(root, "a", "loop"))
        >>> [os.path.relpath(p, root) for p in list_image_files(root, ("png",), follow_links=True)]
        ['a/x.png']
    """
    listed: list[tuple[str, list[str]]] = []
    seen = set(skip)
    for root, dirs, files in os.walk(folder, followlinks=follow_links):
        key = _folder_key(root)
        if key in seen:  # reached again through a symlink: read it once, never loop
            dirs[:] = []
            continue
        seen.add(key)
        dirs[:] = [d for d in dirs if not is_hidden(d)]  # pruned in place, before os.walk descends
        listed.append((root, [name for name in sorted(files) if not is_hidden(name) and "." in name
                              and name.rsplit(".", 1)[-1].lower() in formats]))
    return [os.path.join(root, name) for root, names in sorted(listed, key=lambda entry: entry[0]) for name in names]


def _verify_all(paths: list[str], workers: int, max_pixels: int | None) -> list[str | None]:
    if workers <= 1 or len(paths) < 2:
        return [verify_image(p, max_pixels) for p in paths]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda p: verify_image(p, max_pixels), paths, chunksize=16))


def scan_image_folder(directory: str | os.PathLike, formats: tuple[str, ...] = FLOW_FORMATS,
                      class_names: list[str] | None = None, follow_links: bool = False, verify: bool = True,
                      workers: int | None = None, max_pixels: int | None = None) -> ImageFolder:
    """Find the images of each class folder of ``directory``, verify them and return an :class:`ImageFolder`.

    ``class_names`` picks (and orders) the classes explicitly, like Keras's ``classes=``. Raises ``ValueError``
    for a missing folder, no class folders, an unknown class, or a class left without a valid image.
    Example: see the module docstring.
    """
    directory = os.fspath(directory)
    names = list_class_names(directory) if class_names is None else list(class_names)
    if not names:
        raise ValueError(f"No class sub-folders found in {directory!r}; expected one folder per class "
                         f"(e.g. {directory}/cats/*.jpg, {directory}/dogs/*.jpg).")
    paths, labels = [], []
    for name in names:
        if not os.path.isdir(os.path.join(directory, name)):
            raise ValueError(f"class {name!r} has no folder {os.path.join(directory, name)!r}.")
    tops = {name: _folder_key(os.path.join(directory, name)) for name in names}
    for index, name in enumerate(names):
        folder = os.path.join(directory, name)
        skip = frozenset({_folder_key(directory), *tops.values()} - {tops[name]})
        files = list_image_files(folder, formats, follow_links, skip)
        paths += files
        labels += [index] * len(files)
    workers = workers if workers is not None else min(8, os.cpu_count() or 1)
    reasons = _verify_all(paths, workers, max_pixels) if verify else [None] * len(paths)
    errors = [(p, r) for p, r in zip(paths, reasons) if r is not None]
    for path, reason in errors:
        warnings.warn(f"Skipping {path}: {reason}", stacklevel=2)
    keep = [i for i, r in enumerate(reasons) if r is None]
    labels_arr = np.asarray([labels[i] for i in keep], dtype=np.int64)
    counts = np.bincount(labels_arr, minlength=len(names))
    empty = [names[i] for i in np.flatnonzero(counts == 0)]
    if empty:
        raise ValueError(f"Class folder(s) {empty} in {directory!r} contain no valid images with extensions "
                         f"{formats}; remove the folder or add images.")
    kept = [paths[i] for i in keep]
    return ImageFolder(directory=directory, class_names=names, filepaths=kept,
                       filenames=[os.path.relpath(p, directory).replace(os.sep, "/") for p in kept],
                       labels=labels_arr, errors=errors)
