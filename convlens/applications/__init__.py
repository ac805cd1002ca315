"""``keras.applications`` by its names and arguments: ``VGG16(include_top=..., weights=..., input_shape=...,
pooling=..., classes=..., classifier_activation=...)``, and the same style for the classics Keras lacks.

Each Keras family module is here too (``vgg16``, ``vgg19``, ``resnet``, ``resnet50``, ``mobilenet_v2``,
``inception_v3``, ``xception``, ``imagenet_utils``) with Keras's ``preprocess_input`` and ``decode_predictions``.

``weights`` is ``None``, a file (convlens or Keras) or the name of a base trained with ``convlens pretrain``; no
model hub is reached.

Example:
    >>> from convlens import applications
    >>> base = applications.VGG16(include_top=False, input_shape=(32, 32, 3), pooling="avg")
    >>> base.count_params()
    14714688
"""
from convlens.applications import imagenet_utils
from convlens.applications import (inception_v3, mobilenet_v2, resnet, resnet50, vgg16, vgg19,  # noqa: F401
                                   xception)
from convlens.zoo import create_model, list_models
from convlens.zoo.alexnet import AlexNet
from convlens.zoo.googlenet import GoogLeNet
from convlens.zoo.inception_v3 import InceptionV3
from convlens.zoo.lenet import LeNet5
from convlens.zoo.mobilenet_v2 import MobileNetV2
from convlens.zoo.resnet import ResNet18, ResNet34, ResNet50
from convlens.zoo.vgg import VGG16, VGG19
from convlens.zoo.xception import Xception

__all__ = ["imagenet_utils", "inception_v3", "mobilenet_v2", "resnet", "resnet50", "vgg16", "vgg19", "xception",
           "AlexNet", "GoogLeNet", "InceptionV3", "LeNet5", "MobileNetV2", "ResNet18", "ResNet34", "ResNet50",
           "VGG16", "VGG19", "Xception", "create_model", "list_models"]
