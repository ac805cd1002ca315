"""Models: ``Sequential``, ``Model`` (and ``Model.wrap`` for any torch module), saving and loading.

Example:
    >>> from convlens.models import Sequential
    >>> from convlens.layers import Flatten, Dense
    >>> Sequential([Flatten(input_shape=(28, 28)), Dense(512), Dense(512), Dense(10)]).count_params()
    669706
"""
from convlens.models.model import Model
from convlens.saving import load_model
from convlens.models.sequential import Sequential

__all__ = ["Model", "Sequential", "load_model"]
