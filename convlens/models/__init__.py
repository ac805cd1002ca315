"""Models: ``Model`` (functional or subclassed), ``Sequential``, ``Model.wrap`` for any torch module, and loading.

Example:
    >>> from convlens.models import Sequential
    >>> from convlens.layers import Flatten, Dense
    >>> Sequential([Flatten(input_shape=(28, 28)), Dense(512), Dense(512), Dense(10)]).count_params()
    669706
"""
from convlens.models.model import Functional, Model, WrappedModule
from convlens.models.sequential import Sequential
from convlens.models.cloning import clone_model, model_from_json
from convlens.saving import load_model

__all__ = ["Functional", "Model", "Sequential", "WrappedModule", "clone_model", "load_model", "model_from_json"]
