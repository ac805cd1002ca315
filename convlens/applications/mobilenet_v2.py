"""``keras.applications.mobilenet_v2``: MobileNetV2 with the preprocessing its ImageNet weights expect
(scaled from [0, 255] to [-1, 1]) and ``decode_predictions``.

Example:
    >>> import numpy as np
    >>> preprocess_input(np.array([[[0.0, 127.5, 255.0]]], "float32")).round(4).tolist()
    [[[-1.0, 0.0, 1.0]]]
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from convlens.applications import imagenet_utils
from convlens.zoo.mobilenet_v2 import MobileNetV2


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Keras's ``mobilenet_v2.preprocess_input``: mode ``"tf"`` of ``imagenet_utils.preprocess_input``."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5, class_index: str | os.PathLike | Mapping | None = None
                       ) -> list[list[tuple[str, str, float]]]:
    """Keras's ``mobilenet_v2.decode_predictions`` (class names read offline: see ``imagenet_utils``)."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index=class_index)


__all__ = ['MobileNetV2', "decode_predictions", "preprocess_input"]
