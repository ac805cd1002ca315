"""Batches decoded lazily from image files, with the next batches decoding in background threads.

A file that still fails to decode mid-epoch (e.g. a truncated JPEG that passed the scan-time check) is reported
once in ``errors`` and as a warning, then skipped: its batch is one sample shorter, and it is never tried again.

Example:
    >>> import os, tempfile, numpy as np
    >>> from PIL import Image
    >>> d = tempfile.mkdtemp(); paths = [os.path.join(d, f"{i}.png") for i in range(3)]
    >>> for p in paths: Image.new("L", (5, 4)).save(p)
    >>> it = FileImageIterator(paths, np.array([0, 1, 0]), batch_size=2, shuffle=False, target_size=(4, 4),
    ...                        color_mode="grayscale")
    >>> x, y = it[0]
    >>> x.shape, y.tolist()
    ((2, 4, 4, 1), [0, 1])
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable

import numpy as np
import torch

from convlens.data.decode import CHANNELS, check_color_mode, load_image
from convlens.data.prefetch import BatchPrefetcher
from convlens.preprocessing.iterator import Iterator

Transform = Callable[[torch.Tensor, torch.Generator], torch.Tensor]


class FileImageIterator(Iterator):
    """Sequence of ``(x, y)`` batches read from ``filepaths``; ``y = encode_labels(labels[batch])``.

    ``transform`` turns the uint8 batch tensor into the float batch (default: plain float32); with
    ``labels=None`` or ``encode_labels`` returning None, a batch is just ``x``.
    """

    def __init__(self, filepaths: list[str], labels: np.ndarray | None, *, batch_size: int = 32,
                 shuffle: bool = True, seed: int | None = None, target_size: tuple[int, int] = (256, 256),
                 color_mode: str = "rgb", interpolation: str = "nearest", crop_to_aspect_ratio: bool = False,
                 transform: Transform | None = None,
                 encode_labels: Callable[[np.ndarray], np.ndarray | None] | None = None,
                 workers: int | None = None, prefetch: int = 2, max_pixels: int | None = None) -> None:
        if not filepaths:
            raise ValueError("No images to iterate over; the folder (or the requested subset) is empty.")
        self.filepaths = list(filepaths)
        self._labels = labels
        self.target_size = (int(target_size[0]), int(target_size[1]))
        self.color_mode = check_color_mode(color_mode)
        self.image_shape = self.target_size + (CHANNELS[color_mode],)
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.max_pixels = max_pixels
        self.errors: list[tuple[str, str]] = []
        self._broken: set[int] = set()
        self._transform = transform
        self._encode = encode_labels or (lambda y: y)
        self.prefetch = max(0, int(prefetch))
        workers = workers if workers is not None else min(4, os.cpu_count() or 1)
        self._loader = BatchPrefetcher(self._decode, workers=max(1, workers))
        super().__init__(len(self.filepaths), batch_size, shuffle, seed)

    def _decode(self, index: int) -> np.ndarray:
        return load_image(self.filepaths[index], self.color_mode, self.target_size, self.interpolation,
                          self.crop_to_aspect_ratio, self.max_pixels)

    def _items(self, batch_index: int) -> list[int]:
        return [int(i) for i in self.batch_indices(batch_index) if int(i) not in self._broken]

    def _report(self, index: int, error: BaseException) -> None:
        reason = f"{type(error).__name__}: {error}"
        self._broken.add(index)
        self.errors.append((self.filepaths[index], reason))
        warnings.warn(f"Skipping {self.filepaths[index]}: {reason}", stacklevel=3)

    def _first_decodable(self, start: int) -> tuple[int, np.ndarray]:
        """A replacement when every file of a batch failed: the next decodable file in the epoch's order."""
        order = np.roll(self.index_array, -start)
        for index in (int(i) for i in order if int(i) not in self._broken):
            try:
                return index, self._decode(index)
            except Exception as exc:  # reported like any other broken file
                self._report(index, exc)
        raise RuntimeError(f"None of the {self.n} image files could be decoded; see .errors for the reasons.")

    def _get_batch(self, index_array: np.ndarray, batch_index: int, generator: torch.Generator) -> Any:
        key = (self.epoch, batch_index)
        items = self._items(batch_index)
        results = self._loader.take(key, items)
        for ahead in range(batch_index + 1, min(len(self), batch_index + 1 + self.prefetch)):
            self._loader.schedule((self.epoch, ahead), self._items(ahead))
        kept, arrays = [], []
        for index, (array, error) in zip(items, results):
            if error is None:
                kept.append(index)
                arrays.append(array)
            else:
                self._report(index, error)
        if not kept:
            index, array = self._first_decodable(self.batch_size * (batch_index + 1))
            kept, arrays = [index], [array]
        batch = torch.from_numpy(np.stack(arrays))
        x = self._transform(batch, generator) if self._transform is not None else batch.float()
        x = x.numpy()
        y = None if self._labels is None else self._encode(self._labels[np.asarray(kept)])
        return x if y is None else (x, y)

    def on_epoch_end(self) -> None:
        self._loader.clear()
        super().on_epoch_end()

    def close(self) -> None:
        """Stop the background decoding threads (they also stop when the iterator is garbage-collected)."""
        self._loader.close()
