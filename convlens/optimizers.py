"""Keras optimizers with Keras's default hyper-parameters, running torch's implementations.

An optimizer object holds its settings; ``build(model)`` makes the torch optimizer over the trainable weights.
``learning_rate`` can be read and set at any time (callbacks do).

Example:
    >>> opt = RMSprop(learning_rate=1e-4)
    >>> opt.learning_rate
    0.0001
"""
from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import nn


class Optimizer:
    """Base: Keras arguments in, a torch optimizer out."""

    torch_class: type[torch.optim.Optimizer] = torch.optim.SGD
    default_learning_rate = 0.001

    def __init__(self, learning_rate: float | None = None, lr: float | None = None, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None, **kwargs: Any) -> None:
        if lr is not None:
            warnings.warn(f"{type(self).__name__}(lr=…) is the legacy Keras name; use learning_rate=…",
                          DeprecationWarning, stacklevel=2)
            learning_rate = lr if learning_rate is None else learning_rate
        if kwargs.pop("decay", 0):
            raise ValueError("the legacy `decay=` argument is not supported; use LearningRateScheduler")
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected arguments {sorted(kwargs)}")
        self._learning_rate = float(self.default_learning_rate if learning_rate is None else learning_rate)
        if self._learning_rate < 0:
            raise ValueError(f"learning_rate must be >= 0, got {self._learning_rate}")
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue = clipnorm, clipvalue
        self.torch_optimizer: torch.optim.Optimizer | None = None
        self._params: list[nn.Parameter] = []

    def torch_kwargs(self) -> dict[str, Any]:
        """Arguments for the torch optimizer, Keras meaning converted."""
        return {}

    def build(self, model: nn.Module) -> torch.optim.Optimizer:
        self._params = [p for p in model.parameters() if p.requires_grad]
        kwargs = {"lr": self._learning_rate, **self.torch_kwargs()}
        if self.weight_decay and "weight_decay" not in kwargs:
            kwargs["weight_decay"] = self.weight_decay
        # foreach: one fused update over all weights instead of a Python loop per tensor (helps small CNNs on CPU).
        self.torch_optimizer = self.torch_class(self._params, foreach=True, **kwargs)
        return self.torch_optimizer

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = float(value)
        if self.torch_optimizer is not None:
            for group in self.torch_optimizer.param_groups:
                group["lr"] = self._learning_rate

    lr = learning_rate  # Keras 2 attribute name

    def step(self) -> None:
        if self.clipnorm is not None:
            torch.nn.utils.clip_grad_norm_(self._params, self.clipnorm, foreach=True)
        if self.clipvalue is not None:
            torch.nn.utils.clip_grad_value_(self._params, self.clipvalue, foreach=True)
        self.torch_optimizer.step()

    def zero_grad(self) -> None:
        self.torch_optimizer.zero_grad(set_to_none=True)

    def get_config(self) -> dict[str, Any]:
        config = {k: v for k, v in vars(self).items() if not k.startswith("_") and k != "torch_optimizer"}
        return {"class_name": type(self).__name__, "learning_rate": self._learning_rate, **config}


class SGD(Optimizer):
    default_learning_rate = 0.01
    torch_class = torch.optim.SGD

    def __init__(self, learning_rate: float | None = None, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.momentum, self.nesterov = momentum, nesterov

    def torch_kwargs(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """Keras defaults ``rho=0.9, epsilon=1e-7`` (torch's are 0.99 and 1e-8)."""

    torch_class = torch.optim.RMSprop

    def __init__(self, learning_rate: float | None = None, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def torch_kwargs(self) -> dict[str, Any]:
        return {"alpha": self.rho, "eps": self.epsilon, "momentum": self.momentum, "centered": self.centered}


class Adam(Optimizer):
    torch_class = torch.optim.Adam

    def __init__(self, learning_rate: float | None = None, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def torch_kwargs(self) -> dict[str, Any]:
        return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay; Keras's default ``weight_decay=0.004``."""

    torch_class = torch.optim.AdamW

    def __init__(self, learning_rate: float | None = None, weight_decay: float = 0.004, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    torch_class = torch.optim.Adagrad

    def __init__(self, learning_rate: float | None = None, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def torch_kwargs(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.initial_accumulator_value, "eps": self.epsilon}


class Adadelta(Optimizer):
    """Keras's default ``learning_rate=0.001`` (torch's is 1.0), ``rho=0.95``."""

    torch_class = torch.optim.Adadelta

    def __init__(self, learning_rate: float | None = None, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def torch_kwargs(self) -> dict[str, Any]:
        return {"rho": self.rho, "eps": self.epsilon}


_OPTIMIZERS = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta)}


def get(identifier: str | Optimizer | dict) -> Optimizer:
    """An optimizer from a Keras name (``'rmsprop'``, ``'adam'`` …), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        config = dict(identifier)
        cls = _OPTIMIZERS.get(str(config.pop("class_name")).lower())
        if cls is None:
            raise ValueError(f"unknown optimizer config {identifier!r}")
        return cls(**config)
    if isinstance(identifier, str) and identifier.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[identifier.lower()]()
    raise ValueError(f"unknown optimizer {identifier!r}; expected one of {sorted(_OPTIMIZERS)} or an Optimizer")
