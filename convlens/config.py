"""``convlens.config``: Keras 3's ``keras.config`` — the settings a program reads (and may set) once.

convlens is float32 and channels-last, with the losses' fixed epsilon: the getters report those, and the setters
accept the value in force and refuse others with a message saying what to do (the rules live in
``convlens.backend``, which Keras 2 programs call as ``K``).

Example:
    >>> from convlens import config
    >>> config.floatx(), config.image_data_format(), config.epsilon(), config.backend()
    ('float32', 'channels_last', 1e-07, 'torch')
"""
from __future__ import annotations

from convlens.backend import (backend, epsilon, floatx, image_data_format, set_epsilon, set_floatx,
                              set_image_data_format)
# dtype policies (issue 21) live in convlens.dtype_policies; keras.config names them so
from convlens.dtype_policies import dtype_policy, set_dtype_policy

__all__ = ["backend", "dtype_policy", "epsilon", "floatx", "image_data_format", "set_dtype_policy", "set_epsilon",
           "set_floatx", "set_image_data_format"]
