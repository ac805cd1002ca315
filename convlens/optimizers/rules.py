"""Keras 3's update rules as ``torch.optim.Optimizer`` classes, each one fused ``foreach`` update over all weights.

Where they differ from PyTorch's classes of the same name (the reason they exist):

* RMSprop: ``w -= lr * g / sqrt(v + epsilon)`` (epsilon inside the square root; torch adds it outside).
* Adam/AdamW: ``w -= lr_t * m / (sqrt(v) + epsilon)`` with ``lr_t = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)``:
  epsilon is added to the *uncorrected* ``sqrt(v)`` (torch adds it after the bias correction).
* Adagrad: ``w -= lr * g / sqrt(acc + epsilon)``.
* SGD with momentum: ``m = momentum * m - lr * g; w += m`` (the learning rate inside the velocity).
* ``weight_decay`` is decoupled for every optimizer, as in Keras: ``w -= w * weight_decay * lr`` before the update.

Each group's ``iterations`` (the step count, Keras's ``optimizer.iterations``) is advanced by the convlens
optimizer that owns this object; it lives in the param groups so ``state_dict()`` carries it.

Example:
    >>> import torch
    >>> w = torch.nn.Parameter(torch.ones(2))
    >>> opt = KerasRMSprop([w], lr=0.1, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False)
    >>> w.grad = torch.ones(2); opt.step()
    >>> [round(v, 4) for v in w.tolist()]  # 1 - 0.1 / sqrt(0.1)
    [0.6838, 0.6838]
"""
from __future__ import annotations

from typing import Any

import torch


class KerasRule(torch.optim.Optimizer):
    """Collects each group's weights that have gradients and their state, then calls ``update`` once."""

    def __init__(self, params: Any, **defaults: Any) -> None:
        super().__init__(params, {"weight_decay": 0.0, "iterations": 0, **defaults})

    def slots(self, group: dict[str, Any]) -> tuple[str, ...]:
        """Names of the per-weight state tensors this group's settings need."""
        return ()

    def initial_slot(self, name: str, param: torch.Tensor, group: dict[str, Any]) -> torch.Tensor:
        return torch.zeros_like(param, memory_format=torch.preserve_format)

    @torch.no_grad()
    def step(self, closure: Any = None) -> None:
        if closure is not None:
            raise ValueError("convlens optimizers take no closure")
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            slots = {}
            for name in self.slots(group):
                slots[name] = []
                for p in params:
                    state = self.state[p]
                    if name not in state:
                        state[name] = self.initial_slot(name, p, group)
                    slots[name].append(state[name])
            if group["weight_decay"]:
                torch._foreach_mul_(params, 1.0 - group["weight_decay"] * group["lr"])
            self.update(group, params, grads, slots)

    def update(self, group: dict[str, Any], params: list[torch.Tensor], grads: list[torch.Tensor],
               slots: dict[str, list[torch.Tensor]]) -> None:
        raise NotImplementedError


class KerasSGD(KerasRule):
    def slots(self, group):
        return ("momentum",) if group["momentum"] else ()

    def update(self, group, params, grads, slots) -> None:
        lr, momentum = group["lr"], group["momentum"]
        if not momentum:
            torch._foreach_add_(params, grads, alpha=-lr)
            return
        velocity = slots["momentum"]
        torch._foreach_mul_(velocity, momentum)
        torch._foreach_add_(velocity, grads, alpha=-lr)
        if group["nesterov"]:
            torch._foreach_add_(params, velocity, alpha=momentum)
            torch._foreach_add_(params, grads, alpha=-lr)
        else:
            torch._foreach_add_(params, velocity)


class KerasRMSprop(KerasRule):
    def slots(self, group):
        return ("velocity",) + (("momentum",) if group["momentum"] else ()) + \
            (("average_gradient",) if group["centered"] else ())

    def update(self, group, params, grads, slots) -> None:
        lr, rho, eps = group["lr"], group["rho"], group["epsilon"]
        velocity = slots["velocity"]
        torch._foreach_mul_(velocity, rho)
        torch._foreach_addcmul_(velocity, grads, grads, value=1 - rho)
        if group["centered"]:
            average = slots["average_gradient"]
            torch._foreach_mul_(average, rho)
            torch._foreach_add_(average, grads, alpha=1 - rho)
            denominator = torch._foreach_addcmul(velocity, average, average, value=-1)
            torch._foreach_add_(denominator, eps)
        else:
            denominator = torch._foreach_add(velocity, eps)
        torch._foreach_sqrt_(denominator)
        if group["momentum"]:
            momentum = slots["momentum"]
            torch._foreach_mul_(momentum, group["momentum"])
            torch._foreach_addcdiv_(momentum, grads, denominator, value=lr)
            torch._foreach_sub_(params, momentum)
        else:
            torch._foreach_addcdiv_(params, grads, denominator, value=-lr)


class KerasAdam(KerasRule):
    def slots(self, group):
        return ("momentum", "velocity") + (("velocity_hat",) if group["amsgrad"] else ())

    def update(self, group, params, grads, slots) -> None:
        beta_1, beta_2 = group["beta_1"], group["beta_2"]
        t = group["iterations"] + 1
        alpha = group["lr"] * (1 - beta_2 ** t) ** 0.5 / (1 - beta_1 ** t)
        m, v = slots["momentum"], slots["velocity"]
        torch._foreach_lerp_(m, grads, 1 - beta_1)
        torch._foreach_mul_(v, beta_2)
        torch._foreach_addcmul_(v, grads, grads, value=1 - beta_2)
        if group["amsgrad"]:
            torch._foreach_maximum_(slots["velocity_hat"], v)
            v = slots["velocity_hat"]
        denominator = torch._foreach_sqrt(v)
        torch._foreach_add_(denominator, group["epsilon"])
        torch._foreach_addcdiv_(params, m, denominator, value=-alpha)


class KerasAdagrad(KerasRule):
    def slots(self, group):
        return ("accumulator",)

    def initial_slot(self, name, param, group):
        return torch.full_like(param, group["initial_accumulator_value"])

    def update(self, group, params, grads, slots) -> None:
        accumulator = slots["accumulator"]
        torch._foreach_addcmul_(accumulator, grads, grads)
        denominator = torch._foreach_add(accumulator, group["epsilon"])
        torch._foreach_sqrt_(denominator)
        torch._foreach_addcdiv_(params, grads, denominator, value=-group["lr"])


class KerasAdadelta(KerasRule):
    def slots(self, group):
        return ("accumulated_grad", "accumulated_delta_var")

    def update(self, group, params, grads, slots) -> None:
        rho, eps = group["rho"], group["epsilon"]
        accumulated_grad, accumulated_delta = slots["accumulated_grad"], slots["accumulated_delta_var"]
        torch._foreach_mul_(accumulated_grad, rho)
        torch._foreach_addcmul_(accumulated_grad, grads, grads, value=1 - rho)
        delta = torch._foreach_add(accumulated_delta, eps)
        torch._foreach_sqrt_(delta)
        denominator = torch._foreach_add(accumulated_grad, eps)
        torch._foreach_sqrt_(denominator)
        torch._foreach_div_(delta, denominator)
        torch._foreach_mul_(delta, grads)  # the step is -delta
        torch._foreach_mul_(accumulated_delta, rho)
        torch._foreach_addcmul_(accumulated_delta, delta, delta, value=1 - rho)
        torch._foreach_add_(params, delta, alpha=-group["lr"])


__all__ = ["KerasAdadelta", "KerasAdagrad", "KerasAdam", "KerasRMSprop", "KerasRule", "KerasSGD"]
