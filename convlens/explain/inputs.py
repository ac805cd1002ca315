"""Read a small matrix from inline text, a text/CSV file or an image file (grayscale, read by convlens.data)."""
from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np

from convlens.data.decode import load_image

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def parse_matrix(text: str) -> np.ndarray:
    """Rows separated by ``;`` or newlines, values by spaces or commas; ``1/9`` style fractions allowed.

    >>> parse_matrix("0 -1 0; -1 5 -1; 0 -1 0").tolist()[1]
    [-1.0, 5.0, -1.0]
    """
    rows = [row.strip() for row in re.split(r"[;\n]", text) if row.strip()]
    if not rows:
        raise ValueError(f"expected a matrix like '1 0; 0 1' (rows split by ';'), got {text!r}")
    try:
        values = [[float(Fraction(v)) for v in re.split(r"[,\s]+", row.strip(" []")) if v] for row in rows]
    except ValueError:
        raise ValueError(f"expected numbers in a matrix like '1 0; 0 1', got {text!r}") from None
    widths = {len(row) for row in values}
    if len(widths) != 1:
        raise ValueError(f"every row of a matrix needs the same number of values, got rows of lengths "
                         f"{[len(row) for row in values]} in {text!r}")
    return np.array(values, dtype=np.float64)


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
