"""Keras-named layers, each a small ``torch.nn.Module`` taking channels-last tensors.

Example:
    >>> from convlens.layers import Conv2D
    >>> Conv2D(32, 3, padding="same").compute_output_shape((None, 28, 28, 1))
    (None, 28, 28, 32)
"""
from convlens.layers.base import ActivatedLayer, Layer, Weight
from convlens.layers.input_layer import Input, InputLayer
from convlens.layers.symbolic import KerasTensor, Node, is_symbolic
from convlens.layers.conv import *  # noqa: F401,F403
from convlens.layers.conv import __all__ as _conv
from convlens.layers.core import *  # noqa: F401,F403
from convlens.layers.core import __all__ as _core
from convlens.layers.normalization import BatchNormalization
from convlens.layers.pooling import *  # noqa: F401,F403
from convlens.layers.pooling import __all__ as _pooling

__all__ = ["Layer", "ActivatedLayer", "Weight", "Input", "InputLayer", "KerasTensor", "Node", "is_symbolic",
           "BatchNormalization", *_conv, *_core, *_pooling]


def get(class_name: str) -> type:
    """The layer class for a Keras class name, e.g. ``get('Conv2D')``."""
    cls = globals().get(class_name)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"unknown layer class {class_name!r}")
    return cls
