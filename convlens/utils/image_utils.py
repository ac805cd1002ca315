"""Image helpers at ``keras.utils``: ``load_img``, ``img_to_array``, ``array_to_img``, ``save_img``.

Example:
    >>> import os, tempfile, numpy as np
    >>> path = os.path.join(tempfile.mkdtemp(), "x.png")
    >>> save_img(path, np.zeros((4, 6, 3)))
    >>> img_to_array(load_img(path)).shape
    (4, 6, 3)
"""
from __future__ import annotations

from convlens.preprocessing.image import array_to_img, img_to_array, load_img, save_img

__all__ = ["array_to_img", "img_to_array", "load_img", "save_img"]
