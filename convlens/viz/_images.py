"""Turn channels-last arrays and label arrays into what `imshow` and titles need."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def as_image_batch(images: np.ndarray, name: str = "images") -> np.ndarray:
    """Check and return a batch of images `(N, H, W)` or `(N, H, W, C)` as a NumPy array."""
    arr = np.asarray(images)
    if arr.ndim not in (3, 4):
        raise ValueError(f"{name} must be a batch (N, H, W) or (N, H, W, C), got shape {arr.shape}")
    if arr.ndim == 4 and arr.shape[-1] not in (1, 3, 4):
        raise ValueError(f"{name} must have 1, 3 or 4 channels last, got shape {arr.shape}")
    return arr


def displayable(image: np.ndarray) -> tuple[np.ndarray, str | None]:
    """Return `(array, cmap)` for `imshow`: one channel squeezed to grey, colour scaled into [0, 1].

    Example:
        >>> arr, cmap = displayable(np.zeros((28, 28, 1), dtype=np.uint8)); arr.shape, cmap
        ((28, 28), 'gray')
    """
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        return img, "gray"
    if img.ndim != 3 or img.shape[-1] not in (3, 4):
        raise ValueError(f"an image must be (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got shape {img.shape}")
    if np.issubdtype(img.dtype, np.integer):
        return np.clip(img, 0, 255).astype(np.uint8), None
    img = img.astype(np.float32)
    lo, hi = float(img.min()), float(img.max())
    if lo < 0.0 or hi > 1.0:  # e.g. standardised inputs: stretch to [0, 1] so imshow does not clip
        img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
    return img, None


def as_class_ids(labels: np.ndarray | Sequence[int], name: str = "labels") -> np.ndarray:
    """Return integer class ids from ints `(N,)`, `(N, 1)` or one-hot / probabilities `(N, K)`."""
    arr = np.asarray(labels)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:
        return arr.argmax(axis=1)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be class ids (N,) or one-hot/probabilities (N, K), got shape {arr.shape}")
    return arr.astype(np.int64)


def label_text(class_id: int, class_names: Sequence[str] | None) -> str:
    """The class name for `class_id` when names are given, else the id itself."""
    if class_names is None:
        return str(int(class_id))
    if not 0 <= class_id < len(class_names):
        raise ValueError(f"class id {class_id} is outside class_names (which has {len(class_names)} names)")
    return str(class_names[class_id])
