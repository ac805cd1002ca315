"""``Normalization``: standardize features with a mean and variance given up front or learned by ``adapt(data)``.

Example:
    >>> import numpy as np
    >>> layer = Normalization()
    >>> layer.adapt(np.array([[0.0, 10.0], [2.0, 30.0]]))
    >>> layer.get_weights()[0].tolist(), layer.get_weights()[1].tolist()
    ([1.0, 20.0], [1.0, 100.0])
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
import torch

from convlens import arithmetic
from convlens.arithmetic import ParamCount
from convlens.layers.base import Layer, Shape

EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


def _batches(data: Any) -> Iterable[torch.Tensor]:
    """One array, or an iterable / Keras-``Sequence`` of batches (``(x, y)`` batches give their ``x``)."""
    if isinstance(data, (np.ndarray, torch.Tensor)):
        yield torch.as_tensor(data)
        return
    if hasattr(data, "__len__") and hasattr(data, "__getitem__") and not isinstance(data, (list, tuple)):
        items: Iterable[Any] = (data[i] for i in range(len(data)))
    elif isinstance(data, Iterable):
        items = data
    else:
        raise ValueError(f"adapt() takes a NumPy array, a tensor or an iterable of batches, got {type(data).__name__}")
    for batch in items:
        if isinstance(batch, (tuple, list)) and batch and not np.isscalar(batch[0]):
            batch = batch[0]
        yield torch.as_tensor(np.asarray(batch) if not isinstance(batch, torch.Tensor) else batch)


class Normalization(Layer):
    """``(x - mean) / sqrt(variance)`` per index of ``axis`` (default: per channel); ``invert=True`` undoes it.

    ``axis=None`` keeps one scalar mean and variance. Give ``mean`` and ``variance`` together, or call
    ``adapt(data)`` with a NumPy array, a tensor or an iterable of batches. Adapted statistics are the weights
    ``[mean, variance, count]`` in Keras's order (not trained).
    """

    def __init__(self, axis: int | Sequence[int] | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis is None:
            self.axis: tuple[int, ...] = ()
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = (axis,)
        elif isinstance(axis, (tuple, list)) and all(isinstance(a, int) for a in axis):
            self.axis = tuple(axis)
        else:
            raise ValueError(f"axis must be an int, a tuple of ints or None, got {axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError(f"give mean and variance together, got mean={mean!r} and variance={variance!r}")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(f"mean and variance must have the same shape, got {np.shape(mean)} and "
                             f"{np.shape(variance)}")
        self.input_mean, self.input_variance, self.invert = mean, variance, bool(invert)

    # --- shapes -----------------------------------------------------------------------------------------------------
    def _axes(self, input_shape: Shape) -> tuple[tuple[int, ...], tuple[int, ...], list[int]]:
        """Kept axes, their sizes, and the shape the statistics broadcast to."""
        rank = len(input_shape)
        if any(not -rank < a < rank or a % rank == 0 for a in self.axis):
            raise self.shape_error(input_shape, f"axis {self.axis} must name non-batch axes of a rank-{rank} input")
        keep = tuple(sorted(a % rank for a in self.axis))
        if any(input_shape[a] is None for a in keep):
            raise self.shape_error(input_shape, f"the normalized axes {keep} must have known sizes")
        broadcast = [input_shape[d] if d in keep else 1 for d in range(rank)]
        return keep, tuple(input_shape[a] for a in keep), broadcast

    def build(self, input_shape: Shape) -> None:
        keep, stat_shape, self._broadcast = self._axes(input_shape)
        self._reduce = tuple(d for d in range(len(input_shape)) if d not in keep)
        if self.input_mean is None:
            self.register_buffer("mean", torch.zeros(stat_shape))
            self.register_buffer("variance", torch.ones(stat_shape))
            self.register_buffer("count", torch.zeros((), dtype=torch.int64))
        else:  # fixed statistics live in the config, not in the weights, as in Keras
            mean = torch.as_tensor(np.asarray(self.input_mean, dtype="float32"))
            variance = torch.as_tensor(np.asarray(self.input_variance, dtype="float32"))
            self.register_buffer("mean", mean.expand(stat_shape).clone(), persistent=False)
            self.register_buffer("variance", variance.expand(stat_shape).clone(), persistent=False)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._axes(input_shape)
        return tuple(input_shape)

    # --- adapt ------------------------------------------------------------------------------------------------------
    def adapt(self, data: Any) -> None:
        """Learn the mean and variance of ``data`` (combined exactly across batches, in float64)."""
        if self.input_mean is not None:
            raise ValueError(f"layer {self.name!r} was given mean and variance; adapt() would replace them")
        total_mean = total_var = None
        total = 0
        for batch in _batches(data):
            if not self.built:
                self.build_for((None, *batch.shape[1:]))
            batch = batch.detach().to("cpu", torch.float64)
            if batch.ndim != len(self._broadcast):
                raise ValueError(f"layer {self.name!r} was built for rank {len(self._broadcast)} inputs, "
                                 f"adapt() got a batch of shape {tuple(batch.shape)}")
            n = int(np.prod([batch.shape[d] for d in self._reduce])) if self._reduce else 1
            if n == 0:
                continue
            mean = batch.mean(dim=self._reduce) if self._reduce else batch
            var = batch.var(dim=self._reduce, unbiased=False) if self._reduce else torch.zeros_like(batch)
            if total_mean is None:
                total_mean, total_var, total = mean, var, n
                continue
            # Chan et al.: merge two groups' means and (population) variances exactly.
            new_total = total + n
            delta = mean - total_mean
            total_var = (total * total_var + n * var) / new_total + delta ** 2 * total * n / new_total ** 2
            total_mean = total_mean + delta * n / new_total
            total = new_total
        if total_mean is None:
            raise ValueError(f"adapt() of layer {self.name!r} got no data")
        with torch.no_grad():
            self.mean.copy_(total_mean.reshape(self.mean.shape))
            self.variance.copy_(total_var.reshape(self.variance.shape))
            self.count.fill_(total)

    # --- forward ----------------------------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x if x.is_floating_point() else x.to(torch.get_default_dtype())
        shape = [1, *self._broadcast[1:]]
        mean = self.mean.reshape(shape).to(x.dtype)
        std = self.variance.reshape(shape).to(x.dtype).sqrt().clamp_min(EPSILON)
        return mean + x * std if self.invert else (x - mean) / std

    # --- weights and arithmetic -------------------------------------------------------------------------------------
    def weight_tensors(self) -> list[torch.Tensor]:
        return [] if self.input_mean is not None else [self.mean, self.variance, self.count]

    def _from_keras(self, index: int, array: torch.Tensor) -> torch.Tensor:
        # the count is a scalar; files that store scalars as one-element arrays still load
        return array.reshape(()) if index == 2 and array.numel() == 1 else array

    def param_count(self, input_shape: Shape) -> ParamCount:
        if self.input_mean is not None:
            return arithmetic.NO_PARAMS
        return arithmetic.normalization_params(self._axes(input_shape)[1])

    def get_config(self) -> dict[str, Any]:
        plain = (lambda v: None if v is None else np.asarray(v).tolist())
        return {**super().get_config(), "axis": list(self.axis) if self.axis else None,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance), "invert": self.invert}


__all__ = ["Normalization"]
