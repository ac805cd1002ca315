"""``convlens.preprocessing.image``: the names Keras keeps in ``keras.preprocessing.image``.

Example:
    >>> import os, tempfile
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png"); Image.new("RGB", (6, 4)).save(path)
    >>> img_to_array(load_img(path, target_size=(2, 3))).shape
    (2, 3, 3)
    >>> array_to_img(np.zeros((2, 3, 1))).size
    (3, 2)
"""
from __future__ import annotations

import io
import os
import secrets
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from convlens.data.decode import check_color_mode, load_image
from convlens.preprocessing.dataframe_iterator import DataFrameIterator
from convlens.preprocessing.directory_iterator import DirectoryIterator
from convlens.preprocessing.image_data_generator import ImageDataGenerator
from convlens.preprocessing.numpy_array_iterator import NumpyArrayIterator

__all__ = ["DataFrameIterator", "DirectoryIterator", "ImageDataGenerator", "NumpyArrayIterator", "array_to_img", "img_to_array",
           "load_img", "save_img"]

_PIL_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


def _channels_last(data_format: str | None, who: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{who}: convlens arrays are channels-last (H, W, C); got data_format={data_format!r}. "
                         f"Move the channel axis with np.moveaxis(x, 0, -1)")


def load_img(path: str | os.PathLike, grayscale: bool = False, color_mode: str = "rgb",
             target_size: tuple[int, int] | None = None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False) -> Image.Image:
    """Keras's ``load_img``: a PIL image in ``color_mode``, resized to ``target_size = (height, width)`` if given.

    Decoded by ``convlens.data``'s one image reader (transparency on white, 16-bit scaled, size limit checked).
    """
    if grayscale:  # Keras 2's argument
        color_mode = "grayscale"
    array = load_image(path, check_color_mode(color_mode), target_size, interpolation, keep_aspect_ratio)
    return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array, _PIL_MODES[array.shape[-1]])


def img_to_array(img: Image.Image, data_format: str | None = None, dtype: str | None = None) -> np.ndarray:
    """A PIL image as a channels-last ``(H, W, C)`` array of ``dtype`` (float32 by default)."""
    _channels_last(data_format, "img_to_array")
    array = np.asarray(img, dtype=dtype or "float32")
    if array.ndim not in (2, 3):
        raise ValueError(f"img_to_array: unsupported image shape {array.shape}")
    return array[..., None] if array.ndim == 2 else array


def array_to_img(x: np.ndarray, data_format: str | None = None, scale: bool = True,
                 dtype: str | None = None) -> Image.Image:
    """Keras's ``array_to_img``: an ``(H, W, C)`` array (C = 1, 3 or 4) as a PIL image; with ``scale`` the values
    are stretched to 0–255 first (min to 0, max to 255)."""
    _channels_last(data_format, "array_to_img")
    x = np.asarray(x.detach().cpu() if hasattr(x, "detach") else x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"array_to_img expects an image array of rank 3 (H, W, C); got shape {x.shape}")
    if x.shape[-1] not in _PIL_MODES:
        raise ValueError(f"array_to_img: {x.shape[-1]} channels in shape {x.shape}; expected 1, 3 or 4")
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x = x / top
        x = x * 255
    x = np.clip(x, 0, 255).astype(np.uint8)
    return Image.fromarray(x[..., 0] if x.shape[-1] == 1 else x, _PIL_MODES[x.shape[-1]])


def save_img(path: str | os.PathLike, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Keras's ``save_img``: write an ``(H, W, C)`` array as an image file (atomically: a temporary file in the
    same folder, then ``os.replace``); ``scale`` stretches it to 0–255 first. The format follows ``file_format`` or
    the file's extension; extra arguments go to Pillow's ``save``."""
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
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"save_img: {str(target)!r} is a folder; expected a file path")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{os.getpid()}-{secrets.token_hex(6)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(buffer.getvalue())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
