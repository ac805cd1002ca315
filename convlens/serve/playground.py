"""The live page's kernel playground: a classic kernel (the bank of ``convlens filter``) or a typed one, slid over the
drawn digit or uploaded image as the model sees it (grey), with the arithmetic of one output pixel.

The output comes from the explainer's ``conv2d`` with zero padding (``'same'``: a conv layer's border), so the picture
and the hovered pixel's sum are one computation.

Example:
    >>> import numpy as np
    >>> result = filter_input(np.eye(5)[..., None], "edge2", row=2, col=2)
    >>> result["shape"], result["output"][2 * 5 + 2], result["step"].splitlines()[0]
    ([5, 5], 4.0, 'output[2, 2] ← input[2:5, 2:5] of the zero-padded input')
"""
from __future__ import annotations

import base64
from typing import Any

import numpy as np
from PIL import Image

from convlens.explain import conv2d
from convlens.explain.kernel_grid import grey
from convlens.kernels import as_kernel, describe_kernel, get_kernel, list_kernels

LARGEST = 128  # px a side: a bigger model input is box-resized first, so the page stays quick


def kernel_bank() -> list[dict[str, Any]]:
    """Every named kernel of :mod:`convlens.kernels`: ``name``, ``description`` and ``values`` (rows)."""
    return [{"name": name, "description": describe_kernel(name), "values": get_kernel(name).tolist()}
            for name in list_kernels()]


def _kernel(spec: Any) -> np.ndarray:
    kernel = as_kernel(spec)
    if kernel.shape[0] > 7 or kernel.shape[1] > 7:
        raise ValueError(f"the playground takes kernels up to 7×7, got {kernel.shape[0]}×{kernel.shape[1]}")
    if not np.all(np.isfinite(kernel)):
        raise ValueError("kernel values must be finite numbers")
    return kernel


def filter_input(x: np.ndarray, kernel: Any, row: int | None = None, col: int | None = None) -> dict[str, Any]:
    """Filter the model input ``x`` ``(H, W, C)`` (channels averaged to grey) with ``kernel`` (a name, text such as
    ``"0 -1 0; -1 5 -1; 0 -1 0"`` or rows of numbers), zero-padded to keep the size.

    Returns ``kernel`` (rows), ``shape``, ``input`` (uint8 base64 of the grey image in [0, 1]), ``output`` (floats,
    row-major), ``min``/``max`` and ``step``: the sum of products for output pixel (``row``, ``col``) (default: the
    centre), the same text as ``convlens explain conv2d``.
    """
    k = _kernel(kernel)
    image = grey(np.asarray(x, np.float64))
    note = ""
    if max(image.shape) > LARGEST:
        factor = LARGEST / max(image.shape)
        size = (max(1, round(image.shape[1] * factor)), max(1, round(image.shape[0] * factor)))
        image = np.asarray(Image.fromarray(image.astype(np.float32), "F").resize(size, Image.Resampling.BOX),
                           np.float64)
        note = f"input resized to {image.shape[0]}×{image.shape[1]} for the playground"
    trace = conv2d(image, k, padding="same")
    h, w = trace.output.shape
    row = h // 2 if row is None else int(row)
    col = w // 2 if col is None else int(col)
    if not (0 <= row < h and 0 <= col < w):
        raise ValueError(f"pixel ({row}, {col}) is outside the {h}×{w} output")
    step = str(trace.steps[row * w + col]).replace("]\n", "] of the zero-padded input\n", 1)
    pixels = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return {"kernel": k.tolist(), "shape": [h, w], "input": base64.b64encode(pixels.tobytes()).decode("ascii"),
            "output": trace.output.ravel().tolist(), "min": float(trace.output.min()),
            "max": float(trace.output.max()), "row": row, "col": col, "step": step, "note": note}
