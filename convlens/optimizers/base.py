"""Keras optimizers: Keras's arguments, defaults and update rules, run as one fused torch update.

An optimizer object holds its settings; ``build(model)`` makes the torch optimizer over the trainable weights.
By default the update follows Keras 3's formulas (``convlens.optimizers.rules``). ``rule="torch"`` runs PyTorch's
own class instead (``torch.optim.RMSprop`` etc., epsilon placement and coupled ``weight_decay`` as in PyTorch), for
results that must match a PyTorch script.

``learning_rate`` is a float or a schedule (``convlens.optimizers.schedules``); Keras 2's ``decay=`` gives
``lr / (1 + decay * iterations)``. ``iterations`` (the number of updates so far) is part of the optimizer's state,
saved and restored with it.

Example:
    >>> opt = RMSprop(learning_rate=1e-4)
    >>> opt.learning_rate
    0.0001
    >>> RMSprop.from_config(opt.get_config()).get_config() == opt.get_config()
    True
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import torch
from torch import nn

from convlens.optimizers import rules, schedules

RULES = ("keras", "torch")
# Keras 3 options convlens does not implement, accepted at their defaults (as a Keras config carries them).
KERAS_DEFAULTS = {"use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


class Optimizer:
    """Base: Keras arguments in, a torch optimizer out."""

    keras_class: type[torch.optim.Optimizer] = rules.KerasSGD
    torch_class: type[torch.optim.Optimizer] = torch.optim.SGD
    default_learning_rate = 0.001

    def __init__(self, learning_rate: float | schedules.LearningRateSchedule | None = None,
                 weight_decay: float | None = None, clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None, rule: str = "keras",
                 lr: float | None = None, decay: float = 0.0, **kwargs: Any) -> None:
        if lr is not None:
            warnings.warn(f"{type(self).__name__}(lr=…) is the legacy Keras name; use learning_rate=…",
                          DeprecationWarning, stacklevel=3)
            learning_rate = lr if learning_rate is None else learning_rate
        changed = {k: v for k, v in kwargs.items() if k not in KERAS_DEFAULTS or KERAS_DEFAULTS[k] != v}
        if changed:
            known = sorted(set(changed) & set(KERAS_DEFAULTS))
            raise TypeError(f"{type(self).__name__} got unexpected arguments {sorted(changed)}" +
                            (f" ({known} are Keras options convlens does not implement; leave them at their "
                             f"defaults)" if known else ""))
        if rule not in RULES:
            raise ValueError(f"rule must be one of {RULES}, got {rule!r}")
        if isinstance(learning_rate, dict):
            learning_rate = schedules.deserialize(learning_rate)
        if learning_rate is None:
            learning_rate = self.default_learning_rate
        if not isinstance(learning_rate, schedules.LearningRateSchedule):
            learning_rate = float(learning_rate)
            if learning_rate < 0:
                raise ValueError(f"learning_rate must be >= 0, got {learning_rate}")
        if decay:
            warnings.warn(f"{type(self).__name__}(decay={decay}) is Keras 2's time decay, lr / (1 + decay * "
                          f"iterations); in Keras 3 use learning_rate=optimizers.schedules.InverseTimeDecay("
                          f"lr, decay_steps=1, decay_rate={decay})", DeprecationWarning, stacklevel=3)
            if decay < 0:
                raise ValueError(f"decay must be >= 0, got {decay}")
            if isinstance(learning_rate, schedules.LearningRateSchedule):
                raise ValueError("decay= cannot be combined with a learning-rate schedule")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of clipnorm, clipvalue and global_clipnorm can be set; got clipnorm="
                             f"{clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self._learning_rate = learning_rate
        self.decay = float(decay)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.rule = rule
        self.torch_optimizer: torch.optim.Optimizer | None = None
        self._params: list[nn.Parameter] = []

    # --- the hyper-parameters each subclass adds -----------------------------------------------------------------
    def hyperparameters(self) -> dict[str, Any]:
        """The optimizer's own settings under Keras's names (also its config and the Keras rule's arguments)."""
        return {}

    def torch_kwargs(self) -> dict[str, Any]:
        """Arguments for PyTorch's class (``rule='torch'``), Keras meaning converted."""
        return {}

    # --- building and stepping ---------------------------------------------------------------------------------------
    def build(self, model: nn.Module) -> torch.optim.Optimizer:
        self._params = [p for p in model.parameters() if p.requires_grad]
        iterations = self.iterations
        lr = self.current_learning_rate(iterations)
        if self.rule == "keras":
            self.torch_optimizer = self.keras_class(self._params, lr=lr, weight_decay=self.weight_decay or 0.0,
                                                    **self.hyperparameters())
        else:
            kwargs = {"lr": lr, **self.torch_kwargs()}
            if self.weight_decay and "weight_decay" not in kwargs:
                kwargs["weight_decay"] = self.weight_decay
            # foreach: one fused update over all weights instead of a Python loop per tensor.
            self.torch_optimizer = self.torch_class(self._params, foreach=True, **kwargs)
        for group in self.torch_optimizer.param_groups:
            group["iterations"] = iterations
        return self.torch_optimizer

    @property
    def iterations(self) -> int:
        """How many updates have been applied (Keras's ``optimizer.iterations``); saved with the optimizer state."""
        if self.torch_optimizer is None:
            return getattr(self, "_iterations", 0)
        return int(self.torch_optimizer.param_groups[0].get("iterations", 0))

    def current_learning_rate(self, iterations: int | None = None) -> float:
        """The learning rate the next update uses (the schedule or the legacy ``decay`` applied)."""
        step = self.iterations if iterations is None else iterations
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return float(self._learning_rate(step))
        return self._learning_rate / (1.0 + self.decay * step) if self.decay else self._learning_rate

    @property
    def learning_rate(self) -> float:
        """The learning rate: the float given (before any legacy ``decay``), or the schedule's current value."""
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            return self.current_learning_rate()
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if isinstance(self._learning_rate, schedules.LearningRateSchedule):
            raise TypeError(f"this optimizer's learning rate is the schedule {type(self._learning_rate).__name__}, "
                            f"so it cannot be set; drop the schedule or the callback that sets it")
        self._learning_rate = float(value)
        if self.torch_optimizer is not None:
            lr = self.current_learning_rate()
            for group in self.torch_optimizer.param_groups:
                group["lr"] = lr

    lr = learning_rate  # Keras 2 attribute name

    def _clip(self) -> None:
        grads = [p.grad for p in self._params if p.grad is not None]
        if not grads:
            return
        if self.clipvalue is not None:
            torch._foreach_clamp_min_(grads, -self.clipvalue)
            torch._foreach_clamp_max_(grads, self.clipvalue)
        elif self.clipnorm is not None:  # Keras: each gradient on its own, g * c / max(|g|, c)
            norms = torch._foreach_norm(grads)
            torch._foreach_clamp_min_(norms, self.clipnorm)
            torch._foreach_reciprocal_(norms)
            torch._foreach_mul_(norms, self.clipnorm)
            torch._foreach_mul_(grads, norms)
        elif self.global_clipnorm is not None:  # all gradients together, g * c / max(|all g|, c)
            total = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))
            torch._foreach_mul_(grads, self.global_clipnorm / torch.clamp(total, min=self.global_clipnorm))

    def step(self) -> None:
        """Apply one update from the weights' ``.grad`` and advance ``iterations`` (no host sync)."""
        iterations = self.iterations
        if self.decay or isinstance(self._learning_rate, schedules.LearningRateSchedule):
            lr = self.current_learning_rate(iterations)
            for group in self.torch_optimizer.param_groups:
                group["lr"] = lr
        self._clip()
        self.torch_optimizer.step()
        for group in self.torch_optimizer.param_groups:
            group["iterations"] = iterations + 1

    def zero_grad(self) -> None:
        self.torch_optimizer.zero_grad(set_to_none=True)

    def apply(self, gradients: Sequence[torch.Tensor | None], variables: Sequence[Any] | None = None) -> None:
        """Keras 3's ``optimizer.apply(gradients, model.trainable_weights)``: one update with these gradients.

        ``variables`` are the model's weights (``layer.weights`` entries or torch parameters), in the order of
        ``gradients``; leave it out for all the weights the optimizer was built with.
        """
        if self.torch_optimizer is None:
            raise ValueError("this optimizer has no weights yet: compile the model and call fit (or build it) first")
        tensors = [getattr(v, "value", v) for v in variables] if variables is not None else list(self._params)
        if len(tensors) != len(gradients):
            raise ValueError(f"apply got {len(gradients)} gradients for {len(tensors)} weights")
        known = {id(p) for p in self._params}
        for tensor, gradient in zip(tensors, gradients):
            if id(tensor) not in known:
                raise ValueError(f"apply got a weight of shape {tuple(tensor.shape)} that this optimizer does not "
                                 f"update (frozen, or from another model); compile again after changing trainable")
            tensor.grad = gradient
        self.step()

    def apply_gradients(self, grads_and_vars: Any) -> None:
        """Keras 2's ``apply_gradients(zip(gradients, variables))``."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    # --- config ------------------------------------------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Keras's config (plus ``class_name``, and ``rule`` / ``decay`` when set); ``from_config`` inverts it."""
        learning_rate = self._learning_rate
        if isinstance(learning_rate, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(learning_rate)
        config = {"class_name": type(self).__name__, "name": self.name, "learning_rate": learning_rate,
                  "weight_decay": self.weight_decay, "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                  "clipvalue": self.clipvalue, **self.hyperparameters()}
        if self.decay:
            config["decay"] = self.decay
        if self.rule != "keras":
            config["rule"] = self.rule
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "Optimizer":
        config = {k: v for k, v in config.items() if k != "class_name"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # a saved decay= was warned about when it was made
            return cls(**config)


class SGD(Optimizer):
    """Keras's SGD: ``m = momentum * m - lr * g; w += m`` (with ``nesterov``: ``w += momentum * m - lr * g``)."""

    default_learning_rate = 0.01
    keras_class = rules.KerasSGD
    torch_class = torch.optim.SGD

    def __init__(self, learning_rate: Any = None, momentum: float = 0.0, nesterov: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = momentum, nesterov

    def hyperparameters(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}

    def torch_kwargs(self) -> dict[str, Any]:
        return dict(self.hyperparameters())


class RMSprop(Optimizer):
    """Keras's RMSprop: ``w -= lr * g / sqrt(v + epsilon)``; defaults ``rho=0.9, epsilon=1e-7``."""

    keras_class = rules.KerasRMSprop
    torch_class = torch.optim.RMSprop

    def __init__(self, learning_rate: Any = None, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def hyperparameters(self) -> dict[str, Any]:
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}

    def torch_kwargs(self) -> dict[str, Any]:
        return {"alpha": self.rho, "eps": self.epsilon, "momentum": self.momentum, "centered": self.centered}


class Adam(Optimizer):
    """Keras's Adam: ``w -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)``."""

    keras_class = rules.KerasAdam
    torch_class = torch.optim.Adam

    def __init__(self, learning_rate: Any = None, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def hyperparameters(self) -> dict[str, Any]:
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad}

    def torch_kwargs(self) -> dict[str, Any]:
        return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay; Keras's default ``weight_decay=0.004``."""

    torch_class = torch.optim.AdamW

    def __init__(self, learning_rate: Any = None, weight_decay: float = 0.004, **kwargs: Any) -> None:
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)


class Adagrad(Optimizer):
    """Keras's Adagrad: ``acc += g²; w -= lr * g / sqrt(acc + epsilon)``; ``initial_accumulator_value=0.1``."""

    keras_class = rules.KerasAdagrad
    torch_class = torch.optim.Adagrad

    def __init__(self, learning_rate: Any = None, initial_accumulator_value: float = 0.1,
                 epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def hyperparameters(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}

    def torch_kwargs(self) -> dict[str, Any]:
        return {"initial_accumulator_value": self.initial_accumulator_value, "eps": self.epsilon}


class Adadelta(Optimizer):
    """Keras's default ``learning_rate=0.001`` (torch's is 1.0), ``rho=0.95``."""

    keras_class = rules.KerasAdadelta
    torch_class = torch.optim.Adadelta

    def __init__(self, learning_rate: Any = None, rho: float = 0.95, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def hyperparameters(self) -> dict[str, Any]:
        return {"rho": self.rho, "epsilon": self.epsilon}

    def torch_kwargs(self) -> dict[str, Any]:
        return {"rho": self.rho, "eps": self.epsilon}


OPTIMIZERS = {cls.__name__.lower(): cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta)}


def get(identifier: str | Optimizer | dict) -> Optimizer:
    """An optimizer from a Keras name (``'rmsprop'``, ``'adam'`` …), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        cls = OPTIMIZERS.get(str(identifier.get("class_name")).lower())
        if cls is None:
            raise ValueError(f"unknown optimizer config {identifier!r}")
        return cls.from_config(identifier)
    if isinstance(identifier, str) and identifier.lower() in OPTIMIZERS:
        return OPTIMIZERS[identifier.lower()]()
    raise ValueError(f"unknown optimizer {identifier!r}; expected one of {sorted(OPTIMIZERS)} or an Optimizer")
