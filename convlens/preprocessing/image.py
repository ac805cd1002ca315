"""``convlens.preprocessing.image``: the names Keras keeps in ``keras.preprocessing.image``.

Example:
    >>> import os, tempfile
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png"); Image.new("RGB", (6, 4)).save(path)
    >>> img_to_array(load_img(path, target_size=(2, 3))).shape
    (2, 3, 3)
"""
from __future__ import annotations

import os

import numpy as np
from PIL import Image

from convlens.data.decode import check_color_mode, convert_mode, INTERPOLATIONS
from convlens.preprocessing.directory_iterator import DirectoryIterator
from convlens.preprocessing.image_data_generator import ImageDataGenerator
from convlens.preprocessing.numpy_array_iterator import NumpyArrayIterator

__all__ = ["DirectoryIterator", "ImageDataGenerator", "NumpyArrayIterator", "img_to_array", "load_img"]


def load_img(path: str | os.PathLike, color_mode: str = "rgb", target_size: tuple[int, int] | None = None,
             interpolation: str = "nearest") -> Image.Image:
    """Open an image as a PIL image in ``color_mode``, resized to ``target_size = (height, width)`` if given."""
    check_color_mode(color_mode)
    with Image.open(path) as img:
        img.load()
        img = convert_mode(img, color_mode)
    if target_size is not None and img.size != (target_size[1], target_size[0]):
        img = img.resize((target_size[1], target_size[0]), INTERPOLATIONS[interpolation])
    return img


def img_to_array(img: Image.Image, dtype: str = "float32") -> np.ndarray:
    """A PIL image as a channels-last ``(H, W, C)`` array of ``dtype``."""
    array = np.asarray(img, dtype=dtype)
    return array[..., None] if array.ndim == 2 else array
