"""``convlens.utils.image_dataset_from_directory``: Keras 3's folder loader, the same function as
``convlens.preprocessing.image_dataset_from_directory`` (one implementation; see that module).

Example:
    >>> from convlens.preprocessing import image_dataset_from_directory as loader
    >>> image_dataset_from_directory is loader
    True
"""
from convlens.data.dataset import AUTOTUNE
from convlens.preprocessing.dataset_from_directory import image_dataset_from_directory

__all__ = ["AUTOTUNE", "image_dataset_from_directory"]
