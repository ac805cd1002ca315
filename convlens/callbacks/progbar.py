"""`Progbar`: a Keras-style text progress bar that redraws itself at most every `interval` seconds.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progbar(4, stream=out, interactive=False, clock=iter([0.0, 2.0]).__next__)
    >>> bar.update(4, {"loss": 0.25}, finalize=True)
    >>> out.getvalue()
    '4/4 [==============================] - 2s 500ms/step - loss: 0.2500\\n'
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from convlens.callbacks.notebook import kernel_display

# Keys of batch logs that describe the batch rather than measure the model.
_HIDDEN_KEYS = frozenset({"size", "batch", "num_steps"})


class Progbar:
    """Progress bar over `target` steps (None when the number of steps is unknown).

    verbose=1: a bar redrawn in place with '\\r' on a terminal (on a pipe, only the final line); in a Jupyter kernel,
    writing to its stdout, one output line updated in place (``update_display_data``), so a saved notebook keeps one
    line per epoch, not one per step; verbose=2: only the final line; verbose=0: nothing. `update` is cheap when it
    does not draw: values (possibly tensors) are read with `float()` only when a line is drawn, so at most every
    `interval` seconds.
    """

    def __init__(self, target: int | None, width: int = 30, verbose: int = 1, interval: float = 0.25,
                 stream: TextIO | None = None, interactive: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if target is not None and target < 0:
            raise ValueError(f"Progbar target must be a non-negative number of steps or None; got {target!r}.")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar verbose must be 0, 1 or 2; got {verbose!r}.")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stream = stream if stream is not None else sys.stdout
        self.interactive = _is_interactive(self.stream) if interactive is None else interactive
        # In a notebook the bar is a display output updated in place: '\\r' in a stream is only undone by some
        # frontends, and the saved notebook would keep every redraw.
        self._display = kernel_display() if interactive is None and self.stream is sys.stdout else None
        if self._display is not None:
            self.interactive = True
        self._handle: Any = None
        self._clock = clock
        self._start = clock()
        self._last_draw = float("-inf")
        self._drawn_width = 0
        self._seen_samples: Any = 0
        self._finalized = False

    def add_samples(self, size: Any) -> None:
        """Count `size` more samples for the images-per-second figure (an int or a 0-dim tensor: no conversion)."""
        self._seen_samples = self._seen_samples + size

    def update(self, current: int, values: Mapping[str, Any] | None = None, finalize: bool = False) -> None:
        """Record progress at step `current` (1-based) with the latest metric `values`; draw when it is time."""
        if self.verbose == 0 or self._finalized:
            return
        if finalize:
            self._finalized = True
            self._write_final(current, values or {})
            return
        if self.verbose != 1 or not self.interactive:
            return
        now = self._clock()
        last_step = self.target is not None and current >= self.target
        if now - self._last_draw < self.interval and not last_step:
            return
        self._last_draw = now
        line = self._bar(current) + self._eta(current, now) + _format_values(values or {})
        rate = self._samples_per_second(now)
        if rate is not None:
            line += f" - {rate:.0f} img/s"
        self._draw(line)

    def _write_final(self, current: int, values: Mapping[str, Any]) -> None:
        now = self._clock()
        elapsed = now - self._start
        per_step = elapsed / current if current else 0.0
        if self.verbose == 1:
            line = self._bar(current) + f" - {elapsed:.0f}s {_format_step_time(per_step)}"
        else:
            line = f"{self._counter(current)} - {elapsed:.0f}s"
        rate = self._samples_per_second(now)
        if rate is not None:
            line += f" - {rate:.0f} img/s"
        line += _format_values(values)
        self._draw(line)
        if self._display is None:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, line: str) -> None:
        if self._display is not None:
            if self._handle is None:
                self._handle = self._display({"text/plain": line}, raw=True, display_id=True)
            else:
                self._handle.update({"text/plain": line}, raw=True)
            return
        if self.interactive and self._drawn_width:
            padding = " " * max(0, self._drawn_width - len(line))
            self.stream.write("\r" + line + padding)
        else:
            self.stream.write(line)
        self._drawn_width = len(line)
        self.stream.flush()

    def _counter(self, current: int) -> str:
        if self.target is None:
            return f"{current:7d}/Unknown"
        digits = len(str(self.target))
        return f"{current:{digits}d}/{self.target}"

    def _bar(self, current: int) -> str:
        if self.target is None:
            return self._counter(current)
        filled = int(self.width * min(current, self.target) / self.target) if self.target else self.width
        bar = "=" * max(0, filled - 1)
        if filled > 0:
            bar += ">" if current < self.target else "="
        bar += "." * (self.width - filled)
        return f"{self._counter(current)} [{bar}]"

    def _eta(self, current: int, now: float) -> str:
        if self.target is None or current <= 0:
            return ""
        eta = (now - self._start) / current * max(0, self.target - current)
        return f" - ETA: {_format_duration(eta)}"

    def _samples_per_second(self, now: float) -> float | None:
        elapsed = now - self._start
        if elapsed <= 0:
            return None
        samples = float(self._seen_samples)
        return samples / elapsed if samples > 0 else None


def _is_interactive(stream: TextIO) -> bool:
    """A terminal, or a Jupyter kernel (its stdout is not a TTY but it honours '\\r')."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def _format_values(values: Mapping[str, Any]) -> str:
    parts = []
    for name, value in values.items():
        if name in _HIDDEN_KEYS:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            parts.append(f" - {name}: {value}")
            continue
        parts.append(f" - {name}: {number:.4f}" if abs(number) > 1e-3 or number == 0 else f" - {name}: {number:.4e}")
    return "".join(parts)


def _format_duration(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{seconds:.0f}s"


def _format_step_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"
