"""``convlens.utils.image_dataset_from_directory``: Keras 3's folder loader, as a ``tf.data``-style dataset.

It returns a :class:`convlens.data.Dataset` of ``(images, labels)`` batches of torch tensors (``.numpy()`` works):
images float32 ``(N, H, W, C)`` in ``[0, 255]``, labels per ``label_mode`` (int32 ids, float32 ``(N, 1)`` for
``'binary'``, float32 one-hot for ``'categorical'``). Chain ``cache()``, ``shuffle()``, ``prefetch(AUTOTUNE)``,
``map()`` as the tutorials do, and give it to ``fit``/``evaluate``/``predict``. The split with
``validation_split``/``subset`` is stratified per class and seeded, so the two subsets never overlap.

Example:
    >>> import os, tempfile
    >>> from PIL import Image
    >>> root = tempfile.mkdtemp()
    >>> for cls in ("a", "b"):
    ...     os.makedirs(os.path.join(root, cls))
    ...     for i in range(5): Image.new("RGB", (12, 12)).save(os.path.join(root, cls, f"{i}.png"))
    >>> train_ds = image_dataset_from_directory(root, image_size=(8, 8), batch_size=4, seed=1, verbose=False)
    >>> train_ds.class_names, len(train_ds)
    (['a', 'b'], 3)
    >>> images, labels = next(iter(train_ds.cache().prefetch(buffer_size=AUTOTUNE)))
    >>> tuple(images.shape), labels.numpy().dtype
    ((4, 8, 8, 3), dtype('int32'))
"""
from __future__ import annotations

from typing import Any

from convlens.data.dataset import AUTOTUNE, ImageFileBatches
from convlens.preprocessing.dataset_from_directory import encode_labels, split_files


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


__all__ = ["AUTOTUNE", "image_dataset_from_directory"]
