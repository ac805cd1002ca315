"""Keras-named layers, each a small ``torch.nn.Module`` taking channels-last tensors.

Example:
    >>> from convlens.layers import Conv2D
    >>> Conv2D(32, 3, padding="same").compute_output_shape((None, 28, 28, 1))
    (None, 28, 28, 32)
"""
from convlens.layers.augmentation import *  # noqa: F401,F403
from convlens.layers.augmentation import __all__ as _augmentation
from convlens.layers.base import ActivatedLayer, Layer, Weight
from convlens.layers.input_layer import Input, InputLayer
from convlens.layers.operation import OpLayer
from convlens.layers.symbolic import KerasTensor, Node, is_symbolic
from convlens.layers.conv import *  # noqa: F401,F403
from convlens.layers.conv import __all__ as _conv
from convlens.layers.core import *  # noqa: F401,F403
from convlens.layers.core import __all__ as _core
from convlens.layers.embedding import Embedding
from convlens.layers.image_preprocessing import *  # noqa: F401,F403
from convlens.layers.image_preprocessing import __all__ as _image_preprocessing
from convlens.layers.layer_normalization import LayerNormalization
from convlens.layers.merging import *  # noqa: F401,F403
from convlens.layers.merging import __all__ as _merging
from convlens.layers.normalization import BatchNormalization
from convlens.layers.pooling import *  # noqa: F401,F403
from convlens.layers.pooling import __all__ as _pooling
from convlens.layers.preprocessing_normalization import Normalization
from convlens.layers.regularization import SpatialDropout2D
from convlens.layers.reshaping import *  # noqa: F401,F403
from convlens.layers.reshaping import __all__ as _reshaping
from convlens.layers.utility import Identity, Lambda

__all__ = ["Layer", "ActivatedLayer", "Weight", "Input", "InputLayer", "OpLayer", "KerasTensor", "Node", "is_symbolic",
           "BatchNormalization", "Embedding", "LayerNormalization", "Normalization", "SpatialDropout2D", "Identity",
           "Lambda",
           *_augmentation, *_conv, *_core, *_image_preprocessing, *_merging, *_pooling, *_reshaping]


def get(class_name: str) -> type:
    """The layer class for a Keras class name, e.g. ``get('Conv2D')``."""
    cls = globals().get(class_name)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise ValueError(f"unknown layer class {class_name!r}")
    return cls
