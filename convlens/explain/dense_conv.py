"""A Dense layer is a convolution whose kernel covers the whole input (the notes' "Pro Tip"): flattening an
``(H, W, C)`` map and multiplying by a Dense kernel ``(H·W·C, units)`` gives the same numbers as sliding ``units``
filters of size ``H×W×C`` over the map, which fit in exactly one position.

Example:
    >>> import numpy as np
    >>> features = np.arange(12.0).reshape(2, 2, 3)
    >>> kernel = np.linspace(-1, 1, 12 * 4).reshape(12, 4)
    >>> same = dense_as_conv(features, kernel, bias=[0.5, 0, 0, -1])
    >>> same.dense.round(6).tolist() == same.conv.round(6).tolist(), same.filter_shape
    (True, (2, 2, 3))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convlens.explain.conv import ConvTrace, conv2d
from convlens.explain.text import number


@dataclass(frozen=True)
class DenseAsConv:
    """``dense``: ``flatten(features) · kernel + bias``; ``conv``: each unit's column of ``kernel`` reshaped to an
    ``H×W×C`` filter and slid over ``features`` (one position) plus its bias; ``traces``: those convolutions."""

    features: np.ndarray
    kernel: np.ndarray
    bias: np.ndarray
    dense: np.ndarray
    conv: np.ndarray
    traces: tuple[ConvTrace, ...]

    @property
    def filter_shape(self) -> tuple[int, int, int]:
        """The shape of the filter each Dense unit is: the whole input."""
        return tuple(self.features.shape)  # type: ignore[return-value]

    @property
    def max_difference(self) -> float:
        """The largest ``|dense − conv|`` over the units (floating-point rounding only)."""
        return float(np.max(np.abs(self.dense - self.conv))) if self.dense.size else 0.0

    def to_text(self, units: int = 4) -> str:
        """The two computations side by side for the first ``units`` units."""
        h, w, c = self.filter_shape
        lines = [f"Flatten → Dense: the {h}×{w}×{c} map becomes {h * w * c} numbers, times a ({h * w * c}, "
                 f"{len(self.dense)}) kernel, plus bias",
                 f"Conv2D, kernel {h}×{w} over {c} channels (the whole input), {len(self.dense)} filters, valid "
                 f"padding: each filter fits once → 1×1×{len(self.dense)}"]
        for u in range(min(units, len(self.dense))):
            lines.append(f"  unit {u}: dense {number(self.dense[u])}   conv {number(self.conv[u])}")
        lines.append(f"largest difference: {self.max_difference:.2g} (floating-point rounding)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def dense_as_conv(features: object, kernel: object, bias: object = None) -> DenseAsConv:
    """Compute a Dense layer on ``features`` ``(H, W, C)`` both ways: flattened (Keras's ``(H, W, C)`` order) times
    ``kernel`` ``(H·W·C, units)``, and as a convolution with ``units`` whole-input filters.
    """
    x = np.asarray(features, dtype=np.float64)
    if x.ndim == 2:
        x = x[..., None]
    w = np.asarray(kernel, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"features must be a feature map (H, W[, C]), got shape {np.shape(features)}")
    if w.ndim != 2 or w.shape[0] != x.size:
        raise ValueError(f"kernel must have shape ({x.size}, units) for a {x.shape} input (Keras's Dense layout), "
                         f"got {np.shape(kernel)}")
    b = np.zeros(w.shape[1]) if bias is None else np.asarray(bias, dtype=np.float64).reshape(-1)
    if b.shape != (w.shape[1],):
        raise ValueError(f"bias must have {w.shape[1]} values (one per unit), got shape {np.shape(bias)}")
    dense = x.reshape(-1) @ w + b
    filters = w.reshape(*x.shape, w.shape[1])  # row-major: the same (H, W, C) order Flatten uses
    traces = tuple(conv2d(x, filters[..., u], bias=float(b[u])) for u in range(w.shape[1]))
    conv = np.array([trace.output[0, 0] for trace in traces])
    return DenseAsConv(x, w, b, dense, conv, traces)
