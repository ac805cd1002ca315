"""Keras's ``applications.imagenet_utils``: ``preprocess_input`` in its three modes and ``decode_predictions``.

Modes, as Keras: ``"caffe"`` (VGG, ResNet: RGB to BGR, minus the ImageNet mean per channel, no scaling), ``"tf"``
(MobileNetV2, InceptionV3, Xception: scaled to [-1, 1]), ``"torch"`` (scaled to [0, 1], then standardised with the
ImageNet mean and std). As in Keras, a floating-point NumPy array is written over (``np.copy(x)`` first to keep it);
integer arrays and torch tensors give a new array.

``decode_predictions`` needs the 1,000 ImageNet class names (Keras's ``imagenet_class_index.json``). convlens
reaches no network: it reads ``class_index=`` (a path or a dict), else
``$CONVLENS_HOME/applications/imagenet_class_index.json``, else Keras's own cached copy (``$KERAS_HOME/models`` or
``~/.keras/models``), and otherwise says how to give it.

Example:
    >>> import numpy as np
    >>> preprocess_input(np.array([[[0, 127.5, 255]]], "float32"), mode="tf").tolist()
    [[[-1.0, 0.0, 1.0]]]
    >>> decode_predictions(np.array([[0.1, 0.7, 0.2]]), top=2,
    ...                    class_index={"0": ["n0", "cat"], "1": ["n1", "dog"], "2": ["n2", "fox"]})
    [[('n1', 'dog', 0.7), ('n2', 'fox', 0.2)]]
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import torch

from convlens import backend
from convlens.zoo.weights import convlens_home

IMAGENET_MEAN_BGR = (103.939, 116.779, 123.68)  # Keras's caffe means, in BGR order
TORCH_MEAN = (0.485, 0.456, 0.406)
TORCH_STD = (0.229, 0.224, 0.225)
CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_URL = "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
MODES = ("caffe", "tf", "torch")


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Preprocess a batch (or one image) of RGB values in 0–255 for an ImageNet model (see the module's modes)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    data_format = backend.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}")
    if torch.is_tensor(x):
        return _preprocess(x.float() if not x.is_floating_point() else x.clone(), data_format, mode)
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(backend.floatx())
    return _preprocess(x, data_format, mode)


def preprocess_caffe(x: Any, data_format: str | None = None) -> Any:
    """``preprocess_input`` of VGG and ResNet (Keras's mode ``"caffe"``: RGB to BGR, ImageNet mean subtracted)."""
    return preprocess_input(x, data_format=data_format, mode="caffe")


def preprocess_tf(x: Any, data_format: str | None = None) -> Any:
    """``preprocess_input`` of MobileNetV2, InceptionV3 and Xception (Keras's mode ``"tf"``: scaled to [-1, 1])."""
    return preprocess_input(x, data_format=data_format, mode="tf")


def _preprocess(x: Any, data_format: str, mode: str) -> Any:
    """In place on ``x`` (a float array or a fresh tensor), like Keras's NumPy path."""
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    channel = 0 if data_format == "channels_first" and x.ndim == 3 else (1 if data_format == "channels_first"
                                                                          else x.ndim - 1)
    if x.shape[channel] != 3:
        raise ValueError(f"preprocess_input(mode={mode!r}) needs 3 RGB channels on axis {channel}, got shape "
                         f"{tuple(x.shape)}")
    if mode == "torch":
        x /= 255.0
        mean, std = TORCH_MEAN, TORCH_STD
    else:
        x = _flip(x, channel)  # RGB -> BGR (a view of the array, as Keras's x[..., ::-1])
        mean, std = IMAGENET_MEAN_BGR, None
    for index in range(3):
        plane = _plane(x, channel, index)
        plane -= mean[index]
        if std is not None:
            plane /= std[index]
    return x


def _flip(x: Any, axis: int) -> Any:
    if torch.is_tensor(x):
        return x.flip(axis)
    return np.flip(x, axis)


def _plane(x: Any, axis: int, index: int) -> Any:
    """One channel of ``x`` as a view, so that subtracting from it writes into ``x``."""
    return x.select(axis, index) if torch.is_tensor(x) else x[(slice(None),) * axis + (index,)]


def class_index_paths() -> list[Path]:
    """Where ``decode_predictions`` looks for ``imagenet_class_index.json``, in order."""
    keras_home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")
    return [convlens_home() / "applications" / CLASS_INDEX_FILE, keras_home / "models" / CLASS_INDEX_FILE]


def load_class_index(class_index: str | os.PathLike | Mapping | None = None) -> dict[int, tuple[str, str]]:
    """``{class id: (wordnet id, name)}`` from ``class_index`` (a path or a dict like Keras's JSON) or the caches."""
    if isinstance(class_index, Mapping):
        raw = class_index
    else:
        candidates = [Path(class_index)] if class_index is not None else class_index_paths()
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            where = str(candidates[0]) if class_index is not None else " or ".join(map(str, candidates))
            raise FileNotFoundError(
                f"decode_predictions needs the ImageNet class names and convlens reaches no network; found no "
                f"{CLASS_INDEX_FILE} at {where}. Save Keras's file ({CLASS_INDEX_URL}) to "
                f"{class_index_paths()[0]} (or set $CONVLENS_HOME), or pass class_index=<path or dict>")
        raw = json.loads(found.read_text())
    try:
        return {int(key): (str(value[0]), str(value[1])) for key, value in raw.items()}
    except (TypeError, ValueError, IndexError, AttributeError) as error:
        raise ValueError(f"class_index must map class ids to [wordnet_id, name] pairs like Keras's "
                         f"{CLASS_INDEX_FILE}; got {type(raw).__name__} ({error})") from None


def decode_predictions(preds: Any, top: int = 5, class_index: str | os.PathLike | Mapping | None = None
                       ) -> list[list[tuple[str, str, float]]]:
    """Per sample, the ``top`` classes as ``(wordnet_id, class_name, score)``, highest score first (Keras's form)."""
    preds = preds.detach().float().cpu().numpy() if torch.is_tensor(preds) else np.asarray(preds)
    index = load_class_index(class_index)
    if preds.ndim != 2 or preds.shape[1] != len(index):
        raise ValueError(f"decode_predictions expects a batch of predictions (a 2D array of shape (samples, "
                         f"{len(index)})), got an array of shape {preds.shape}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be a whole number >= 1, got {top!r}")
    results = []
    for row in preds:
        best = np.argsort(row)[::-1][:top]
        results.append([(*index[int(i)], float(row[i])) for i in best])
    return results


__all__ = ["decode_predictions", "load_class_index", "preprocess_input"]
