"""``ImageFileBatches``: a ``Dataset`` of ``(images, labels)`` batches decoded from image files by a thread pool,
the next batches decoding while one is used (``image_dataset_from_directory`` returns one).
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Iterator, Sequence

import numpy as np
import torch

from convlens.data.decode import CHANNELS, check_color_mode, load_image
from convlens.data.elements import _workers
from convlens.data.pipeline import Dataset
from convlens.data.prefetch import BatchPrefetcher


class ImageFileBatches(Dataset):
    """Batches ``(images, labels)`` decoded from files; ``images`` float32 ``(N, H, W, C)`` in ``[0, 255]``.

    ``labels`` (already encoded, one row per file, or None for images alone) follow the files. A shuffled dataset
    draws a new order each pass from ``seed``. The files of the next ``lookahead`` batches decode in ``workers``
    threads while a batch is used; a JPEG at least twice the image size decodes at a reduced DCT scale
    (``load_image(draft=True)``: a quarter of the pixels or fewer, then the same resize). A file that fails to decode is warned about once, listed in ``errors`` and
    skipped.
    """

    def __init__(self, file_paths: Sequence[str], labels: np.ndarray | None, batch_size: int,
                 image_size: tuple[int, int], color_mode: str = "rgb", shuffle: bool = True,
                 seed: int | None = None, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 workers: int | None = None, lookahead: int = 2, max_pixels: int | None = None) -> None:
        super().__init__()
        if not file_paths:
            raise ValueError("no image files to read")
        if labels is not None and len(labels) != len(file_paths):
            raise ValueError(f"{len(file_paths)} files but {len(labels)} labels")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
        self.file_paths = list(file_paths)
        self.labels = None if labels is None else torch.as_tensor(np.asarray(labels))
        self.batch_size = int(batch_size)
        self.image_size = (int(image_size[0]), int(image_size[1]))
        self.color_mode = check_color_mode(color_mode)
        self.image_shape = self.image_size + (CHANNELS[color_mode],)
        self.shuffle_files, self.interpolation, self.crop_to_aspect_ratio = shuffle, interpolation, crop_to_aspect_ratio
        self.seed = int(np.random.SeedSequence().entropy % 2 ** 32) if seed is None else int(seed)
        self.workers, self.lookahead, self.max_pixels = _workers(workers), max(0, int(lookahead)), max_pixels
        self.errors: list[tuple[str, str]] = []
        self._broken: set[int] = set()
        self._passes = 0
        self._samples = len(self.file_paths)
        self._length = math.ceil(self._samples / self.batch_size)

    def _decode(self, index: int) -> np.ndarray:
        return load_image(self.file_paths[index], self.color_mode, self.image_size, self.interpolation,
                          self.crop_to_aspect_ratio, self.max_pixels, draft=True)

    def _elements(self) -> Iterator[Any]:
        pass_number, self._passes = self._passes, self._passes + 1
        order = np.random.default_rng([self.seed, pass_number]).permutation(self._samples) if self.shuffle_files \
            else np.arange(self._samples)
        batches = [[int(i) for i in order[s:s + self.batch_size]] for s in range(0, self._samples, self.batch_size)]
        loader = BatchPrefetcher(self._decode, workers=self.workers)  # one per pass: abandoned passes stay apart
        try:
            for b, items in enumerate(batches):
                items = [i for i in items if i not in self._broken]
                results = loader.take(b, items)
                for ahead in range(b + 1, min(len(batches), b + 1 + self.lookahead)):
                    loader.schedule(ahead, [i for i in batches[ahead] if i not in self._broken])
                kept, arrays = [], []
                for index, (array, error) in zip(items, results):
                    if error is None:
                        kept.append(index)
                        arrays.append(array)
                    elif index not in self._broken:
                        self._broken.add(index)
                        reason = f"{type(error).__name__}: {error}"
                        self.errors.append((self.file_paths[index], reason))
                        warnings.warn(f"Skipping {self.file_paths[index]}: {reason}", stacklevel=2)
                if not kept:
                    continue
                images = torch.from_numpy(np.stack(arrays)).float()
                yield images if self.labels is None else (images, self.labels[torch.as_tensor(kept)])
        finally:
            loader.close()
