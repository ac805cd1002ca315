"""``keras.applications.resnet``: the ResNet family's module (ResNet50; the zoo's ResNet18 and ResNet34 are in
``convlens.applications``), the preprocessing its ImageNet weights expect (RGB to BGR, then the ImageNet mean
subtracted per channel, no scaling) and ``decode_predictions``.

Example:
    >>> import numpy as np
    >>> preprocess_input(np.array([[[123.68, 116.779, 103.939]]], "float32")).round(4).tolist()
    [[[0.0, 0.0, 0.0]]]
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from convlens.applications import imagenet_utils
from convlens.zoo.resnet import ResNet50


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Keras's ``resnet.preprocess_input``: mode ``"caffe"`` of ``imagenet_utils.preprocess_input``."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds: Any, top: int = 5, class_index: str | os.PathLike | Mapping | None = None
                       ) -> list[list[tuple[str, str, float]]]:
    """Keras's ``resnet.decode_predictions`` (class names read offline: see ``imagenet_utils``)."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index=class_index)


__all__ = ['ResNet50', "decode_predictions", "preprocess_input"]
