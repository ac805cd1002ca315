"""``compile()`` keywords for a precision, so the benchmarks run before and after the precision policy exists.

``"default"`` is whatever ``compile`` does by default (the policy ``"auto"``: bfloat16 autocast only where the
hardware has bfloat16 units, float32 elsewhere); ``"float32"`` and ``"bfloat16"`` force one.
"""
from __future__ import annotations

import inspect
from typing import Any

import machine

PRECISIONS = ("default", "float32", "bfloat16")


def compile_arguments(model: Any, precision: str) -> dict[str, Any]:
    """Keywords for ``model.compile``: ``precision=…`` when compile takes it, else the older opt-in
    ``mixed_precision='bfloat16'`` (whose default was float32)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if "precision" in inspect.signature(model.compile).parameters:
        return {} if precision == "default" else {"precision": precision}
    return {"mixed_precision": "bfloat16"} if precision == "bfloat16" else {}


def default_is_float32() -> bool:
    """Whether the compile default runs float32 for a CPU model here (the CPU has no bfloat16 units)."""
    return not machine.native_bfloat16()
