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

import hashlib
import json
import os
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from convlens.saving import atomic_write_bytes, read_file
from convlens.saving.keras_h5 import is_keras_file, read_keras_weights

NO_HUB = ("no model hub is reachable from convlens; train a base yourself with "
          "`convlens pretrain {model} --dataset fashion_mnist` and load it with weights='fashion_mnist'")


class WeightsNote(UserWarning):
    """Weights were loaded with an adaptation: first convolution resized, head dropped, layers left fresh."""


def convlens_home(home: str | os.PathLike | None = None) -> Path:
    """``home``, else ``$CONVLENS_HOME``, else ``~/.convlens``."""
    return Path(home or os.environ.get("CONVLENS_HOME") or Path.home() / ".convlens")


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


def sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def weighted_layers(model: Any) -> list[Any]:
    """The model's layers that hold weights, in order."""
    return [layer for layer in model.layers if hasattr(layer, "get_weights") and layer.get_weights()]


def save_base(model: Any, model_name: str, base: str, card: dict[str, Any],
              home: str | os.PathLike | None = None) -> dict[str, Any]:
    """Write ``model``'s weights as base ``base`` of ``model_name`` with its model card; returns the card."""
    weights_path, card_path = base_paths(model_name, base, home)
    weights_path.parent.mkdir(parents=True, exist_ok=True)
    model.save_weights(weights_path)
    card = {"model": model_name.lower(), "base": base, **card,
            "input_shape": list(model.input_shape[1:]) if model.input_shape else None,
            "layout": [[layer.name, len(layer.get_weights())] for layer in weighted_layers(model)],
            "sha256": sha256(weights_path)}
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
    if sha256(weights_path) != card["sha256"]:
        raise ValueError(f"{weights_path} does not match the sha256 in its model card; re-run "
                         f"`convlens pretrain {model_name}`")
    tensors, _ = read_file(weights_path)
    arrays = [tensors[k].numpy() for k in sorted(tensors) if k.startswith("weights/")]
    transfer_weights(model, arrays, layout=[(name, count) for name, count in card["layout"]])
    return model


def load_file(model: Any, path: str | os.PathLike) -> None:
    """Load a convlens weights/model file or a Keras file (``.weights.h5``, ``.keras``, legacy HDF5)."""
    if is_keras_file(path):
        read_keras_weights(path, model)
        return
    tensors, _ = read_file(path)
    transfer_weights(model, [tensors[k].numpy() for k in sorted(tensors) if k.startswith("weights/")])


def transfer_weights(model: Any, arrays: Sequence[np.ndarray],
                     layout: Sequence[tuple[str, int]] | None = None) -> list[str]:
    """Put ``arrays`` (Keras layouts, in ``get_weights`` order) into ``model``, adapting where it must.

    With ``layout`` (``(layer name, number of arrays)`` per weighted layer) layers are matched by name, else in
    order. The first convolution is adapted to another input channel count (RGB kernels summed for grey input, a
    grey kernel spread over RGB); a last layer whose shape differs (another class count) keeps fresh weights; file
    layers the model lacks (a head under ``include_top=False``) are dropped. Each adaptation is reported as a
    ``WeightsNote`` warning and returned.
    """
    targets = weighted_layers(model)
    if layout is None:
        groups, start = [], 0
        for layer in targets:
            count = len(layer.get_weights())
            groups.append((layer.name, list(arrays[start:start + count])))
            start += count
        extra = len(arrays) - start
        source = {name: chunk for name, chunk in groups if chunk}
        dropped = [f"last {extra} arrays"] if extra > 0 else []
    else:
        source, start = {}, 0
        for name, count in layout:
            source[name] = list(arrays[start:start + count])
            start += count
        if start != len(arrays):
            raise ValueError(f"the model card's layout names {start} arrays but the file holds {len(arrays)}")
        dropped = [repr(name) for name in source if name not in {layer.name for layer in targets}]
    notes = [f"dropped the file's {', '.join(dropped)}: not in this model (a head under include_top=False?)"] \
        if dropped else []
    for index, layer in enumerate(targets):
        chunk = source.get(layer.name)
        if chunk is None:
            notes.append(f"layer {layer.name!r} is not in the file: it keeps its fresh weights")
            continue
        notes += _set_adapted(layer, chunk, first=index == 0, last=index == len(targets) - 1)
    for note in notes:
        warnings.warn(note, WeightsNote, stacklevel=3)
    return notes


def _set_adapted(layer: Any, chunk: list[np.ndarray], first: bool, last: bool) -> list[str]:
    expected = [w.shape for w in layer.get_weights()]
    got = [np.shape(a) for a in chunk]
    if got == expected:
        layer.set_weights(chunk)
        return []
    if first and len(got) == len(expected) and len(got[0]) == 4 and got[0][:2] == expected[0][:2] \
            and got[0][3] == expected[0][3] and got[1:] == expected[1:]:
        kernel, c_in = chunk[0], expected[0][2]
        if c_in == 1:
            adapted, how = kernel.sum(axis=2, keepdims=True), f"summed its {kernel.shape[2]} input-channel kernels"
        else:
            adapted = np.repeat(kernel.mean(axis=2, keepdims=True), c_in, axis=2)
            how = f"spread the mean of its {kernel.shape[2]}-channel kernels over {c_in} channels"
        layer.set_weights([adapted.astype(kernel.dtype), *chunk[1:]])
        return [f"first convolution {layer.name!r}: the file has {kernel.shape[2]} input channels, the model "
                f"{c_in}; {how}"]
    if last:
        return [f"last layer {layer.name!r}: the file's shapes {got} differ from the model's {expected} (another "
                f"class count?): the head keeps fresh weights"]
    raise ValueError(f"layer {layer.name!r}: the file's weight shapes {got} do not fit the model's {expected}; "
                     f"was the base trained at another input size?")
