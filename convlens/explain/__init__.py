"""A NumPy reference of what convolution and pooling compute, one step at a time (no torch).

Example:
    >>> from convlens.explain import conv2d
    >>> trace = conv2d([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]],
    ...                [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    >>> trace.output.astype(int).tolist()
    [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    >>> print(trace.steps[0])  # doctest: +ELLIPSIS
    output[0, 0] ← input[0:3, 0:3]
    ...
"""
from __future__ import annotations

from convlens.explain.backward import BackwardTrace, conv2d_backward
from convlens.explain.conv import ConvTrace, conv1d, conv2d
from convlens.explain.dense_conv import DenseAsConv, dense_as_conv
from convlens.explain.inputs import load_matrix
from convlens.explain.pool import POOL_MODES, PoolTrace, pool2d
from convlens.explain.receptive import FieldTrace, receptive_field_steps
from convlens.explain.steps import ConvStep, PoolStep
from convlens.explain.worked_examples import WORKED_EXAMPLES, WorkedExample

__all__ = ["conv1d", "conv2d", "pool2d", "conv2d_backward", "ConvTrace", "PoolTrace", "BackwardTrace", "ConvStep",
           "PoolStep", "POOL_MODES", "load_matrix", "receptive_field_steps", "FieldTrace", "dense_as_conv",
           "DenseAsConv", "WORKED_EXAMPLES", "WorkedExample"]
