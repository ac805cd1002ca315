"""What ``compile`` records: the optimizer, the loss, the metric names and the precision policy.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    >>> model.compile("adam", "categorical_crossentropy", ["accuracy"], precision="float32")
    >>> model.compiled.get_config()["loss"]["name"], model.precision_policy
    ('categorical_crossentropy', 'float32')
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

from convlens import losses, metrics as metric_lib, optimizers


@dataclass
class CompiledSetup:
    loss: losses.Loss | None
    metric_names: list[Any] = field(default_factory=list)
    precision: str | None = None  # the policy asked for (None: the model's own); the Strategy holds the resolved one

    def metrics(self, output_width: int | None) -> list[metric_lib.Metric]:
        kind = self.loss.kind if self.loss is not None else "regression"
        return [metric_lib.resolve(m, kind, output_width) for m in self.metric_names]

    def get_config(self) -> dict[str, Any]:
        return {"loss": self.loss.get_config() if self.loss else None, "precision": self.precision,
                "metrics": [m if isinstance(m, str) else getattr(m, "__name__", "metric") for m in self.metric_names]}


def precision_from_arguments(precision: str | None, mixed_precision: str | None) -> str | None:
    """The policy from ``precision=`` and the deprecated ``mixed_precision=`` (``"bfloat16"`` only); None when
    neither is given (the model's own dtype policy, float32 unless the user set one)."""
    if mixed_precision is not None:
        if mixed_precision != "bfloat16":
            raise ValueError(f"mixed_precision must be None or 'bfloat16' (deprecated: use precision=…), got "
                             f"{mixed_precision!r}")
        warnings.warn("compile(mixed_precision='bfloat16') is deprecated; use precision='bfloat16'",
                      DeprecationWarning, stacklevel=4)
        if precision not in (None, "auto", "bfloat16", "mixed_bfloat16"):
            raise ValueError(f"mixed_precision='bfloat16' contradicts precision={precision!r}; give precision only")
        return "mixed_bfloat16"
    return precision


def compile_model(model, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                  precision: str | None = None) -> CompiledSetup:
    """Set ``model.optimizer`` and ``model.compiled`` (the Trainer resolves the precision on its device)."""
    if isinstance(metrics, (str, dict)) or (metrics is not None and not isinstance(metrics, (list, tuple))):
        metrics = [metrics]
    model.optimizer = optimizers.get(optimizer)
    model.compiled = CompiledSetup(losses.get(loss) if loss is not None else None, list(metrics or []), precision)
    return model.compiled


def compile_from_config(model, config: dict[str, Any]) -> None:
    """Re-compile a loaded model from its saved settings (files from before ``precision`` say
    ``mixed_precision``)."""
    precision = config.get("precision") or ("mixed_bfloat16" if config.get("mixed_precision") == "bfloat16" else None)
    model.compile(optimizers.get(config["optimizer"]), losses.get(config["loss"]) if config.get("loss") else None,
                  config.get("metrics"), precision=precision)
