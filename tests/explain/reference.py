"""A deliberately naive loop implementation to check the explainer against (tests only)."""
from __future__ import annotations

import numpy as np


def brute_conv2d(image, kernel, stride=(1, 1), pads=((0, 0), (0, 0)), bias=0.0) -> np.ndarray:
    x = np.asarray(image, dtype=float)
    w = np.asarray(kernel, dtype=float)
    if x.ndim == 2:
        x, w = x[..., None], w[..., None]
    x = np.pad(x, (pads[0], pads[1], (0, 0)))
    kh, kw = w.shape[:2]
    rows = (x.shape[0] - kh) // stride[0] + 1
    cols = (x.shape[1] - kw) // stride[1] + 1
    out = np.zeros((rows, cols))
    for i in range(rows):
        for j in range(cols):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    for c in range(x.shape[2]):
                        total += x[i * stride[0] + a, j * stride[1] + b, c] * w[a, b, c]
            out[i, j] = total + bias
    return out
