"""The model registry: ``register_model``, ``create_model(name, **kwargs)``, ``list_models(pattern)``.

A new architecture needs no wiring: decorate its builder and the CLI, the smoke test and ``list_models`` see it.

Example:
    >>> @register_model(family="mine", smoke={"input_shape": (8, 8, 1), "classes": 2})
    ... def my_tiny_net(input_shape=(8, 8, 1), classes=2):
    ...     from convlens.models import Sequential
    ...     from convlens.layers import Flatten, Dense
    ...     return Sequential([Flatten(input_shape=input_shape), Dense(classes, activation="softmax")])
    >>> create_model("my_tiny_net", classes=3).count_params()
    195
    >>> list_models("my_tiny*")
    ['my_tiny_net']
    >>> unregister_model("my_tiny_net")
"""
from __future__ import annotations

import fnmatch
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable


@dataclass(frozen=True)
class ModelInfo:
    """What the registry knows about one model: its builder, family, the published parameter count at a reference
    configuration (``reference`` kwargs) and the small kwargs its smoke test uses."""

    name: str
    builder: Callable[..., Any]
    family: str
    published_params: int | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    smoke: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    counts: str = "all"  # "all" weights as Keras counts them, or "trainable" parameters as torchvision does


_REGISTRY: dict[str, ModelInfo] = {}


def register_model(fn: Callable[..., Any] | None = None, *, name: str | None = None, family: str = "custom",
                   published_params: int | None = None, reference: dict[str, Any] | None = None,
                   smoke: dict[str, Any] | None = None, source: str = "", counts: str = "all") -> Any:
    """Decorator (bare or with arguments) that makes a builder available to ``create_model`` and the CLI.

    The builder takes keyword arguments (``input_shape``, ``classes`` at least) and returns a model. Registering a
    name twice replaces the first with a warning, as timm does. ``counts`` says how ``published_params`` counts:
    ``"all"`` weights (Keras's ``count_params``, moving statistics included) or ``"trainable"`` (torchvision).
    """
    if counts not in ("all", "trainable"):
        raise ValueError(f"counts must be 'all' or 'trainable', got {counts!r}")
    def decorate(builder: Callable[..., Any]) -> Callable[..., Any]:
        key = (name or builder.__name__).lower()
        if key in _REGISTRY and _REGISTRY[key].builder is not builder:
            warnings.warn(f"model {key!r} was registered already; the new builder replaces it", stacklevel=2)
        _REGISTRY[key] = ModelInfo(key, builder, family, published_params, dict(reference or {}),
                                   dict(smoke or {}), source, counts)
        return builder
    return decorate(fn) if fn is not None else decorate


def unregister_model(name: str) -> None:
    """Remove a model from the registry (for users' experiments and tests)."""
    _REGISTRY.pop(name.lower(), None)


def list_models(pattern: str = "*", family: str | None = None) -> list[str]:
    """Registered names matching a shell-style ``pattern`` (``'resnet*'``), optionally of one ``family``."""
    return sorted(n for n, info in _REGISTRY.items()
                  if fnmatch.fnmatch(n, pattern.lower()) and (family is None or info.family == family))


def model_info(name: str) -> ModelInfo:
    """The registry entry of ``name``; a ``ValueError`` lists the registered names when it is unknown."""
    key = name.lower()
    if key not in _REGISTRY:
        close = [n for n in list_models() if key[:3] in n]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ValueError(f"unknown model {name!r}{hint}; registered models: {', '.join(list_models())}")
    return _REGISTRY[key]


_NONE_MEANS_SOMETHING = {"classifier_activation", "weights", "pooling"}


def create_model(name: str, **kwargs: Any) -> Any:
    """Build a registered model, e.g. ``create_model('vgg16', input_shape=(64, 64, 3), classes=10)``.

    ``num_classes`` is accepted as another name for ``classes``; ``None`` values are left to the builder's defaults,
    except where ``None`` means something in Keras (``classifier_activation=None``: logits; ``weights=None``: random
    weights; ``pooling=None``: no pooling).
    """
    if "num_classes" in kwargs:
        if kwargs.get("classes") is not None and kwargs["num_classes"] is not None:
            raise ValueError("give classes= or num_classes=, not both")
        kwargs["classes"] = kwargs.pop("num_classes")
    kwargs = {k: v for k, v in kwargs.items() if v is not None or k in _NONE_MEANS_SOMETHING}
    return model_info(name).builder(**kwargs)
