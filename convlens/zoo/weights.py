"""Weights without a model hub: bases convlens trains and caches itself, files by path, and the adaptation of a
first convolution to another channel count or of a head to another class count.

A base lives under ``$CONVLENS_HOME/bases/<model>/<name>.convlens`` (default ``~/.convlens``) next to its model card
``<name>.json`` (dataset, epochs, seed, test accuracy, sha256, input shape, classes, and the layer layout).
``convlens pretrain lenet5 --dataset fashion_mnist`` writes one; ``LeNet5(weights="fashion_mnist")`` loads it.

Example:
    >>> import os, tempfile, warnings
    >>> from convlens.zoo.lenet import LeNet5
    >>> home = tempfile.mkdtemp()
    >>> card = save_base(LeNet5(input_shape=(32, 32, 3)), "lenet5", "demo", {"dataset": "none"}, home=home)
    >>> with warnings.catch_warnings(record=True) as notes:
    ...     warnings.simplefilter("always")
    ...     grey = load_pretrained(LeNet5(), "demo", "lenet5", home=home)
    >>> "summed" in str(notes[0].message)
    True
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from convlens.cache import convlens_home, file_digest
from convlens.saving import atomic_write_bytes, read_file
from convlens.saving.weights import assign_named_weights, named_weight_arrays
from convlens.saving.keras_h5 import is_keras_file, read_keras_weights

NO_HUB = ("no model hub is reachable from convlens; train a base yourself with "
          "`convlens pretrain {model} --dataset fashion_mnist` and load it with weights='fashion_mnist'")


class WeightsNote(UserWarning):
    """Weights were loaded with an adaptation: first convolution resized, head dropped, layers left fresh."""


def base_paths(model_name: str, base: str, home: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """``(weights file, model card)`` of base ``base`` of ``model_name``."""
    if not base or "/" in base or "\\" in base or base.startswith("."):
        raise ValueError(f"a base name is a plain name like 'fashion_mnist', got {base!r}")
    folder = convlens_home(home) / "bases" / model_name.lower()
    return folder / f"{base}.convlens", folder / f"{base}.json"


def list_bases(model_name: str | None = None, home: str | os.PathLike | None = None) -> list[tuple[str, str]]:
    """``(model, base)`` pairs cached under ``$CONVLENS_HOME/bases``."""
    root = convlens_home(home) / "bases"
    pattern = f"{model_name.lower()}/*.json" if model_name else "*/*.json"
    return sorted((p.parent.name, p.stem) for p in root.glob(pattern))


def save_base(model: Any, model_name: str, base: str, card: dict[str, Any],
              home: str | os.PathLike | None = None) -> dict[str, Any]:
    """Write ``model``'s weights as base ``base`` of ``model_name`` with its model card; returns the card."""
    weights_path, card_path = base_paths(model_name, base, home)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(weights_path)
    card = {"model": model_name.lower(), "base": base, **card,
            "input_shape": list(model.input_shape[1:]) if model.input_shape else None,
            "sha256": file_digest(weights_path)}
    atomic_write_bytes(card_path, (json.dumps(card, indent=2) + "\n").encode())
    return card


def read_card(model_name: str, base: str, home: str | os.PathLike | None = None) -> dict[str, Any]:
    """The model card of a cached base; a ``ValueError`` lists the cached bases when it is missing."""
    weights_path, card_path = base_paths(model_name, base, home)
    if not card_path.is_file() or not weights_path.is_file():
        cached = ", ".join(b for _, b in list_bases(model_name, home)) or "none"
        raise ValueError(f"no base {base!r} for {model_name} under {card_path.parent} (cached: {cached}); "
                         f"train it with `convlens pretrain {model_name} --dataset {base}`")
    return json.loads(card_path.read_text())


def load_pretrained(model: Any, weights: Any, model_name: str, home: str | os.PathLike | None = None) -> Any:
    """Load ``weights`` (``None``, a file path, or a cached base name) into ``model`` and return it."""
    if weights is None:
        return model
    if not isinstance(weights, (str, os.PathLike)):
        raise ValueError(f"weights must be None, a file path or a base name, got {type(weights).__name__}")
    path = Path(weights)
    if path.is_file():
        load_file(model, path)
        return model
    if str(weights) == "imagenet":
        raise ValueError(f"weights='imagenet': {NO_HUB.format(model=model_name)}")
    if path.suffix or os.sep in str(weights):
        raise FileNotFoundError(f"weights file {weights} does not exist")
    card = read_card(model_name, str(weights), home)
    weights_path, _ = base_paths(model_name, str(weights), home)
    if file_digest(weights_path) != card["sha256"]:
        raise ValueError(f"{weights_path} does not match the sha256 in its model card; re-run "
                         f"`convlens pretrain {model_name}`")
    load_file(model, weights_path)
    return model


def load_file(model: Any, path: str | os.PathLike) -> list[str]:
    """Load a convlens weights/model file or a Keras file (``.weights.h5``, ``.keras``, legacy HDF5); a convlens
    file goes through ``transfer_weights`` (adaptations reported as notes)."""
    if is_keras_file(path):
        read_keras_weights(path, model)
        return []
    tensors, _ = read_file(path)
    return transfer_weights(model, {k[len("weights/"):]: v.numpy() for k, v in tensors.items()
                                    if k.startswith("weights/")})


def _by_layer(arrays: dict[str, Any]) -> dict[str, dict[str, Any]]:
    groups: dict[str, dict[str, Any]] = {}
    for path, array in arrays.items():
        layer, _, weight = path.rpartition("/")
        groups.setdefault(layer, {})[weight] = array
    return groups


def transfer_weights(model: Any, arrays: dict[str, Any]) -> list[str]:
    """Put ``arrays`` (``{layer path/weight name: array}``, Keras layouts) into ``model``, adapting where it must.

    The first convolution is adapted to another input channel count (RGB kernels summed for grey input, the mean
    kernel spread over RGB); a last layer whose shapes differ (another class count) keeps fresh weights; layers of
    the file the model lacks (a head under ``include_top=False``) are dropped. Each adaptation is reported as a
    ``WeightsNote`` warning and returned. Any other mismatch is a ``ValueError`` and nothing is loaded.
    """
    current = _by_layer(named_weight_arrays(model))
    source = _by_layer(dict(arrays))
    order = list(current)
    dropped = [repr(name) for name in sorted(source) if name not in current]  # the file's order is not kept
    notes = [f"dropped the file's {', '.join(dropped)}: not in this model (a head under include_top=False?)"] \
        if dropped else []
    final: dict[str, Any] = {}
    for index, name in enumerate(order):
        mine, theirs = current[name], source.get(name)
        if theirs is None:
            notes.append(f"layer {name!r} is not in the file: it keeps its fresh weights")
            theirs = mine
        else:
            theirs, note = _adapted(name, mine, theirs, first=index == 0, last=index == len(order) - 1)
            notes += note
        final.update({f"{name}/{weight}": value for weight, value in theirs.items()})
    assign_named_weights(model, final)
    for note in notes:
        warnings.warn(note, WeightsNote, stacklevel=3)
    return notes


def _adapted(name: str, mine: dict[str, np.ndarray], theirs: dict[str, Any], first: bool,
             last: bool) -> tuple[dict[str, Any], list[str]]:
    expected = {k: v.shape for k, v in mine.items()}
    got = {k: tuple(np.shape(v)) for k, v in theirs.items()}
    if got == expected:
        return theirs, []
    kernel_mine, kernel_theirs = expected.get("kernel"), got.get("kernel")
    if first and set(got) == set(expected) and kernel_mine and kernel_theirs and len(kernel_mine) == 4 \
            and kernel_theirs[:2] == kernel_mine[:2] and kernel_theirs[3] == kernel_mine[3] \
            and all(got[k] == expected[k] for k in got if k != "kernel"):
        kernel, c_in = np.asarray(theirs["kernel"]), kernel_mine[2]
        # a grey image repeated over the file's channels must give the same response: sum, then share out
        adapted = np.repeat(kernel.sum(axis=2, keepdims=True) / c_in, c_in, axis=2)
        how = (f"summed its {kernel.shape[2]} input-channel kernels" if c_in == 1 else
               f"shared the sum of its {kernel.shape[2]}-channel kernels out over {c_in} channels")
        return {**theirs, "kernel": adapted.astype(kernel.dtype)}, [
            f"first convolution {name!r}: the file has {kernel.shape[2]} input channels, the model {c_in}; {how}"]
    if last:
        return mine, [f"last layer {name!r}: the file's shapes {got} differ from the model's {expected} (another "
                      f"class count?): the head keeps fresh weights"]
    raise ValueError(f"layer {name!r}: the file's weight shapes {got} do not fit the model's {expected}; was the "
                     f"base trained at another input size?")
