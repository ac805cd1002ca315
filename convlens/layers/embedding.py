"""``Embedding``: integer indices to dense vectors, a table of ``input_dim`` rows of ``output_dim`` values.

Example:
    >>> import torch
    >>> layer = Embedding(1000, 64)
    >>> layer(torch.tensor([[4, 20, 7]])).shape, layer.compute_output_shape((None, 10))
    (torch.Size([1, 3, 64]), (None, 10, 64))
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from convlens import arithmetic, initializers, regularizers
from convlens.arithmetic import ParamCount
from convlens.layers.base import Layer, Shape, regularizer_config


class Embedding(Layer):
    """Look up row ``i`` of the ``(input_dim, output_dim)`` table for each index ``i`` (Keras's weight layout);
    inputs ``(N, …)`` of integers (floats are truncated) give ``(N, …, output_dim)``."""

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None, mask_zero: bool = False,
                 weights: Sequence[np.ndarray] | None = None, input_length: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if embeddings_constraint is not None:
            raise ValueError(f"embeddings_constraint={embeddings_constraint!r} is not supported (convlens has no "
                             f"weight constraints); leave it None")
        if mask_zero:
            raise ValueError("mask_zero=True is not supported: convlens layers carry no masks. Leave it False and "
                             "pool over the sequence, or pad with an index the model can learn to ignore")
        if input_length is not None:
            warnings.warn("Argument `input_length` is deprecated (as in Keras 3). Just remove it.", stacklevel=2)
        self.input_dim, self.output_dim, self.mask_zero = input_dim, output_dim, False
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self._regularizers = {"embeddings": regularizers.get(embeddings_regularizer)}
        self.embeddings = nn.Parameter(self.embeddings_initializer((input_dim, output_dim)))
        if weights is not None:
            self.set_weights(weights)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape, self.output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        indices = torch.as_tensor(x).long()
        if indices.numel() and (int(indices.min()) < 0 or int(indices.max()) >= self.input_dim):
            raise ValueError(f"layer {self.name!r}: indices must lie in 0…{self.input_dim - 1} (input_dim="
                             f"{self.input_dim}), got values from {int(indices.min())} to {int(indices.max())}")
        return F.embedding(indices.to(self.embeddings.device), self.embeddings)

    def param_count(self, input_shape: Shape) -> ParamCount:
        return arithmetic.embedding_params(self.input_dim, self.output_dim)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.output_dim,
                "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
                "mask_zero": self.mask_zero, **regularizer_config(self)}


__all__ = ["Embedding"]
