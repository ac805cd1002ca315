"""Keras weight regularizers: a penalty added to the loss (``l2`` is weight decay).

Example:
    >>> import torch
    >>> round(l2(0.01)(torch.ones(2, 2)).item(), 6)
    0.04
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch


@dataclass(frozen=True)
class L1L2:
    """Penalty ``l1·Σ|w| + l2·Σw²``."""

    l1: float = 0.0
    l2: float = 0.0

    def __call__(self, weight: torch.Tensor) -> torch.Tensor:
        penalty = weight.new_zeros(())
        if self.l1:
            penalty = penalty + self.l1 * weight.abs().sum()
        if self.l2:
            penalty = penalty + self.l2 * weight.square().sum()
        return penalty

    def get_config(self) -> dict:
        return asdict(self)


def l1(l1: float = 0.01) -> L1L2:
    return L1L2(l1=l1)


def l2(l2: float = 0.01) -> L1L2:
    return L1L2(l2=l2)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


def get(identifier: str | dict | L1L2 | None) -> L1L2 | None:
    """Accept ``None``, ``'l1'``, ``'l2'``, ``'l1_l2'``, a config dict or a regularizer."""
    if identifier is None or isinstance(identifier, L1L2):
        return identifier
    if isinstance(identifier, dict):
        return L1L2(**identifier)
    if identifier in ("l1", "l2", "l1_l2"):
        return {"l1": l1, "l2": l2, "l1_l2": l1_l2}[identifier]()
    if callable(identifier):
        return identifier
    raise ValueError(f"unknown regularizer {identifier!r}; expected 'l1', 'l2', 'l1_l2', a dict or l2(0.01)-style")


def serialize(regularizer: L1L2 | None) -> dict | None:
    return None if regularizer is None else regularizer.get_config()
