"""``compile()`` keywords for a precision, so the benchmarks run before and after the precision policy changes.

``"default"`` is whatever ``compile`` does by default (float32 on every machine since issue 21); ``"float32"`` and
``"bfloat16"`` force one. The bfloat16 spelling lives in ``BFLOAT16`` alone: Keras's policy name
``compile(precision="mixed_bfloat16")`` (the same as ``mixed_precision.set_global_policy("mixed_bfloat16")`` before
the model is built).
"""
from __future__ import annotations

import inspect
from typing import Any

import machine

PRECISIONS = ("default", "float32", "bfloat16")
BFLOAT16: dict[str, Any] = {"precision": "mixed_bfloat16"}  # the one place that names convlens's mixed-bfloat16 switch


def compile_arguments(model: Any, precision: str) -> dict[str, Any]:
    """Keywords for ``model.compile``: ``BFLOAT16`` for bfloat16, ``precision="float32"`` for float32 where compile
    takes it (older versions had the opt-in ``mixed_precision='bfloat16'`` and were float32 by default)."""
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    parameters = inspect.signature(model.compile).parameters
    if precision == "bfloat16":
        if all(key in parameters for key in BFLOAT16):
            return dict(BFLOAT16)
        return {"mixed_precision": "bfloat16"}
    if precision == "float32" and "precision" in parameters:
        return {"precision": "float32"}
    return {}


def default_is_float32() -> bool:
    """Whether the CPU lacks bfloat16 units (then bfloat16 is emulated and slow; timings of it say little)."""
    return not machine.native_bfloat16()
