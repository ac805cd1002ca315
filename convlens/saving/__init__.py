"""Saving and loading in one safe format (safetensors + JSON metadata); atomic writes.

Example:
    >>> from convlens.saving import atomic_write_bytes, read_file  # doctest: +SKIP
"""
from __future__ import annotations

from convlens.saving.files import atomic_write_bytes
from convlens.saving.model_file import (UnsafeFileError, load_model, load_weights, read_file, restore_checkpoint,
                                        save_checkpoint, save_model, save_weights)

__all__ = ["UnsafeFileError", "atomic_write_bytes", "load_model", "load_weights", "read_file", "restore_checkpoint",
           "save_checkpoint", "save_model", "save_weights"]
