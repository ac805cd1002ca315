"""``keras.applications.resnet``: the ResNet family (ResNet50 here) with the preprocessing its ImageNet weights expect
(RGB to BGR, then the ImageNet mean subtracted per channel), and ``decode_predictions`` (class names read offline:
see ``imagenet_utils``).

Example:
    >>> import numpy as np
    >>> preprocess_input(np.array([[[123.68, 116.779, 103.939]]], "float32")).round(4).tolist()
    [[[0.0, 0.0, 0.0]]]
"""
from convlens.applications.imagenet_utils import decode_predictions, preprocess_caffe as preprocess_input
from convlens.zoo.resnet import ResNet50

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
