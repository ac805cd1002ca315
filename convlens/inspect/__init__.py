"""Look inside a model: every layer's output for a batch, in one forward pass.

Example:
    >>> import numpy as np
    >>> from convlens import Sequential
    >>> from convlens.layers import Conv2D, Flatten, Dense
    >>> model = Sequential([Conv2D(2, 3, input_shape=(5, 5, 1)), Flatten(), Dense(3)])
    >>> {name: out.shape for name, out in layer_outputs(model, np.zeros((4, 5, 5, 1), "float32")).items()}
    {'conv2d_1': (4, 3, 3, 2), 'flatten_1': (4, 18), 'dense_1': (4, 3)}
"""
from convlens.inspect.activations import layer_outputs

__all__ = ["layer_outputs"]
