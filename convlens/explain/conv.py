"""Step-by-step cross-correlation ("convolution" in deep learning) in NumPy: ``conv1d`` and ``conv2d``."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from convlens.arithmetic import conv_output_length
from convlens.explain import _core
from convlens.explain.html import channel_tables, step_texts, trace_html
from convlens.explain.steps import ConvStep, Steps
from convlens.explain.text import block, number, trace_text

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class ConvTrace:
    """The result of :func:`conv2d` / :func:`conv1d` with every step that produced it.

    ``padded`` and ``kernel`` are channels-last (a trailing channel axis is added to 2-D inputs); ``output`` has
    only the spatial axes. ``steps[i]`` is built on access, in row-major order of the output.
    """

    op: str
    input: np.ndarray
    padded: np.ndarray
    kernel: np.ndarray
    strides: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    bias: float
    output: np.ndarray
    channels: bool = field(default=False)

    @property
    def rank(self) -> int:
        """Number of spatial axes: 1 for conv1d, 2 for conv2d."""
        return len(self.strides)

    @cached_property
    def _windows(self) -> np.ndarray:
        return _core.windows(self.padded, self.kernel.shape[:-1], self.strides)

    @property
    def steps(self) -> Steps[ConvStep]:
        """One :class:`ConvStep` per output value."""
        return Steps(self.output.shape, self._step)

    def _step(self, position: tuple[int, ...]) -> ConvStep:
        patch = np.array(self._windows[position])
        products = patch * self.kernel
        if not self.channels:
            patch, products = patch[..., 0], products[..., 0]
        origin = tuple(p * s for p, s in zip(position, self.strides))
        return ConvStep(position, origin, patch, products, float(products.sum()), self.bias)

    def to_text(self, max_steps: int | None = 20) -> str:
        """The whole trace as text; at most ``max_steps`` steps are written out (None: all of them)."""
        kernel = self.kernel if self.channels else self.kernel[..., 0]
        padded = self.padded if self.channels else self.padded[..., 0]
        header = [
            f"{self.op}: input {_core.shape_text(np.shape(self.input))}, kernel {_core.shape_text(kernel.shape)}, "
            f"stride {self.strides}, padding {self.padding}, bias {number(self.bias)} → output "
            f"{_core.shape_text(self.output.shape)}",
            block("kernel", kernel),
            block("input (padded)" if any(sum(p) for p in self.padding) else "input", padded),
        ]
        return trace_text(header, self.steps, self.output, max_steps)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        """Jupyter's view: the header, input / kernel / output as tables (padding grey), the first two steps."""
        pad_mask = np.ones(self.padded.shape, bool)
        pad_mask[tuple(slice(a, n - b) for (a, b), n in zip(self.padding, self.padded.shape))] = False
        header = self.to_text(max_steps=0).split("\n\n")[0]
        tables = [*channel_tables("input (padded)" if pad_mask.any() else "input",
                                  self.padded if self.channels else self.padded[..., 0], self.channels,
                                  pad_mask if self.channels else pad_mask[..., 0]),
                  *channel_tables("kernel", self.kernel if self.channels else self.kernel[..., 0], self.channels),
                  *channel_tables("output", self.output, False)]
        return trace_html(header, tables, *step_texts(self.steps))

    def figure(self, step: int = 0) -> Figure:
        """Step ``step`` drawn per channel: the patch outlined on the padded input (padding hatched), the kernel,
        patch × kernel = products, and the output filled so far; the caption adds the products up (+ bias).
        Colour scales are fixed for the whole trace."""
        from convlens.explain.figure import DIVERGING, Panel, Scale, partial_output, step_figure

        current = self.steps[step]
        index = step % len(self.steps)
        channels = self.padded.shape[-1]
        suffix = [f" channel {c}" if self.channels else "" for c in range(channels)]
        padded = any(sum(p) for p in self.padding)
        pad_mask = np.pad(np.zeros(np.shape(self.padded)[:-1], bool)[tuple(slice(a, -b or None) for a, b in
                                                                         self.padding)], self.padding,
                          constant_values=True)
        patch = self._windows[current.position]  # (*window, C)
        products = patch * self.kernel
        input_scale = Scale.of(self.padded, "gray")
        kernel_scale = Scale.of(self.kernel, DIVERGING)
        product_scale = Scale.of(self._windows * self.kernel, DIVERGING)  # every step's products: one scale
        rows = [[Panel(self.padded[..., c], f"input{suffix[c]}" + (" (hatched: padding zeros)" if padded else ""),
                       input_scale, (current.origin, self.kernel.shape[:-1]), pad_mask if padded else None),
                 Panel(self.kernel[..., c], f"kernel{suffix[c]}", kernel_scale),
                 Panel(products[..., c], f"patch × kernel{suffix[c]} = products", product_scale)]
                for c in range(channels)]
        where = ", ".join(map(str, current.position))
        output = Panel(partial_output(self.output, index, self.rank),
                       f"output after step {index} (of 0–{len(self.steps) - 1})", Scale.of(self.output),
                       (current.position, (1,) * self.rank))
        terms = products.ravel()
        added = " + ".join(number(t) for t in terms) + " = " if terms.size <= 12 else ""
        if self.channels and channels > 1:
            added = " + ".join(f"({number(products[..., c].sum())})" for c in range(channels)) + " = "
        bias = f" + bias {number(self.bias)}" if self.bias else ""
        caption = (f"step {index}: sum of the {terms.size} products{' (channel by channel)' if self.channels else ''}"
                   f" = {added}{number(current.total)}{bias} → output[{where}] = {number(current.value)}")
        return step_figure(rows, [output], caption)


def _correlate(op: str, image: object, kernel: object, stride: object, padding: object, bias: float,
               rank: int) -> ConvTrace:
    x, has_channels = _core.with_channels(image, "image", rank)
    w, _ = _core.with_channels(kernel, "kernel", rank)
    _core.check_channels(x, w)
    strides = _core.strides_tuple(stride, rank)
    spatial, window = x.shape[:-1], w.shape[:-1]
    pads = _core.resolve_padding(spatial, window, strides, padding)
    padded = _core.pad(x, pads)
    _core.check_fits(spatial, padded.shape[:-1], window, pads)
    out_shape = tuple(conv_output_length(n, k, s, p) for n, k, s, p in zip(spatial, window, strides, pads))
    patches = _core.windows(padded, window, strides)  # (*out, *window, C)
    assert patches.shape[:rank] == out_shape, (patches.shape, out_shape)
    output = np.tensordot(patches, w, axes=rank + 1) + float(bias)
    return ConvTrace(op, np.asarray(image), padded, w, strides, pads, float(bias), output, has_channels)


def conv2d(image: object, kernel: object, stride: int | tuple[int, int] = 1, padding: object = 0,
           bias: float = 0.0) -> ConvTrace:
    """Slide ``kernel`` over ``image`` (cross-correlation, as deep-learning libraries compute it).

    ``image`` is ``(H, W)`` or ``(H, W, C)``; ``kernel`` is ``(kh, kw)`` or ``(kh, kw, C)``; ``padding`` is an int,
    ``'valid'``, ``'same'``, ``(pad_h, pad_w)`` or ``((top, bottom), (left, right))`` zeros.

    >>> trace = conv2d([[1, 1, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 1, 1]], [[1, 0], [0, 1]])
    >>> trace.output.tolist()[0], trace.steps[0].total
    ([2.0, 2.0, 2.0], 2.0)
    """
    return _correlate("conv2d", image, kernel, stride, padding, bias, rank=2)


def conv1d(signal: object, kernel: object, stride: int = 1, padding: object = 0, bias: float = 0.0) -> ConvTrace:
    """The 1-D version of :func:`conv2d`: ``signal`` is ``(L,)`` or ``(L, C)``, ``kernel`` ``(k,)`` or ``(k, C)``.

    >>> conv1d([1, 2, 3, 4], [1, -1]).output.tolist()
    [-1.0, -1.0, -1.0]
    """
    return _correlate("conv1d", signal, kernel, stride, padding, bias, rank=1)
