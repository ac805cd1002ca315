"""Classic image kernels by name, and ``apply()`` to filter a grayscale or RGB image with one (NumPy, vectorised).

Example:
    >>> import numpy as np
    >>> get_kernel("sharpen").tolist()[1]
    [-1.0, 5.0, -1.0]
    >>> int(apply(np.full((4, 4), 100, dtype=np.uint8), "box_blur")[0, 0])
    100
"""
from __future__ import annotations

import re
from fractions import Fraction
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from convlens.arithmetic import explicit_padding

_GAUSS5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0

# name -> (values, what it does). Blurs sum to 1 (brightness kept); edge detectors sum to 0 (flat areas → 0).
_BANK: dict[str, tuple[np.ndarray, str]] = {
    "identity": (np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]]), "leaves the image unchanged"),
    "edge1": (np.array([[1, 0, -1], [0, 0, 0], [-1, 0, 1]]), "diagonal edge detection"),
    "edge2": (np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]), "edge detection, 4-neighbour"),
    "edge3": (np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]), "edge detection, 8-neighbour"),
    "sharpen": (np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]), "identity + edge2: stronger edges"),
    "box_blur": (np.ones((3, 3)) / 9.0, "mean of the 3×3 neighbourhood"),
    "gaussian_blur": (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16.0, "3×3 Gaussian blur (approximation)"),
    "gaussian_blur_5x5": (_GAUSS5, "5×5 Gaussian blur (binomial approximation)"),
    "sobel_x": (np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]), "horizontal gradient: vertical edges"),
    "sobel_y": (np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]), "vertical gradient: horizontal edges"),
    "laplacian": (np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]), "second derivative (negated edge2)"),
    "emboss": (np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]), "relief lit from the bottom right"),
    "high_pass": (np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]) / 9.0, "identity minus box_blur"),
}
_ALIASES = {"edge": "edge2"}

BORDERS = ("constant", "reflect", "edge")


def list_kernels(include_aliases: bool = False) -> list[str]:
    """Names accepted by :func:`get_kernel`, in the bank's order.

    >>> list_kernels()[:3]
    ['identity', 'edge1', 'edge2']
    """
    return list(_BANK) + (list(_ALIASES) if include_aliases else [])


def describe_kernel(name: str) -> str:
    """One line saying what the named kernel does."""
    return _BANK[_resolve(name)][1]


def _resolve(name: str) -> str:
    key = _ALIASES.get(name, name)
    if key not in _BANK:
        raise ValueError(f"unknown kernel {name!r}; valid names: {', '.join(list_kernels(include_aliases=True))}")
    return key


def get_kernel(name: str) -> np.ndarray:
    """A fresh float64 copy of the named kernel.

    >>> float(get_kernel("edge").sum())
    0.0
    """
    return np.array(_BANK[_resolve(name)][0], dtype=np.float64)


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


def parse_kernel(text: str) -> np.ndarray:
    """A kernel from text: rows split by ``;`` or newlines, values by spaces or commas (``1/9`` allowed).

    >>> float(parse_kernel("0 -1 0; -1 5 -1; 0 -1 0").sum())
    1.0
    """
    return as_kernel(parse_matrix(text))


def as_kernel(kernel: str | Sequence | np.ndarray) -> np.ndarray:
    """A kernel given by name, as text, or as an array → a 2-D float64 array (ValueError otherwise)."""
    if isinstance(kernel, str):
        stripped = kernel.strip()
        is_name = stripped in list_kernels(include_aliases=True) or not any(ch.isdigit() for ch in stripped)
        arr = get_kernel(stripped) if is_name else parse_matrix(stripped)
    else:
        arr = np.asarray(kernel, dtype=np.float64)
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"a kernel must be a non-empty 2-D matrix, got shape {arr.shape}")
    return arr


def _display_range(dtype: np.dtype) -> tuple[float, float]:
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return (max(float(info.min), 0.0), float(info.max))
    return (0.0, 1.0)


def apply(image: np.ndarray, kernel: str | Sequence | np.ndarray, padding: str = "same", clip: bool = True,
          border: str = "reflect") -> np.ndarray:
    """Filter ``image`` (``(H, W)`` or ``(H, W, C)``, each channel separately) with ``kernel`` by cross-correlation.

    ``padding='same'`` keeps the size, filling the border as ``border`` says: ``'reflect'`` (mirror, no repeated
    edge pixel), ``'edge'`` (repeat the edge pixel) or ``'constant'`` (zeros, as a conv layer does); ``'valid'``
    returns only positions where the kernel fits. With ``clip=True`` the result is clipped to the displayable range
    and keeps an integer input's dtype (uint8 → 0–255, rounded); float images are clipped to 0–1. ``clip=False``
    returns the raw float64 responses.

    >>> apply(np.eye(3), "identity", padding="valid").shape
    (1, 1)
    """
    img = np.asarray(image)
    if img.ndim not in (2, 3):
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {img.shape}")
    if padding not in ("same", "valid"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    if border not in BORDERS:
        raise ValueError(f"border must be one of {BORDERS}, got {border!r}")
    k = as_kernel(kernel)
    x = img.astype(np.float64)
    if padding == "same":
        pads = [explicit_padding(n, size, 1, "same") for n, size in zip(x.shape[:2], k.shape)]
        pads += [(0, 0)] * (x.ndim - 2)
        if border == "reflect" and any(p >= n for (p, _), n in zip(pads, x.shape[:2])):
            border = "edge"  # mirroring needs more pixels than a tiny image has
        x = np.pad(x, pads, mode=border)
    if k.shape[0] > x.shape[0] or k.shape[1] > x.shape[1]:
        raise ValueError(f"kernel of shape {k.shape} is larger than the (padded) image of shape {x.shape[:2]} "
                         f"(image {img.shape}, padding {padding!r})")
    windows = sliding_window_view(x, k.shape, axis=(0, 1))  # (H', W', [C,] kh, kw)
    out = np.einsum("...ij,ij->...", windows, k)
    if not clip:
        return out
    low, high = _display_range(img.dtype)
    out = np.clip(out, low, high)
    if np.issubdtype(img.dtype, np.integer):
        return np.rint(out).astype(img.dtype)
    return out
