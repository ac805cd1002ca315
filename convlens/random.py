"""``convlens.random``: Keras 3's ``keras.random`` — seeded draws as torch tensors.

``seed`` works as in Keras: an int gives the same numbers on every call; a ``SeedGenerator`` gives a new,
repeatable draw on each call (one generator per model or layer); ``None`` draws from torch's default generator, so
``convlens.utils.set_random_seed`` (or ``torch.manual_seed``) makes a run repeatable. Numbers are drawn on the CPU
(the same on every machine) and placed where new arrays go (``ops.dispatch.default_device``: CUDA when there is
one, as in Keras; ``dropout``, ``shuffle`` and ``categorical`` answer on their input's device).

Example:
    >>> from convlens import random
    >>> bool((random.normal((3,), seed=7) == random.normal((3,), seed=7)).all())
    True
    >>> gen = random.SeedGenerator(42)
    >>> bool((random.uniform((3,), seed=gen) == random.uniform((3,), seed=gen)).all())
    False
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from convlens.ops.dispatch import default_device, floating, to_tensor, torch_dtype

_MIX = 0x9E3779B97F4A7C15  # a large odd constant: spreads (seed, draw count) pairs over 63-bit seeds


class SeedGenerator:
    """A seed that moves on after every draw: ``SeedGenerator(1337)``, then pass ``seed=generator``.

    The sequence of draws is fixed by the starting seed; ``seed=None`` starts from a seed drawn from NumPy's
    entropy, so two unseeded generators differ.
    """

    def __init__(self, seed: int | None = None, name: str | None = None) -> None:
        if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
            raise ValueError(f"seed must be an int or None, got {seed!r}")
        self.seed = int(seed) if seed is not None else int(np.random.SeedSequence().entropy % (2 ** 63))
        self.name = name or "seed_generator"
        self.draws = 0

    def next(self) -> int:
        """The seed for the next draw (and move on)."""
        value = (self.seed * _MIX + self.draws + 1) % (2 ** 63)
        self.draws += 1
        return value

    @property
    def state(self) -> np.ndarray:
        """``[seed, draws]``: everything that decides the next draw."""
        return np.array([self.seed, self.draws], dtype=np.int64)

    def get_config(self) -> dict[str, Any]:
        return {"seed": self.seed, "name": self.name}


def _generator(seed: int | SeedGenerator | None) -> torch.Generator | None:
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return torch.Generator().manual_seed(seed.next())
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return torch.Generator().manual_seed(int(seed) % (2 ** 63))
    raise ValueError(f"seed must be an int, a SeedGenerator or None, got {seed!r}")


def _float(dtype: Any) -> torch.dtype:
    return torch_dtype(dtype) or torch.float32


def normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
           seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """Draws from a normal distribution."""
    draw = torch.randn(tuple(shape), generator=_generator(seed), dtype=_float(dtype))
    return draw.to(default_device()) * stddev + mean


def truncated_normal(shape: Sequence[int], mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """Normal draws, redrawn when more than two standard deviations from the mean."""
    out = torch.empty(tuple(shape), dtype=_float(dtype))
    torch.nn.init.trunc_normal_(out, 0.0, 1.0, -2.0, 2.0, generator=_generator(seed))
    return out.to(default_device()) * stddev + mean


def uniform(shape: Sequence[int], minval: float = 0.0, maxval: float = 1.0, dtype: Any = None,
            seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """Draws from ``[minval, maxval)``."""
    if maxval <= minval:
        raise ValueError(f"uniform needs minval < maxval, got minval={minval}, maxval={maxval}")
    draw = torch.rand(tuple(shape), generator=_generator(seed), dtype=_float(dtype))
    return draw.to(default_device()) * (maxval - minval) + minval


def randint(shape: Sequence[int], minval: int, maxval: int, dtype: Any = "int32",
            seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """Integers from ``[minval, maxval)``."""
    if maxval <= minval:
        raise ValueError(f"randint needs minval < maxval, got minval={minval}, maxval={maxval}")
    return torch.randint(int(minval), int(maxval), tuple(shape), generator=_generator(seed),
                         dtype=torch_dtype(dtype) or torch.int32).to(default_device())


def categorical(logits: Any, num_samples: int, dtype: Any = "int32",
                seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """``num_samples`` class indices per row of ``logits`` ``(batch, classes)``."""
    scores = floating(to_tensor(logits))
    probabilities = torch.softmax(scores.cpu(), dim=-1)
    return torch.multinomial(probabilities, num_samples, replacement=True,
                             generator=_generator(seed)).to(scores.device, torch_dtype(dtype) or torch.int32)


def dropout(inputs: Any, rate: float, noise_shape: Sequence[int | None] | None = None,
            seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """Zero a ``rate`` fraction of the values and scale the rest by ``1 / (1 - rate)``; ``noise_shape`` (with
    ``None`` for ``inputs``' own size) shares one draw along axes of size 1."""
    x = floating(to_tensor(inputs))
    if not 0 <= rate < 1:
        raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    shape = tuple(x.shape) if noise_shape is None else tuple(
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape))
    keep = torch.rand(shape, generator=_generator(seed)).to(x.device) >= rate
    return x * keep / (1.0 - rate)


def shuffle(x: Any, axis: int = 0, seed: int | SeedGenerator | None = None) -> torch.Tensor:
    """The values in a random order along ``axis``."""
    value = to_tensor(x)
    order = torch.randperm(value.shape[axis], generator=_generator(seed)).to(value.device)
    return torch.index_select(value, axis, order)


__all__ = ["SeedGenerator", "categorical", "dropout", "normal", "randint", "shuffle", "truncated_normal", "uniform"]
