"""``clone_model``: the same architecture with fresh weights, as Keras's ``models.clone_model``.

Example:
    >>> from convlens import Sequential
    >>> from convlens.layers import Dense
    >>> model = Sequential([Dense(2, input_shape=(3,))])
    >>> twin = clone_model(model)
    >>> twin is model, twin.count_params() == model.count_params()
    (False, True)
"""
from __future__ import annotations

from typing import Any

from convlens import saving


def clone_model(model: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """A new model built from ``model``'s config: same layers and connections, newly initialised weights."""
    return saving.deserialize(saving.serialize(model), custom_objects)


def model_from_json(text: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild an architecture from ``model.to_json()`` text (fresh weights)."""
    return saving.model_from_json(text, custom_objects)
