"""Keras's learning-rate schedules: a function of the optimizer's step count (``optimizer.iterations``).

Pass one as ``learning_rate=``; the optimizer evaluates it on the host before each update (the step count is a
Python int, so no device sync), stores it in its config and keeps the step count in its state, so a saved run
resumes on the same learning rate.

Example:
    >>> schedule = ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    >>> [round(schedule(step), 4) for step in (0, 10, 20)]
    [0.1, 0.05, 0.025]
    >>> deserialize(serialize(schedule)).get_config() == schedule.get_config()
    True
"""
from __future__ import annotations

import math
from typing import Any, Sequence


class LearningRateSchedule:
    """Base class: ``schedule(step)`` → the learning rate at that step (a float)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(step)")

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement get_config()")

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> "LearningRateSchedule":
        return cls(**config)


def _positive_steps(decay_steps: float) -> float:
    if decay_steps <= 0:
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps}")
    return decay_steps


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent floored with ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float, staircase: bool = False,
                 name: str = "ExponentialDecay") -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive_steps(decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        return float(self.initial_learning_rate * self.decay_rate ** (math.floor(p) if self.staircase else p))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (floored with ``staircase``)."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float, staircase: bool = False,
                 name: str = "InverseTimeDecay") -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive_steps(decay_steps)
        self.decay_rate, self.staircase, self.name = decay_rate, staircase, name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        return float(self.initial_learning_rate / (1.0 + self.decay_rate * (math.floor(p) if self.staircase else p)))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including ``boundaries[0]``, ``values[1]`` up to ``boundaries[1]``, …"""

    def __init__(self, boundaries: Sequence[float], values: Sequence[float], name: str = "PiecewiseConstant") -> None:
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={list(boundaries)} of length {len(boundaries)}, and values="
                             f"{list(values)} of length {len(values)}.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self) -> dict[str, Any]:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` along ``(1 - step / decay_steps) ** power``."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay") -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive_steps(decay_steps)
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step: int) -> float:
        steps = self.decay_steps
        if self.cycle:
            steps = steps * max(1.0, math.ceil(step / steps)) if step > 0 else steps
        else:
            step = min(step, steps)
        fraction = (1.0 - step / steps) ** self.power
        return float((self.initial_learning_rate - self.end_learning_rate) * fraction + self.end_learning_rate)

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Optional linear warmup from ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps``, then a
    cosine from there down to ``alpha`` times it over ``decay_steps`` (held afterwards)."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None, warmup_steps: float = 0) -> None:
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, _positive_steps(decay_steps)
        self.alpha, self.name, self.warmup_target, self.warmup_steps = alpha, name, warmup_target, warmup_steps

    def _cosine(self, step: float, start: float) -> float:
        decayed = 0.5 * (1.0 + math.cos(math.pi * step / self.decay_steps))
        return start * ((1 - self.alpha) * decayed + self.alpha)

    def __call__(self, step: int) -> float:
        if self.warmup_target is None:
            return float(self._cosine(min(step, self.decay_steps), self.initial_learning_rate))
        step = min(step, self.decay_steps + self.warmup_steps)
        if step < self.warmup_steps:
            delta = self.warmup_target - self.initial_learning_rate
            return float(self.initial_learning_rate + delta * step / self.warmup_steps)
        return float(self._cosine(step - self.warmup_steps, self.warmup_target))

    def get_config(self) -> dict[str, Any]:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


SCHEDULES = {cls.__name__: cls for cls in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
                                           PolynomialDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict[str, Any]:
    """``{"class_name": …, "config": …}``, the form Keras writes into an optimizer's config."""
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config: dict[str, Any]) -> LearningRateSchedule:
    """The schedule back from :func:`serialize`'s dict."""
    name = config.get("class_name")
    if name not in SCHEDULES:
        raise ValueError(f"unknown learning-rate schedule {name!r}; expected one of {sorted(SCHEDULES)}")
    return SCHEDULES[name].from_config(dict(config.get("config", {})))


__all__ = ["CosineDecay", "ExponentialDecay", "InverseTimeDecay", "LearningRateSchedule", "PiecewiseConstantDecay",
           "PolynomialDecay", "deserialize", "serialize"]
