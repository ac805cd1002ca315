"""The backward pass of a convolution, shown: dL/dinput is a full convolution of the upstream gradient with the
spatially flipped kernel (a transposed convolution); dL/dkernel correlates the input with the upstream gradient."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from convlens.explain import _core
from convlens.explain.conv import ConvTrace, conv2d
from convlens.explain.text import block, number

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class BackwardTrace:
    """Every intermediate of :func:`conv2d_backward`; arrays keep the image's layout (channel axis or not).

    ``dilated_grad`` is the upstream gradient with ``stride - 1`` zeros between its values, ``padded_grad`` that
    plus ``k - 1`` zeros around it (and any rows/columns the forward stride skipped), ``transposed`` the
    step-by-step :class:`ConvTrace` of ``padded_grad`` with the flipped kernel, one per input channel.
    """

    upstream_grad: np.ndarray
    flipped_kernel: np.ndarray
    dilated_grad: np.ndarray
    padded_grad: np.ndarray
    grad_input_padded: np.ndarray
    grad_input: np.ndarray
    grad_kernel: np.ndarray
    grad_bias: float
    padding: tuple[tuple[int, int], ...]
    strides: tuple[int, int]
    transposed: tuple[ConvTrace, ...]

    def __str__(self) -> str:
        return "\n\n".join([
            f"conv2d backward: stride {self.strides}, padding {self.padding}",
            block("upstream gradient dL/doutput", self.upstream_grad),
            block(f"dilated by the stride {self.strides} (zeros between values)", self.dilated_grad),
            block("padded by kernel size - 1 on every side (full convolution)", self.padded_grad),
            block("kernel flipped in both spatial axes", self.flipped_kernel),
            block("dL/dinput (padded) = padded gradient ⋆ flipped kernel", self.grad_input_padded),
            block("dL/dinput (padding cropped)", self.grad_input),
            block("dL/dkernel = padded input ⋆ dilated gradient", self.grad_kernel),
            f"dL/dbias = sum of the upstream gradient = {number(self.grad_bias)}",
        ])

    def figure(self, channel: int = 0) -> Figure:
        """Five panels for one input channel: upstream gradient, padded gradient, flipped kernel, dL/dinput,
        dL/dkernel."""
        from matplotlib.figure import Figure

        from convlens.explain.figure import draw_matrix

        def pick(array: np.ndarray) -> np.ndarray:
            return array[..., channel] if array.ndim == 3 else array

        fig = Figure(figsize=(16, 3.6), layout="constrained")
        axes = fig.subplots(1, 5)
        draw_matrix(axes[0], self.upstream_grad, "upstream gradient")
        draw_matrix(axes[1], self.padded_grad, "dilated + padded gradient")
        draw_matrix(axes[2], pick(self.flipped_kernel), "flipped kernel", cmap="coolwarm")
        draw_matrix(axes[3], pick(self.grad_input), "dL/dinput")
        draw_matrix(axes[4], pick(self.grad_kernel), "dL/dkernel", cmap="coolwarm")
        return fig


def conv2d_backward(image: object, kernel: object, upstream_grad: object, stride: int | tuple[int, int] = 1,
                    padding: object = 0) -> BackwardTrace:
    """Gradients of ``conv2d(image, kernel, stride, padding)`` given ``upstream_grad`` = dL/doutput.

    >>> back = conv2d_backward([[1, 2], [3, 4]], [[1, 2], [3, 4]], [[1]])
    >>> back.grad_input.tolist(), back.grad_kernel.tolist()
    ([[1.0, 2.0], [3.0, 4.0]], [[1.0, 2.0], [3.0, 4.0]])
    """
    forward = conv2d(image, kernel, stride, padding)
    g = np.asarray(upstream_grad, dtype=np.float64)
    if g.shape != forward.output.shape:
        raise ValueError(f"upstream_grad must have the forward output's shape {forward.output.shape}, got {g.shape}")
    (sh, sw), (kh, kw) = forward.strides, forward.kernel.shape[:2]
    hp, wp = forward.padded.shape[:2]
    dilated = np.zeros(((g.shape[0] - 1) * sh + 1, (g.shape[1] - 1) * sw + 1))
    dilated[::sh, ::sw] = g
    # Rows/columns the forward pass never reached (stride did not divide evenly) get zero gradient: pad them too.
    extra_h, extra_w = hp - (dilated.shape[0] + kh - 1), wp - (dilated.shape[1] + kw - 1)
    padded_grad = np.pad(dilated, ((kh - 1, kh - 1 + extra_h), (kw - 1, kw - 1 + extra_w)))
    flipped = forward.kernel[::-1, ::-1, :]
    transposed = tuple(conv2d(padded_grad, flipped[..., c]) for c in range(flipped.shape[-1]))
    grad_padded = np.stack([t.output for t in transposed], axis=-1)
    (top, bottom), (left, right) = forward.padding
    grad_input = grad_padded[top:hp - bottom, left:wp - right]
    patches = _core.windows(forward.padded, (kh, kw), forward.strides)  # (Ho, Wo, kh, kw, C)
    grad_kernel = np.tensordot(g, patches, axes=2)
    if not forward.channels:
        flipped, grad_padded, grad_input, grad_kernel = (a[..., 0] for a in (flipped, grad_padded, grad_input,
                                                                               grad_kernel))
    return BackwardTrace(g, flipped, dilated, padded_grad, grad_padded, grad_input, grad_kernel, float(g.sum()),
                         forward.padding, forward.strides, transposed)
