"""Transfer learning, Keras's way: a frozen base called with ``training=False``, a new head, then fine-tuning.

Example:
    >>> from convlens.zoo.lenet import LeNet5
    >>> base = LeNet5(include_top=False, input_shape=(32, 32, 1))
    >>> model = with_new_head(base, classes=3)
    >>> base.trainable, model.count_params() - base.count_params()
    (False, 363)
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from convlens.layers import Dense, Dropout, Flatten, GlobalAveragePooling2D, Input
from convlens.models import Model
from convlens.zoo.registry import create_model
from convlens.zoo.weights import save_base


def with_new_head(base: Model, classes: int, pooling: str = "flatten", dropout: float = 0.0,
                  freeze: bool = True, name: str | None = None, training: bool | None = False) -> Model:
    """``Input → base(training=False) → Flatten | GlobalAveragePooling2D → [Dropout] → Dense(classes)``.

    ``freeze=True`` sets ``base.trainable = False`` first, as in Keras's transfer-learning guide; with the default
    ``training=False`` the base runs in inference mode (BatchNormalization keeps its statistics) even after it is
    unfrozen for fine-tuning. A fresh base trained from scratch takes ``freeze=False, training=None``.
    """
    if pooling not in ("flatten", "avg"):
        raise ValueError(f"pooling must be 'flatten' or 'avg', got {pooling!r}")
    if freeze:
        base.trainable = False
    inputs = Input(shape=tuple(base.input_shape[1:]))
    x = base(inputs, training=training)
    if len(x.shape) > 2:
        x = (Flatten(name="head_flatten") if pooling == "flatten" else GlobalAveragePooling2D(name="head_pool"))(x)
    if dropout:
        x = Dropout(dropout, name="head_dropout")(x)
    outputs = Dense(classes, activation="softmax", name="head")(x)
    return Model(inputs, outputs, name=name or f"{base.name}_transfer")


def unfreeze_top(base: Model, layers_with_weights: int) -> list[str]:
    """Make the base trainable again except for all but its top ``layers_with_weights`` weighted layers (the
    low-level features stay frozen); returns the names of the layers that train."""
    base.trainable = True
    weighted = [layer for layer in base.layers if getattr(layer, "get_weights", None) and layer.get_weights()]
    keep_frozen = weighted[:max(len(weighted) - layers_with_weights, 0)]
    for layer in keep_frozen:
        layer.trainable = False
    return [layer.name for layer in weighted if layer not in keep_frozen]


def pretrain(model_name: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
             dataset: str, base_name: str | None = None, epochs: int = 3, batch_size: int = 128, seed: int = 0,
             optimizer: Any = "adam", home: Any = None, verbose: Any = 1, class_names: list[str] | None = None,
             **model_kwargs: Any) -> dict[str, Any]:
    """Train ``model_name`` on ``train`` (float images ``(N, H, W, C)``, integer labels), evaluate it on ``test``
    and cache it as base ``base_name`` (default: ``dataset``) with its model card, which is returned.

    The caller seeds the random generators (``convlens.utils.set_random_seed(seed)``); ``seed`` is recorded.
    """
    (x_train, y_train), (x_test, y_test) = train, test
    classes = int(max(y_train.max(), y_test.max())) + 1
    model = create_model(model_name, input_shape=tuple(x_train.shape[1:]), classes=classes, **model_kwargs)
    model.compile(optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=verbose)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=256, verbose=0)
    card = {"dataset": dataset, "epochs": epochs, "seed": seed, "batch_size": batch_size,
            "optimizer": optimizer if isinstance(optimizer, str) else type(optimizer).__name__.lower(),
            "train_samples": int(len(y_train)), "test_samples": int(len(y_test)),
            "test_accuracy": round(float(accuracy), 4), "test_loss": round(float(loss), 4),
            "train_seconds": round(seconds, 1), "classes": classes, "class_names": class_names,
            "model_kwargs": {k: list(v) if isinstance(v, tuple) else v for k, v in model_kwargs.items()},
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    return save_base(model, model_name, base_name or dataset, card, home=home)
