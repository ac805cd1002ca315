"""What ``model.compile`` records: the optimizer, the loss and the metric names.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    >>> model.compile("adam", "categorical_crossentropy", ["accuracy"])
    >>> model.compiled.get_config()["loss"]["name"]
    'categorical_crossentropy'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from convlens import losses, metrics as metric_lib, optimizers


@dataclass
class CompiledSetup:
    loss: losses.Loss | None
    metric_names: list[Any] = field(default_factory=list)
    mixed_precision: str | None = None  # "bfloat16": layers run under torch.autocast; weights stay float32

    def metrics(self, output_width: int | None) -> list[metric_lib.Metric]:
        kind = self.loss.kind if self.loss is not None else "regression"
        return [metric_lib.resolve(m, kind, output_width) for m in self.metric_names]

    def get_config(self) -> dict[str, Any]:
        return {"loss": self.loss.get_config() if self.loss else None, "mixed_precision": self.mixed_precision,
                "metrics": [m if isinstance(m, str) else getattr(m, "__name__", "metric") for m in self.metric_names]}


def compile_model(model, optimizer: Any = "rmsprop", loss: Any = None, metrics: Sequence[Any] | None = None,
                  mixed_precision: str | None = None) -> None:
    if mixed_precision not in (None, "bfloat16"):
        raise ValueError(f"mixed_precision must be None or 'bfloat16', got {mixed_precision!r}")
    if isinstance(metrics, (str, dict)) or (metrics is not None and not isinstance(metrics, (list, tuple))):
        metrics = [metrics]
    model.optimizer = optimizers.get(optimizer)
    model.compiled = CompiledSetup(losses.get(loss) if loss is not None else None, list(metrics or []),
                                   mixed_precision)


def compile_from_config(model, config: dict[str, Any]) -> None:
    """Re-compile a loaded model from its saved settings."""
    compile_model(model, optimizers.get(config["optimizer"]),
                  losses.get(config["loss"]) if config.get("loss") else None, config.get("metrics"),
                  config.get("mixed_precision"))
