"""The graph every model is: symbolic inputs, layers called on them, and the functional network that runs them.

Example:
    >>> from convlens.layers import Dense, Input
    >>> x = Input(shape=(3,))
    >>> Functional(x, Dense(2)(x)).output_shape
    (None, 2)
"""
from convlens.graph.functional import Functional, layer_param_count, network_receptive_fields, topological_nodes

__all__ = ["Functional", "layer_param_count", "network_receptive_fields", "topological_nodes"]
