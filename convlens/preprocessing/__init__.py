"""Keras-compatible input pipelines: ``ImageDataGenerator`` and ``image_dataset_from_directory``.

Example:
    >>> from convlens.preprocessing import ImageDataGenerator
    >>> ImageDataGenerator(rescale=1 / 255).rescale
    0.00392156862745098
"""
from __future__ import annotations

from convlens.preprocessing import image
from convlens.preprocessing.dataset_from_directory import image_dataset_from_directory
from convlens.preprocessing.image import DirectoryIterator, ImageDataGenerator, NumpyArrayIterator

__all__ = ["DirectoryIterator", "ImageDataGenerator", "NumpyArrayIterator", "image",
           "image_dataset_from_directory"]
