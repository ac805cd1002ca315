"""The arithmetic of convolutional networks, in one pure package (no torch import).

Output sizes, the padding that ``'same'`` needs, parameter counts with their formula as text, receptive fields and
multiply-accumulates. Layers, ``summary()``, the explainer and the docs all call these functions, so a number shown
anywhere in convlens comes from here. One module per concern: ``shapes`` (sliding windows), ``params`` (parameters
and MACs), ``receptive``, ``merging`` and ``reshaping`` (padding, cropping, upsampling); every name is here too.

Example:
    >>> conv_output_length(227, 11, stride=4)          # AlexNet conv1
    55
    >>> conv_params((5, 5), 1, 10).formula
    '(5·5·1 + 1)·10 = 260'
"""
from convlens.arithmetic.merging import broadcast_shapes, concat_shapes, dot_axes, dot_shape
from convlens.arithmetic.params import (NO_PARAMS, ParamCount, batch_norm_params, conv_macs, conv_params, dense_macs,
                                        dense_params, depthwise_macs, depthwise_params, embedding_params,
                                        layer_norm_params, normalization_params, separable_params)
from convlens.arithmetic.receptive import FieldStep  # noqa: F401  (type aliases, importable from here as before)
from convlens.arithmetic.receptive import ReceptiveField, graph_receptive_fields, receptive_field
from convlens.arithmetic.reshaping import (aspect_crop_box, aspect_pad_box, center_crop_box, cropped_shape,
                                           normalize_pairs, padded_shape, upsampled_shape)
from convlens.arithmetic.shapes import Padding  # noqa: F401
from convlens.arithmetic.shapes import (ShapeError, conv_output_length, conv_output_shape, conv_transpose_crop,
                                        conv_transpose_output_length, effective_kernel, explicit_padding,
                                        normalize_tuple, per_dimension_padding, pool_output_length, pool_output_shape)

__all__ = [
    "ShapeError", "normalize_tuple", "effective_kernel", "explicit_padding", "conv_output_length",
    "pool_output_length", "conv_transpose_output_length", "conv_transpose_crop", "conv_output_shape",
    "pool_output_shape", "per_dimension_padding",
    "ParamCount", "conv_params", "dense_params", "embedding_params", "depthwise_params", "separable_params",
    "batch_norm_params", "layer_norm_params", "normalization_params", "NO_PARAMS",
    "ReceptiveField", "receptive_field", "graph_receptive_fields",
    "conv_macs", "dense_macs", "depthwise_macs",
    "broadcast_shapes", "dot_axes", "dot_shape", "concat_shapes",
    "normalize_pairs", "padded_shape", "cropped_shape", "upsampled_shape", "center_crop_box", "aspect_crop_box",
    "aspect_pad_box",
]
