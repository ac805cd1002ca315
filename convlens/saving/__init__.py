"""Saving and loading in one safe format (safetensors + JSON metadata), weights by layer path, atomic writes,
and the registry that rebuilds layers and models from configs.

Example:
    >>> from convlens.saving import register_serializable, load_model, save_weights  # doctest: +SKIP
"""
from __future__ import annotations

from convlens.saving.file_format import UnsafeFileError, read_file
from convlens.saving.files import atomic_write_bytes
from convlens.saving.model_file import (load_model, load_weights, model_from_json, restore_checkpoint,
                                        save_checkpoint, save_model, save_weights, to_json)
from convlens.saving.registry import deserialize, get_registered_class, register_serializable, serialize
from convlens.saving.run_state import RunState, read_run_state, run_state_payload
from convlens.saving.weights import assign_named_weights, named_weight_arrays

__all__ = ["RunState", "UnsafeFileError", "assign_named_weights", "atomic_write_bytes", "deserialize",
           "get_registered_class", "load_model", "load_weights", "model_from_json", "named_weight_arrays",
           "read_file", "read_run_state", "register_serializable", "restore_checkpoint", "run_state_payload",
           "save_checkpoint", "save_model", "save_weights", "serialize", "to_json"]
