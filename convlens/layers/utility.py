"""``Identity`` (returns its input) and ``Lambda`` (wraps a Python function as a layer, in memory only).

Example:
    >>> import torch
    >>> Lambda(lambda x: x * 2)(torch.ones(1, 2)).tolist()
    [[2.0, 2.0]]
    >>> Lambda(lambda x: x.sum(-1, keepdim=True)).compute_output_shape((None, 8, 8, 3))
    (None, 8, 8, 1)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import torch

from convlens.arithmetic import ShapeError
from convlens.layers.base import Layer, Shape


class Identity(Layer):
    """Return the input unchanged (a placeholder, e.g. where a block has no projection)."""

    def forward(self, x: Any) -> Any:
        return x


class Lambda(Layer):
    """Wrap ``function(x, **arguments)`` as a layer: ``Lambda(lambda x: x / 255)``.

    ``output_shape`` (without the batch axis, or a function of the input shape) is needed only when the function
    cannot be traced on shape-only ("meta") tensors. A Python function cannot be written into a config, so a model
    holding a Lambda trains, predicts and ``save_weights()`` but cannot be saved whole; write a Layer subclass for that.
    """

    def __init__(self, function: Callable[..., Any], output_shape: Sequence[int | None] | Callable | None = None,
                 arguments: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda needs a callable function, got {function!r}")
        if output_shape is not None and not callable(output_shape):
            output_shape = tuple(output_shape)
        self.function, self.output_shape_spec, self.arguments = function, output_shape, dict(arguments or {})

    def forward(self, x: Any) -> Any:
        return self.function(x, **self.arguments)

    def compute_output_shape(self, input_shape: Shape | Sequence[Shape]) -> Shape:
        spec = self.output_shape_spec
        if callable(spec):
            return tuple(spec(input_shape))
        if spec is not None:
            batch = input_shape[0][0] if input_shape and isinstance(input_shape[0], (tuple, list)) else input_shape[0]
            return (batch, *spec)
        return self._traced_shape(input_shape)

    def _traced_shape(self, input_shape: Shape | Sequence[Shape]) -> Shape:
        """Run the function twice on meta tensors with unknown sizes set to 2, then 3: sizes that change are None."""
        def fake(shape: Any, fill: int) -> Any:
            if shape and isinstance(shape[0], (tuple, list)):
                return [fake(s, fill) for s in shape]
            return torch.empty([fill if d is None else d for d in shape], device="meta")

        try:
            with torch.no_grad():
                a, b = (self.forward(fake(input_shape, fill)) for fill in (2, 3))
        except Exception as err:  # any error of the user's function; the message below names it
            raise ShapeError(f"layer {self.name!r} (Lambda) could not infer its output shape for input shape "
                             f"{input_shape} ({type(err).__name__}: {err}); pass output_shape=") from None
        if not isinstance(a, torch.Tensor):
            raise ShapeError(f"layer {self.name!r} (Lambda) returned {type(a).__name__}, not one tensor; "
                             f"pass output_shape=")
        return tuple(None if m != n else m for m, n in zip(a.shape, b.shape))

    def get_config(self) -> dict[str, Any]:
        raise ValueError(f"layer {self.name!r} (Lambda) cannot be saved in a config: a Python function cannot be "
                         f"saved in a config. Use model.save_weights() to keep the weights, or write a Layer "
                         f"subclass with get_config() instead of the Lambda.")


__all__ = ["Identity", "Lambda"]
