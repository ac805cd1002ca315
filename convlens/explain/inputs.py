"""Read a small matrix from inline text, a text/CSV file or an image file (grayscale, read by convlens.data).

The text format is the one kernels are written in: :func:`convlens.kernels.parse_matrix`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from convlens.data.decode import load_image
from convlens.kernels import parse_matrix

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def load_matrix(spec: str) -> np.ndarray:
    """``spec`` is an existing file (image → grayscale 0–255 floats; anything else → text/CSV) or inline text.

    >>> load_matrix("1 2; 3 4").shape
    (2, 2)
    """
    path = Path(spec)
    if "\n" not in spec and ";" not in spec and path.is_file():
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return load_image(path, "grayscale")[..., 0].astype(np.float64)
        return parse_matrix(path.read_text())
    return parse_matrix(spec)
