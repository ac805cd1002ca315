"""Step-by-step 2-D pooling in NumPy: max, average, sum and L2-norm pooling, channel by channel."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable

import numpy as np

from convlens.arithmetic import pool_output_length
from convlens.explain import _core
from convlens.explain.html import channel_tables, step_texts, trace_html
from convlens.explain.steps import PoolStep, Steps
from convlens.explain.text import block, number, trace_text

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure


def _l2(values: np.ndarray, axis: tuple[int, ...]) -> np.ndarray:
    return np.sqrt(np.nansum(values * values, axis=axis))


# Padding cells are NaN, so every reduction ignores them (as Keras's 'same' pooling does).
POOL_MODES: dict[str, Callable[..., np.ndarray]] = {
    "max": np.nanmax, "average": np.nanmean, "sum": np.nansum, "l2": _l2,
}


@dataclass(frozen=True)
class PoolTrace:
    """The result of :func:`pool2d` with every step; ``padded`` is channels-last with NaN where padding was added."""

    input: np.ndarray
    padded: np.ndarray
    size: tuple[int, int]
    strides: tuple[int, int]
    padding: tuple[tuple[int, int], ...]
    mode: str
    output: np.ndarray
    channels: bool = False

    @cached_property
    def _windows(self) -> np.ndarray:
        return _core.windows(self.padded, self.size, self.strides)

    @property
    def steps(self) -> Steps[PoolStep]:
        """One :class:`PoolStep` per output position (all channels at once)."""
        return Steps(self.output.shape[:2], self._step)

    def _step(self, position: tuple[int, ...]) -> PoolStep:
        patch = np.array(self._windows[position])
        value = self.output[position]
        if not self.channels:
            patch = patch[..., 0]
        origin = tuple(p * s for p, s in zip(position, self.strides))
        return PoolStep(position, origin, patch, self.mode,
                        float(value) if np.ndim(value) == 0 else np.array(value))

    def to_text(self, max_steps: int | None = 20) -> str:
        """The whole trace as text; at most ``max_steps`` steps are written out (None: all of them)."""
        padded = self.padded if self.channels else self.padded[..., 0]
        header = [
            f"pool2d ({self.mode}): input {_core.shape_text(np.shape(self.input))}, window "
            f"{_core.shape_text(self.size)}, stride {self.strides}, padding {self.padding} → output "
            f"{_core.shape_text(self.output.shape)}",
            block("input (padded; · is padding)" if any(sum(p) for p in self.padding) else "input", padded),
        ]
        return trace_text(header, self.steps, self.output, max_steps)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        """Jupyter's view: the header, input and output as tables (padding · in grey), the first two steps."""
        header = self.to_text(max_steps=0).split("\n\n")[0]
        padded = self.padded if self.channels else self.padded[..., 0]
        tables = [*channel_tables("input", padded, self.channels, np.isnan(padded)),
                  *channel_tables("output", self.output, self.channels)]
        return trace_html(header, tables, *step_texts(self.steps))

    def figure(self, step: int = 0) -> Figure:
        """Step ``step`` drawn per channel: the window outlined on the input (padding hatched), the window alone
        with the value max pooling picks outlined in gold, and the output filled so far. Colour scales are fixed
        for the whole trace."""
        from convlens.explain.figure import Panel, Scale, partial_output, step_figure

        current = self.steps[step]
        index = step % len(self.steps)
        channels = self.padded.shape[-1]
        out = self.output if self.channels else self.output[..., np.newaxis]
        partial = partial_output(out, index, 2)
        suffix = [f" channel {c}" if self.channels else "" for c in range(channels)]
        patch = self._windows[current.position]  # (ph, pw, C)
        pad_mask = np.isnan(self.padded)
        padded = bool(pad_mask.any())
        scale = Scale.of(self.padded)  # input, window and a max/average output share the input's values
        out_scale = scale if self.mode in ("max", "average") else Scale.of(out)
        rows = []
        for c in range(channels):
            marks: list[tuple[int, int]] = []
            if self.mode == "max":
                flat = np.nanargmax(patch[..., c])
                marks = [tuple(int(i) for i in np.unravel_index(flat, patch.shape[:2]))]
            chosen = number(out[current.position][c])
            rows.append([
                Panel(self.padded[..., c], f"input{suffix[c]}" + (" (hatched: padding, ignored)" if padded else ""),
                      scale, (current.origin, self.size), pad_mask[..., c] if padded else None,
                      [(current.origin[0] + r, current.origin[1] + q) for r, q in marks]),
                Panel(patch[..., c], f"window{suffix[c]} → {self.mode} = {chosen}"
                      + (" (gold)" if marks else ""), scale, None, np.isnan(patch[..., c]) if padded else None,
                      marks)])
        outputs = [Panel(partial[..., c], f"output{suffix[c]} after step {index} (of 0–{len(self.steps) - 1})",
                         out_scale, (current.position, (1, 1))) for c in range(channels)]
        where = ", ".join(map(str, current.position))
        values = [number(out[current.position][c]) for c in range(channels)]
        caption = f"step {index}: output[{where}] = {self.mode} of the window = {', '.join(values)}"
        return step_figure(rows, outputs, caption)


def pool2d(image: object, size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None,
           mode: str = "max", padding: str = "valid") -> PoolTrace:
    """Pool ``image`` (``(H, W)`` or ``(H, W, C)``, each channel on its own) with a ``size`` window.

    ``stride`` defaults to ``size`` (as in Keras); ``mode`` is ``'max'``, ``'average'``, ``'sum'`` or ``'l2'``;
    ``padding`` is ``'valid'`` or ``'same'`` (padded cells are ignored, not counted as zeros).

    >>> pool2d([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2).output.astype(int).tolist()
    [[6, 8], [3, 4]]
    """
    if mode not in POOL_MODES:
        raise ValueError(f"mode must be one of {sorted(POOL_MODES)}, got {mode!r}")
    if padding not in ("valid", "same"):
        raise ValueError(f"pooling padding must be 'valid' or 'same', got {padding!r}")
    x, has_channels = _core.with_channels(image, "image", 2)
    window = _core.strides_tuple(size, 2, "size")
    strides = window if stride is None else _core.strides_tuple(stride, 2)
    spatial = x.shape[:-1]
    pads = _core.resolve_padding(spatial, window, strides, padding)
    padded = _core.pad(x, pads, value=np.nan)
    _core.check_fits(spatial, padded.shape[:-1], window, pads, what="pool window")
    out_shape = tuple(pool_output_length(n, k, s, padding) for n, k, s in zip(spatial, window, strides))
    patches = _core.windows(padded, window, strides)  # (Ho, Wo, ph, pw, C)
    assert patches.shape[:2] == out_shape, (patches.shape, out_shape)
    output = POOL_MODES[mode](patches, axis=(2, 3))
    if not has_channels:
        output = output[..., 0]
    return PoolTrace(np.asarray(image), padded, window, strides, pads, mode, output, has_channels)
