"""``keras.applications.vgg19``: VGG19 with the preprocessing its ImageNet weights expect (RGB to BGR, then the
ImageNet mean subtracted per channel, no scaling), and ``decode_predictions`` (class names read offline: see
``imagenet_utils``).

Example:
    >>> import numpy as np
    >>> preprocess_input(np.array([[[123.68, 116.779, 103.939]]], "float32")).round(4).tolist()
    [[[0.0, 0.0, 0.0]]]
"""
from convlens.applications.imagenet_utils import decode_predictions, preprocess_caffe as preprocess_input
from convlens.zoo.vgg import VGG19

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]
