"""Accuracy, RootMeanSquaredError and the cross-entropy metric classes against real Keras 3 (torch backend):
standalone on outputs of rank 2 and 4, with sample weights, and compiled inside evaluate."""
import os
import re

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

import convlens  # noqa: E402
from convlens import metrics  # noqa: E402

rng = np.random.default_rng(0)
SCORES = rng.dirichlet(np.ones(4), size=(6, 3, 5)).astype("float32")
LOGITS = rng.normal(size=(6, 3, 5, 4)).astype("float32")
LABELS = rng.integers(0, 4, (6, 3, 5))
ONE_HOT = np.eye(4, dtype="float32")[LABELS]
BINARY = rng.integers(0, 2, (6, 3, 5, 1)).astype("float32")
PROBS = rng.uniform(0.02, 0.98, size=(6, 3, 5, 1)).astype("float32")
WEIGHTS = rng.uniform(size=6).astype("float32")

CASES = [
    ("Accuracy", {}, LABELS, np.where(rng.uniform(size=LABELS.shape) < 0.5, LABELS, 0)),
    ("RootMeanSquaredError", {}, ONE_HOT, SCORES),
    ("BinaryCrossentropy", {}, BINARY, PROBS),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, BINARY, PROBS),
    ("CategoricalCrossentropy", {}, ONE_HOT, SCORES),
    ("CategoricalCrossentropy", {"from_logits": True}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, SCORES),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS[..., None], LOGITS),
]


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES)
@pytest.mark.parametrize("rank", [4, 2])
def test_standalone_matches_keras(name, kwargs, y_true, y_pred, rank):
    if rank == 2:  # one row per pixel
        y_true = y_true.reshape(-1, *y_true.shape[3:]) if y_true.ndim > 3 else y_true.reshape(-1)
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
        if name == "Accuracy":
            y_true, y_pred = y_true.reshape(-1, 1), y_pred.reshape(-1, 1)
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    weights = WEIGHTS if rank == 4 else np.repeat(WEIGHTS, 15)
    for part, weighted in ((slice(0, 2), False), (slice(2, None), True)):
        rows = slice(part.start * (1 if rank == 4 else 15), None if part.stop is None else part.stop * (
            1 if rank == 4 else 15))
        extra = {"sample_weight": weights[rows]} if weighted else {}
        ours.update_state(y_true[rows], y_pred[rows], **extra)
        theirs.update_state(y_true[rows], y_pred[rows], **extra)
    assert float(ours.result()) == pytest.approx(float(theirs.result()), abs=1e-5)
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)
    again = metrics.resolve(metrics.serialize(ours), "sparse")
    assert type(again) is type(ours) and again.get_config() == ours.get_config()


def test_compiled_inside_evaluate_like_keras():
    x = rng.normal(size=(6, 3, 5, 2)).astype("float32")
    results = []
    for lib in (keras, convlens):
        inputs = lib.Input(shape=(3, 5, 2))
        model = lib.Model(inputs, lib.layers.Conv2D(4, 1, activation="softmax")(inputs))
        if results:
            model.set_weights(results[0][1])
        model.compile("sgd", "categorical_crossentropy",
                      metrics=[lib.metrics.CategoricalCrossentropy(), lib.metrics.RootMeanSquaredError()])
        logs = model.evaluate(x, ONE_HOT, verbose=0, return_dict=True)
        results.append(({re.sub(r"_\d+$", "", k): v for k, v in logs.items()},
                        [np.asarray(w) for w in model.get_weights()]))
    (theirs, _), (ours, _) = results
    assert set(ours) == set(theirs) == {"loss", "categorical_crossentropy", "root_mean_squared_error"}
    for key in theirs:
        assert ours[key] == pytest.approx(theirs[key], abs=1e-5), key
