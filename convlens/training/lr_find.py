"""A learning-rate range test (Smith 2015; fastai's `lr_find`): train a few batches while the learning rate grows
exponentially, record the loss, and suggest the rate where the loss fell fastest. The notes pick 0.01 / 0.001 /
0.0001 by hand; this draws the curve that choice is read from.

Only the model's public methods are used (`fit`, `get_weights`, `set_weights`, `optimizer.learning_rate`), and the
weights, the optimizer's state and its learning rate are put back afterwards: the model is as it was.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class LRFinderResult:
    """Learning rates tried, the loss of the batch trained at each, and the suggested learning rate."""

    learning_rates: list[float]
    losses: list[float]
    suggestion: float | None


def lr_find(model: Any, x: Any, y: Any, start_lr: float = 1e-7, end_lr: float = 10.0, num_iter: int = 100,
            batch_size: int = 32, stop_div: bool = True, seed: int = 0) -> LRFinderResult:
    """Train `num_iter` batches with learning rates from `start_lr` to `end_lr` (geometric steps), then restore.

    The model must be compiled. Stops early when the loss exceeds 4x its best (the rate is too high). The
    suggestion is the rate of the steepest fall of the smoothed loss (as fastai's `valley`/`steep` suggestions).

    Example:
        >>> result = lr_find(model, x_train, y_train)  # doctest: +SKIP
        >>> result.suggestion  # doctest: +SKIP
        0.0012
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError("lr_find needs a compiled model: call model.compile(optimizer, loss) first")
    if not 0 < start_lr < end_lr:
        raise ValueError(f"need 0 < start_lr < end_lr, got start_lr={start_lr}, end_lr={end_lr}")
    if num_iter < 2:
        raise ValueError(f"num_iter must be at least 2, got {num_iter}")
    x_arr, y_arr = np.asarray(x), np.asarray(y)
    if len(x_arr) != len(y_arr) or len(x_arr) == 0:
        raise ValueError(f"x and y must hold the same number (> 0) of samples, got {len(x_arr)} and {len(y_arr)}")
    weights = model.get_weights()
    saved_lr = optimizer.learning_rate
    torch_optimizer = getattr(optimizer, "torch_optimizer", None)
    saved_state = copy.deepcopy(torch_optimizer.state_dict()) if torch_optimizer is not None else None
    saved_history = getattr(model, "history", None)
    rng = np.random.default_rng(seed)
    rates = np.geomspace(start_lr, end_lr, num_iter)
    tried: list[float] = []
    losses: list[float] = []
    order = rng.permutation(len(x_arr))
    try:
        for i, rate in enumerate(rates):
            start = (i * batch_size) % len(x_arr)
            if start + batch_size > len(x_arr):
                order = rng.permutation(len(x_arr))
                start = 0
            batch = order[start:start + batch_size]
            optimizer.learning_rate = float(rate)
            history = model.fit(x_arr[batch], y_arr[batch], batch_size=len(batch), epochs=1, verbose=0, shuffle=False)
            loss = float(history.history["loss"][0])  # the batch's loss before this step's update
            tried.append(float(rate))
            losses.append(loss)
            if not math.isfinite(loss) or (stop_div and loss > 4 * min(losses)):
                break
    finally:
        model.set_weights(weights)
        optimizer.learning_rate = saved_lr
        if saved_state is not None and optimizer.torch_optimizer is not None:
            optimizer.torch_optimizer.load_state_dict(saved_state)
        if saved_history is not None:
            model.history = saved_history
    return LRFinderResult(tried, losses, suggest_lr(tried, losses))


def suggest_lr(learning_rates: list[float], losses: list[float], beta: float = 0.9) -> float | None:
    """fastai's 'valley' suggestion: on the smoothed loss, find the longest run of falling values (the valley
    floor may come long after the start of the fall) and take the point halfway down its middle third, well
    before the loss bottoms out; None when there are fewer than 10 finite points.

    Example:
        >>> rates = list(np.geomspace(1e-5, 1, 50)); losses = [2 - np.tanh(np.log10(r) + 2.5) for r in rates]
        >>> 1e-4 < suggest_lr(rates, losses) < 1e-2
        True
    """
    finite = [(r, l) for r, l in zip(learning_rates, losses) if math.isfinite(l)]
    if len(finite) < 10:
        return None
    smoothed, average = [], 0.0
    for i, (_, loss) in enumerate(finite):  # bias-corrected exponential moving average
        average = beta * average + (1 - beta) * loss
        smoothed.append(average / (1 - beta ** (i + 1)))
    n = len(smoothed)
    run = [1] * n  # run[i]: length of the longest strictly falling subsequence ending at i
    best_end = 0
    for i in range(1, n):
        for j in range(i):
            if smoothed[i] < smoothed[j] and run[i] < run[j] + 1:
                run[i] = run[j] + 1
        if run[i] > run[best_end]:
            best_end = i
    start = best_end - run[best_end] + 1
    third = (best_end - start) / 3
    return float(finite[start + int(third) + int(third / 2)][0])
