"""The one registry that turns configs back into objects: layers, models, and the user's own classes.

Built-in layers are found by their Keras class name (``"Conv2D"``); models and a user's classes register with
``@register_serializable()``. Class names are matched exactly (``"Conv2D"``, not ``"conv2d"``); string shortcuts such
as ``"relu"`` or ``"adam"`` stay with ``activations.get`` / ``optimizers.get``, which ignore case. Registering a
name twice warns and keeps the newer class.

Example:
    >>> from convlens.layers import Layer
    >>> @register_serializable(package="my_project")
    ... class Doubler(Layer):
    ...     def forward(self, x):
    ...         return 2 * x
    >>> type(deserialize(serialize(Doubler(name="double")))).__name__
    'Doubler'
"""
from __future__ import annotations

import inspect
import warnings
from typing import Any, Callable

from torch import nn

from convlens import layers as layer_lib

_REGISTERED: dict[str, type] = {}  # "package>Name" and "Name" → class; filled by @register_serializable


def register_serializable(package: str = "Custom", name: str | None = None) -> Callable[[type], type]:
    """Class decorator: let ``load_model`` / ``model_from_json`` rebuild this class from its config."""

    def decorate(cls: type) -> type:
        class_name = name or cls.__name__
        for key in (f"{package}>{class_name}", class_name):
            previous = _REGISTERED.get(key)
            if previous is not None and previous is not cls and \
                    (previous.__module__, previous.__qualname__) != (cls.__module__, cls.__qualname__):
                warnings.warn(f"register_serializable: {key!r} was registered to {previous.__module__}."
                              f"{previous.__qualname__}; it now means {cls.__module__}.{cls.__qualname__}",
                              stacklevel=2)
            _REGISTERED[key] = cls
        cls._registered_name = f"{package}>{class_name}"
        return cls

    return decorate


def get_registered_class(class_name: str, custom_objects: dict[str, Any] | None = None) -> type:
    """The class for ``class_name``: ``custom_objects`` first, then registered classes, then convlens layers."""
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    if class_name in _REGISTERED:
        return _REGISTERED[class_name]
    try:
        return layer_lib.get(class_name)
    except ValueError:
        raise ValueError(f"unknown class {class_name!r} in the model config: register your class with "
                         f"@convlens.saving.register_serializable() or pass custom_objects={{{class_name!r}: …}} "
                         f"(convlens's own models are registered once convlens.models is imported)") from None


def serialize(obj: nn.Module) -> dict[str, Any]:
    """``{"class_name", "config"}`` for a layer or model (``get_config`` must describe it fully)."""
    return {"class_name": getattr(obj, "_registered_name", type(obj).__name__), "config": obj.get_config()}


def deserialize(entry: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild what ``serialize`` (or a functional config's layer entry) describes."""
    if not isinstance(entry, dict) or "class_name" not in entry or not isinstance(entry.get("config"), dict):
        raise ValueError(f"a layer entry must be {{'class_name': …, 'config': {{…}}}}, got {str(entry)[:80]!r}")
    cls = get_registered_class(entry["class_name"], custom_objects)
    config = dict(entry["config"])
    try:
        if "custom_objects" in inspect.signature(cls.from_config).parameters:
            return cls.from_config(config, custom_objects=custom_objects)
        return cls.from_config(config)
    except TypeError as err:
        raise ValueError(f"cannot rebuild {entry['class_name']} from its config: {err}") from None
