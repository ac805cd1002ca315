"""Keras 2's ``np_utils`` path: ``from convlens.utils import np_utils; np_utils.to_categorical(y, 10)``."""
from convlens.utils import to_categorical

__all__ = ["to_categorical"]
