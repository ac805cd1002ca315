"""The model zoo: every architecture by name, one file per family, and weights without a model hub.

Example:
    >>> from convlens.zoo import create_model, list_models
    >>> list_models("vgg*")
    ['vgg16', 'vgg19']
    >>> create_model("lenet5", input_shape=(32, 32, 1)).count_params()
    61706
"""
# each family registers its models
from convlens.zoo import alexnet, googlenet, inception_v3, lenet, mobilenet_v2, notes, resnet, vgg, xception  # noqa: F401
from convlens.zoo.registry import ModelInfo, create_model, list_models, model_info, register_model, unregister_model
from convlens.zoo.weights import WeightsNote, list_bases, load_pretrained, save_base

__all__ = ["ModelInfo", "WeightsNote", "create_model", "list_bases", "list_models", "load_pretrained", "model_info",
           "register_model", "save_base", "unregister_model"]
