"""``keras.mixed_precision``: choose the dtype policy that new layers take.

Example:
    >>> from convlens import mixed_precision
    >>> mixed_precision.set_global_policy("mixed_bfloat16")
    >>> mixed_precision.global_policy().compute_dtype
    'bfloat16'
    >>> mixed_precision.set_global_policy("float32")
"""
from __future__ import annotations

from convlens.dtype_policies import DTypePolicy, dtype_policy, global_policy, set_dtype_policy, set_global_policy

Policy = DTypePolicy  # Keras 2's name, still exported by Keras 3
DTypePolicy = DTypePolicy

__all__ = ["DTypePolicy", "Policy", "dtype_policy", "global_policy", "set_dtype_policy", "set_global_policy"]
