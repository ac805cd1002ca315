"""``convlens.ops``: Keras 3's op namespace (``from keras import ops``) on PyTorch.

NumPy-style functions (``ops.mean``, ``ops.reshape``, ``ops.where`` …), the neural-network ones (``ops.relu``,
``ops.softmax``, ``ops.one_hot``, ``ops.conv``, ``ops.max_pool``, the cross-entropies; also under ``ops.nn``),
``ops.image.resize`` and the core ones (``ops.cast``, ``ops.convert_to_numpy``, ``ops.shape`` …). They run
eagerly on tensors, arrays and numbers and return torch tensors; called on symbolic tensors in functional code they
become nodes of the model's graph, so the model trains, summarises and saves/loads with them.

Example:
    >>> from convlens import ops
    >>> from convlens.layers import Dense, Input
    >>> from convlens.models import Model
    >>> x = Input(shape=(4,))
    >>> model = Model(x, Dense(2)(ops.square(x) + 1.0))
    >>> [type(layer).__name__ for layer in model.layers]
    ['InputLayer', 'OpLayer', 'OpLayer', 'Dense']
    >>> ops.convert_to_numpy(ops.mean(ops.ones((2, 3)), axis=-1)).tolist()
    [1.0, 1.0]
"""
from convlens.ops import core, image, more, nn, numpy, shaping
from convlens.ops.core import *  # noqa: F401,F403
from convlens.ops.core import get_item
from convlens.ops.dispatch import eager_function, op_names, operation
from convlens.ops.more import *  # noqa: F401,F403
from convlens.ops.nn import *  # noqa: F401,F403
from convlens.ops.numpy import *  # noqa: F401,F403
from convlens.ops.shaping import *  # noqa: F401,F403

__all__ = ["core", "eager_function", "get_item", "image", "more", "nn", "numpy", "op_names", "operation",
           "shaping", *core.__all__, *more.__all__, *nn.__all__, *numpy.__all__, *shaping.__all__]
