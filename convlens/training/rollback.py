"""Where ``fit`` goes back to when an epoch turns NaN: the weights (and buffers, e.g. BatchNorm statistics) at the
start of that epoch — the end of the last complete epoch, which History, ``CSVLogger`` and an epoch
``ModelCheckpoint`` already recorded — so the model, its records and its files all describe the same epoch.

The copy lives on the CPU (a NaN epoch is rare; device memory is not spent on it), one per epoch.

Example:
    >>> import torch
    >>> layer = torch.nn.Linear(2, 1)
    >>> point = RollbackPoint()
    >>> point.take(layer, {"epoch": 2, "batch": 0})
    >>> with torch.no_grad():
    ...     _ = layer.weight.fill_(float("nan"))
    >>> point.restore(layer)
    {'epoch': 2, 'batch': 0}
    >>> bool(torch.isfinite(layer.weight).all())
    True
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn


class RollbackPoint:
    """A CPU copy of a module's state and of the run position it belongs to."""

    def __init__(self) -> None:
        self._state: dict[str, torch.Tensor] | None = None
        self._position: dict[str, Any] | None = None

    def take(self, model: nn.Module, position: dict[str, Any], buffers_only: bool = False) -> None:
        """Remember ``model``'s weights and buffers now, at run ``position`` (epoch, batch, seed …); with
        ``buffers_only`` just the buffers (BatchNorm statistics, which a forward pass updates even when the update
        that follows is skipped)."""
        state = model.state_dict()
        names = {name for name, _ in model.named_buffers()} if buffers_only else set(state)
        self._state = {name: value.detach().to("cpu", copy=True) for name, value in state.items() if name in names}
        self._position = dict(position)

    def restore(self, model: nn.Module) -> dict[str, Any] | None:
        """Put the remembered weights back (in place, so an optimizer keeps its tensors); the position, or None when
        nothing was taken."""
        if self._state is None:
            return None
        with torch.no_grad():
            for name, value in model.state_dict().items():
                if name in self._state:
                    value.copy_(self._state[name])
        return dict(self._position)
