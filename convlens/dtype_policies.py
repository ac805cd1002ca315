"""Keras's dtype policies: which dtype a layer keeps its weights in and which it computes in.

``"float32"`` is the default everywhere, on every machine: the same program gives the same numbers on a laptop
and on a server with bfloat16 units. Mixed precision is something you ask for, with Keras's names:

* ``"mixed_bfloat16"``: weights float32, layers compute in bfloat16 (``torch.autocast``) — fast on CPUs with
  AMX or AVX512-BF16 and on recent GPUs; runs (slowly) on any CPU;
* ``"mixed_float16"``: weights float32, compute in float16 — CUDA only (training needs a loss scaler).

Set it for every layer made afterwards (``set_global_policy`` / ``convlens.config.set_dtype_policy``), or per layer
(``Dense(10, dtype="float32")``: Keras's way to keep the last layer in float32). Whatever the policy, a model's
outputs, its loss and its metrics are float32, and a model's final activation runs on float32 scores.

Example:
    >>> policy = DTypePolicy("mixed_bfloat16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('bfloat16', 'float32')
    >>> global_policy().name
    'float32'
"""
from __future__ import annotations

import contextlib
from typing import Any

import torch

_COMPUTE = {"float32": "float32", "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}
_ALIASES = {"bfloat16": "mixed_bfloat16", "float16": "mixed_float16"}  # compile(precision="bfloat16") spelling
_TORCH = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class DTypePolicy:
    """A named policy: ``variable_dtype`` (always ``'float32'`` here) and ``compute_dtype``.

    Example:
        >>> DTypePolicy("float32") == "float32", str(DTypePolicy("mixed_float16"))
        (True, 'mixed_float16')
    """

    def __init__(self, name: str = "float32") -> None:
        if not isinstance(name, str) or name not in _COMPUTE:
            hint = (f"; weights stay float32 in convlens, so ask for {_ALIASES[name]!r} (float32 weights, "
                    f"{name} compute)") if name in _ALIASES else ""
            raise ValueError(f"dtype policy must be one of {', '.join(map(repr, _COMPUTE))}, got {name!r}{hint}")
        self._name = name
        self.is_mixed = name != "float32"  # read by every layer call: an attribute, not a property

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return _COMPUTE[self._name]

    @property
    def variable_dtype(self) -> str:
        return "float32"

    @property
    def torch_compute_dtype(self) -> torch.dtype:
        return _TORCH[self.compute_dtype]

    def get_config(self) -> dict[str, Any]:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "DTypePolicy":
        return cls(**config)

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, DTypePolicy):
            return other._name == self._name
        return isinstance(other, str) and other == self._name

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'

    def __str__(self) -> str:
        return self._name


def get(identifier: Any) -> DTypePolicy:
    """A policy from a name, a ``DTypePolicy``, a torch dtype or a Keras config dict
    (``{"class_name": "DTypePolicy", "config": {"name": "float32"}}``); ``None`` gives the global policy.

    Example:
        >>> get("mixed_bfloat16").compute_dtype, get(None).name
        ('bfloat16', 'float32')
    """
    if identifier is None:
        return global_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, torch.dtype):
        identifier = str(identifier).removeprefix("torch.")
    if isinstance(identifier, dict):
        config = identifier.get("config", identifier)
        identifier = config.get("name") if isinstance(config, dict) else None
    if isinstance(identifier, str) and identifier in _COMPUTE:
        return DTypePolicy(identifier)
    return DTypePolicy(identifier)  # raises the error that names the accepted values


def canonical_name(identifier: Any) -> str:
    """The policy name for ``compile(precision=…)``'s spellings: ``'bfloat16'`` → ``'mixed_bfloat16'``."""
    if isinstance(identifier, str) and identifier in _ALIASES:
        return _ALIASES[identifier]
    return get(identifier).name


# Keras keeps one process-wide policy that new layers take (``set_global_policy``); this is that value.
_global = DTypePolicy("float32")


def set_global_policy(policy: Any) -> None:
    """The policy every layer made from now on takes, unless given ``dtype=`` (Keras's
    ``keras.mixed_precision.set_global_policy``). ``None`` resets it to ``'float32'``."""
    global _global
    _global = DTypePolicy("float32") if policy is None else get(policy)


def global_policy() -> DTypePolicy:
    """The policy new layers take (``'float32'`` unless ``set_global_policy`` said otherwise)."""
    return _global


set_dtype_policy = set_global_policy  # keras.config.set_dtype_policy
dtype_policy = global_policy  # keras.config.dtype_policy


def scope(policy: DTypePolicy, device_type: str) -> contextlib.AbstractContextManager | None:
    """The autocast context that makes the current code compute as ``policy`` says, or ``None`` when it already
    does (so a model entered once costs its layers nothing)."""
    enabled = torch.is_autocast_enabled(device_type)
    if not policy.is_mixed:
        return torch.autocast(device_type, enabled=False) if enabled else None
    wanted = policy.torch_compute_dtype
    if enabled and torch.get_autocast_dtype(device_type) == wanted:
        return None
    return torch.autocast(device_type, dtype=wanted)


def to_float32(value: Any) -> Any:
    """Floating tensors (in lists, tuples and dicts too) as float32; anything else unchanged."""
    if torch.is_tensor(value):
        return value.float() if value.is_floating_point() and value.dtype != torch.float32 else value
    if isinstance(value, (list, tuple)):
        return type(value)(to_float32(v) for v in value)
    if isinstance(value, dict):
        return {k: to_float32(v) for k, v in value.items()}
    return value


__all__ = ["DTypePolicy", "canonical_name", "dtype_policy", "get", "global_policy", "scope", "set_dtype_policy",
           "set_global_policy", "to_float32"]
