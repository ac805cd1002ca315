"""Image helpers at ``keras.utils``: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Example:
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png")
    >>> save_img(path, np.zeros((4, 6, 3)))
    >>> img_to_array(load_img(path)).shape
    (4, 6, 3)
"""
from __future__ import annotations

import io
import os
import warnings
from typing import Any

from convlens.preprocessing.image import array_to_img, img_to_array, load_img
from convlens.saving.files import atomic_write_bytes


def save_img(path: str | os.PathLike, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Write an ``(H, W, C)`` array as an image file (atomically); ``scale`` stretches it to 0–255 first.

    The format follows ``file_format`` or the file's extension; extra arguments go to Pillow's ``save``.
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    fmt = file_format or os.path.splitext(os.fspath(path))[1].lstrip(".") or None
    if fmt is None:
        raise ValueError(f"save_img: cannot tell the format of {os.fspath(path)!r}; pass file_format='png'")
    fmt = {"jpg": "jpeg", "tif": "tiff"}.get(fmt.lower(), fmt.lower())
    if img.mode == "RGBA" and fmt == "jpeg":
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kwargs)
    atomic_write_bytes(path, buffer.getvalue())


__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
