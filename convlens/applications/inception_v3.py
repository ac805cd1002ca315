"""``keras.applications.inception_v3``: InceptionV3 with the preprocessing its ImageNet weights expect (pixels scaled
to [-1, 1]), and ``decode_predictions`` (class names read offline: see ``imagenet_utils``).

Example:
    >>> import numpy as np
    >>> preprocess_input(np.array([[[0.0, 127.5, 255.0]]], "float32")).round(4).tolist()
    [[[-1.0, 0.0, 1.0]]]
"""
from convlens.applications.imagenet_utils import decode_predictions, preprocess_tf as preprocess_input
from convlens.zoo.inception_v3 import InceptionV3

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]
