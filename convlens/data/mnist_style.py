"""Turn a drawing or a photo of a digit into a 28×28 MNIST-style image, the way MNIST itself was made.

The stages (each returned, so the live page can show them): grey levels in [0, 1] → inverted if the background is
light (MNIST is white ink on black) → cropped to the ink's bounding box → longest side scaled to 20 px with
anti-aliasing → pasted into 28×28 with the centre of mass at MNIST's centre, pixel (14, 14). ``naive`` is the plain resize of the whole
drawing to 28×28, for comparison.

Example:
    >>> import numpy as np
    >>> drawing = np.full((200, 100), 255, np.uint8); drawing[40:160, 45:55] = 0     # a dark "1" on white paper
    >>> result = mnist_style(drawing)
    >>> result.inverted, result.image.shape, result.stages["scaled"].shape
    (True, (28, 28), (20, 2))
    >>> [abs(c - 14.0) <= 0.5 for c in center_of_mass(result.image)]    # MNIST's centre, to half a pixel
    [True, True]
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

SIZE = 28
BOX = 20
INK_THRESHOLD = 0.05  # grey level (0–1, after inversion) above which a pixel counts as ink for the bounding box
# Where MNIST puts the centre of mass, in pixel-index coordinates: pixel (14, 14). Measured on the 5,000 digits of
# convlens.datasets.mnist_sample: mean (13.99, 14.00), standard deviation 0.29 px.
CENTRE = (14.0, 14.0)


@dataclass(frozen=True)
class MnistStyle:
    """The 28×28 result (float32 in [0, 1], white ink on black) and every stage that led to it."""

    image: np.ndarray
    inverted: bool
    stages: dict[str, np.ndarray] = field(default_factory=dict)


def to_grey(image: np.ndarray) -> np.ndarray:
    """``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)`` (uint8 0–255 or float 0–1) → float32 ``(H, W)`` in
    [0, 1]; colour is averaged with the ITU-R 601 weights, as Pillow's ``convert('L')`` does.

    >>> to_grey(np.full((2, 2, 3), 255, np.uint8)).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[-1] in (1, 3, 4):
        array = array[..., 0] if array.shape[-1] == 1 else array[..., :3] @ np.array([0.299, 0.587, 0.114])
    if array.ndim != 2 or min(array.shape) == 0:
        raise ValueError(f"expected an image of shape (H, W) or (H, W, 1|3|4), got an array of shape "
                         f"{np.shape(image)}")
    scale = 255.0 if np.asarray(image).dtype == np.uint8 else 1.0
    return np.clip(array.astype(np.float32) / scale, 0.0, 1.0)


def is_light_background(grey: np.ndarray) -> bool:
    """True when the image's border is mostly light (dark ink on paper), judged by the border pixels' median."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return bool(np.median(border) > 0.5)


def _resize(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize of a float image (Pillow's Lanczos filter on 32-bit float pixels)."""
    resized = Image.fromarray(array.astype(np.float32), "F").resize((width, height), Image.Resampling.LANCZOS)
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def center_of_mass(image: np.ndarray) -> tuple[float, float]:
    """``(row, column)`` of the grey-level centre of mass, in pixel-index coordinates (MNIST's: 14, 14).

    >>> center_of_mass(np.eye(3))
    (1.0, 1.0)
    """
    total = float(image.sum())
    if total <= 0:
        return ((image.shape[0] - 1) / 2, (image.shape[1] - 1) / 2)
    rows, cols = np.indices(image.shape)
    return float((rows * image).sum() / total), float((cols * image).sum() / total)


def _paste_centred(scaled: np.ndarray) -> np.ndarray:
    """Paste ``scaled`` into a blank 28×28 so that its centre of mass lands on MNIST's centre ``CENTRE`` (whole-pixel
    shift, so at most 0.5 px off), clipping what would fall outside."""
    height, width = scaled.shape
    row, col = center_of_mass(scaled)
    top = int(round(CENTRE[0] - row))
    left = int(round(CENTRE[1] - col))
    canvas = np.zeros((SIZE, SIZE), np.float32)
    y0, x0 = max(top, 0), max(left, 0)
    y1, x1 = min(top + height, SIZE), min(left + width, SIZE)
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] = scaled[y0 - top:y1 - top, x0 - left:x1 - left]
    return canvas


def mnist_style(image: np.ndarray, invert: bool | None = None) -> MnistStyle:
    """Preprocess one image as MNIST was made; ``invert=None`` decides from the background (light → invert).

    A blank image (no ink) gives an all-zero 28×28. Stages: ``grey``, ``inverted``, ``cropped``, ``scaled``,
    ``centred`` (the result) and ``naive`` (the whole image resized to 28×28, inverted like the rest).
    """
    grey = to_grey(image)
    flip = is_light_background(grey) if invert is None else bool(invert)
    ink = 1.0 - grey if flip else grey
    stages = {"grey": grey, "inverted": ink, "naive": _resize(ink, SIZE, SIZE)}
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        blank = np.zeros((SIZE, SIZE), np.float32)
        stages.update(cropped=blank, scaled=blank, centred=blank)
        return MnistStyle(blank, flip, stages)
    cropped = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    height, width = cropped.shape
    factor = BOX / max(height, width)
    scaled = _resize(cropped, max(1, round(height * factor)), max(1, round(width * factor)))
    centred = _paste_centred(scaled)
    stages.update(cropped=cropped, scaled=scaled, centred=centred)
    return MnistStyle(centred, flip, stages)
