"""Neural-network ops, Keras 3's ``keras.ops.nn`` (also reachable as ``keras.ops.relu`` …): activations,
``one_hot``, channels-last ``conv`` / ``max_pool`` / ``average_pool``, and the cross-entropies per sample.

Convolution and pooling take ``(N, *spatial, C)`` inputs and a Keras kernel ``(*k, C_in, C_out)``; ``'same'``
padding is TensorFlow's (``convlens.arithmetic.explicit_padding``).

Example:
    >>> import numpy as np
    >>> softmax(np.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    >>> one_hot(np.array([2, 0]), 3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch
import torch.nn.functional as F

from convlens import arithmetic
from convlens.arithmetic import normalize_tuple
from convlens.backend import epsilon
from convlens.ops.dispatch import floating, operation, to_tensor, torch_dtype

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _activation(name: str, fn: Any) -> Any:
    def op(x: Any) -> torch.Tensor:
        return fn(floating(to_tensor(x)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"The ``{name}`` activation, element-wise, as ``keras.ops.{name}``."
    return operation(op, pointwise=True)


relu = _activation("relu", torch.relu)
relu6 = _activation("relu6", F.relu6)
sigmoid = _activation("sigmoid", torch.sigmoid)
softplus = _activation("softplus", F.softplus)
softsign = _activation("softsign", F.softsign)
silu = _activation("silu", F.silu)
swish = _activation("swish", F.silu)
selu = _activation("selu", F.selu)
hard_sigmoid = _activation("hard_sigmoid", lambda x: F.relu6(x + 3.0) / 6.0)
log_sigmoid = _activation("log_sigmoid", F.logsigmoid)
hard_silu = _activation("hard_silu", F.hardswish)
hard_swish = _activation("hard_swish", F.hardswish)
hard_tanh = _activation("hard_tanh", F.hardtanh)
tanh_shrink = _activation("tanh_shrink", F.tanhshrink)


@operation(pointwise=True)
def celu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """``max(0, x) + min(0, alpha·(exp(x / alpha) − 1))``."""
    return F.celu(floating(to_tensor(x)), alpha=alpha)


@operation(pointwise=True)
def hard_shrink(x: Any, threshold: float = 0.5) -> torch.Tensor:
    """``x`` where ``|x| > threshold``, else 0."""
    return F.hardshrink(floating(to_tensor(x)), lambd=threshold)


@operation(pointwise=True)
def soft_shrink(x: Any, threshold: float = 0.5) -> torch.Tensor:
    """``x`` moved ``threshold`` towards 0, and 0 within ``threshold``."""
    return F.softshrink(floating(to_tensor(x)), lambd=threshold)


@operation(pointwise=True)
def squareplus(x: Any, b: float = 4.0) -> torch.Tensor:
    """``(x + sqrt(x² + b)) / 2``."""
    value = floating(to_tensor(x))
    return (value + torch.sqrt(value * value + b)) / 2.0


@operation(pointwise=True)
def threshold(x: Any, threshold: float, default_value: float) -> torch.Tensor:
    """``x`` where ``x > threshold``, else ``default_value``."""
    return F.threshold(floating(to_tensor(x)), threshold, default_value)


@operation
def glu(x: Any, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: the first half of ``axis`` times the sigmoid of the second half."""
    return F.glu(floating(to_tensor(x)), dim=axis)


@operation(pointwise=True)
def elu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """``x`` if positive, else ``alpha·(exp(x) - 1)``."""
    return F.elu(floating(to_tensor(x)), alpha=alpha)


@operation(pointwise=True)
def leaky_relu(x: Any, negative_slope: float = 0.2) -> torch.Tensor:
    """``x`` if positive, else ``negative_slope·x`` (Keras's default slope is 0.2)."""
    return F.leaky_relu(floating(to_tensor(x)), negative_slope)


@operation(pointwise=True)
def gelu(x: Any, approximate: bool = True) -> torch.Tensor:
    """Gaussian error linear unit; Keras's default is the tanh approximation."""
    return F.gelu(floating(to_tensor(x)), approximate="tanh" if approximate else "none")


@operation
def softmax(x: Any, axis: int = -1) -> torch.Tensor:
    """``exp(x) / sum(exp(x))`` along ``axis``."""
    return torch.softmax(floating(to_tensor(x)), dim=axis)


@operation
def log_softmax(x: Any, axis: int = -1) -> torch.Tensor:
    """``log(softmax(x))`` along ``axis``, computed stably."""
    return torch.log_softmax(floating(to_tensor(x)), dim=axis)


@operation
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None) -> torch.Tensor:
    """Integer labels as one-hot vectors along a new ``axis`` (float32 unless ``dtype``); labels outside
    ``0…num_classes-1`` give all zeros, as in Keras."""
    labels = to_tensor(x).long()
    classes = torch.arange(num_classes, device=labels.device)
    encoded = (labels.unsqueeze(-1) == classes).to(torch_dtype(dtype) or torch.float32)
    return encoded if axis == -1 else encoded.movedim(-1, axis)


@operation
def moments(x: Any, axes: Sequence[int], keepdims: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and (population) variance over ``axes``."""
    value = floating(to_tensor(x))
    dims = tuple(axes)
    return value.mean(dim=dims, keepdim=keepdims), value.var(dim=dims, keepdim=keepdims, correction=0)


# --- sliding windows, channels-last ---------------------------------------------------------------------------------
def _rank(inputs: torch.Tensor, data_format: str | None) -> int:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"data_format must be 'channels_last' (convlens arrays are channels-last), got "
                         f"{data_format!r}")
    if inputs.ndim not in (3, 4, 5):
        raise ValueError(f"inputs must be (N, *spatial, C) with 1 to 3 spatial axes, got shape {tuple(inputs.shape)}")
    return inputs.ndim - 2


def _padded(x: torch.Tensor, window: tuple, strides: tuple, padding: str, dilation: tuple,
            value: float = 0.0) -> tuple[torch.Tensor, list[int]]:
    """Pad a channels-first view as TensorFlow does for ``'same'``; returns the padded view and the flat pads."""
    if padding.lower() not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    pads = [arithmetic.explicit_padding(n, k, s, padding.lower(), d)
            for n, k, s, d in zip(x.shape[2:], window, strides, dilation)]
    flat = [p for pair in reversed(pads) for p in pair]
    return (F.pad(x, flat, value=value) if any(flat) else x), flat


@operation
def conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid", data_format: str | None = None,
         dilation_rate: Any = 1) -> torch.Tensor:
    """Convolve ``(N, *spatial, C_in)`` inputs with a Keras kernel ``(*k, C_in / groups, C_out)``."""
    x = floating(to_tensor(inputs))
    rank = _rank(x, data_format)
    w = to_tensor(kernel, dtype=x.dtype, like=x)
    strides, dilation = normalize_tuple(strides, rank, "strides"), normalize_tuple(dilation_rate, rank, "dilation_rate")
    groups = x.shape[-1] // w.shape[-2]
    weight = w.permute(rank + 1, rank, *range(rank))
    padded, _ = _padded(x.movedim(-1, 1), tuple(w.shape[:rank]), strides, padding, dilation)
    return _CONV[rank](padded, weight, None, strides, 0, dilation, groups).movedim(1, -1)


@operation
def depthwise_conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid",
                   data_format: str | None = None, dilation_rate: Any = 1) -> torch.Tensor:
    """Depthwise convolution with a Keras kernel ``(*k, C_in, depth_multiplier)``."""
    x = floating(to_tensor(inputs))
    rank = _rank(x, data_format)
    w = to_tensor(kernel, dtype=x.dtype, like=x)
    merged = w.reshape(*w.shape[:rank], 1, w.shape[-2] * w.shape[-1])
    return conv.eager(x, merged, strides, padding, data_format, dilation_rate)


def _pool(mode: str, inputs: Any, pool_size: Any, strides: Any, padding: str, data_format: str | None
          ) -> torch.Tensor:
    x = floating(to_tensor(inputs))
    rank = _rank(x, data_format)
    window = normalize_tuple(pool_size, rank, "pool_size")
    step = window if strides is None else normalize_tuple(strides, rank, "strides")
    first = x.movedim(-1, 1)
    if mode == "max":
        padded, _ = _padded(first, window, step, padding, (1,) * rank, value=-math.inf)
        return _MAX[rank](padded, window, step).movedim(1, -1)
    padded, flat = _padded(first, window, step, padding, (1,) * rank)
    total = _AVG[rank](padded, window, step)
    if any(flat):  # TensorFlow averages 'same' windows over the real cells only
        ones = F.pad(torch.ones((1, 1, *first.shape[2:]), dtype=x.dtype, device=x.device), flat)
        total = total / _AVG[rank](ones, window, step)
    return total.movedim(1, -1)


@operation
def max_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> torch.Tensor:
    """Largest value of each window of ``(N, *spatial, C)`` inputs; ``strides`` default to ``pool_size``."""
    return _pool("max", inputs, pool_size, strides, padding, data_format)


@operation
def average_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> torch.Tensor:
    """Mean of each window of ``(N, *spatial, C)`` inputs; ``strides`` default to ``pool_size``."""
    return _pool("average", inputs, pool_size, strides, padding, data_format)


# --- cross-entropies, per sample (no reduction over the batch) ------------------------------------------------------
def _pair(target: Any, output: Any) -> tuple[torch.Tensor, torch.Tensor]:
    out = floating(to_tensor(output))
    return to_tensor(target, like=out).to(out.dtype), out


@operation
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> torch.Tensor:
    """Element-wise binary cross-entropy (probabilities are clipped to ``[ε, 1 − ε]`` as Keras does)."""
    t, o = _pair(target, output)
    if t.shape != o.shape:
        raise ValueError(f"target and output must have the same shape, got {tuple(t.shape)} and {tuple(o.shape)}")
    if from_logits:
        return F.binary_cross_entropy_with_logits(o, t, reduction="none")
    o = o.clamp(epsilon(), 1.0 - epsilon())
    return -(t * torch.log(o) + (1.0 - t) * torch.log(1.0 - o))


@operation
def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> torch.Tensor:
    """Cross-entropy of one-hot (or soft) ``target`` against ``output`` along ``axis``, one value per sample."""
    t, o = _pair(target, output)
    if t.shape != o.shape:
        raise ValueError(f"target and output must have the same shape, got {tuple(t.shape)} and {tuple(o.shape)}")
    if from_logits:
        log_prob = torch.log_softmax(o, dim=axis)
    else:
        o = o / o.sum(dim=axis, keepdim=True)
        log_prob = torch.log(o.clamp(epsilon(), 1.0 - epsilon()))
    return -(t * log_prob).sum(dim=axis)


@operation
def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> torch.Tensor:
    """Cross-entropy of integer ``target`` labels against ``output`` along ``axis`` (a trailing label axis of 1 is
    dropped), one value per sample."""
    o = floating(to_tensor(output))
    labels = to_tensor(target, like=o)
    if labels.ndim == o.ndim and labels.shape[-1] == 1:
        labels = labels.squeeze(-1)
    if labels.ndim != o.ndim - 1:
        raise ValueError(f"target must have one axis fewer than output (the class axis), got shapes "
                         f"{tuple(labels.shape)} and {tuple(o.shape)}")
    encoded = one_hot.eager(labels, o.shape[axis], axis=axis, dtype=o.dtype)
    return categorical_crossentropy.eager(encoded, o, from_logits, axis)


__all__ = ["average_pool", "binary_crossentropy", "categorical_crossentropy", "celu", "conv", "depthwise_conv",
           "elu", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish", "hard_tanh", "soft_shrink",
           "squareplus", "tanh_shrink", "threshold", "leaky_relu", "log_sigmoid", "log_softmax", "max_pool", "moments", "one_hot",
           "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softplus", "softsign",
           "sparse_categorical_crossentropy", "swish"]
