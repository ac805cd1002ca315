"""The option-free Keras losses (MSLE, MAPE, KLDivergence, Poisson, LogCosh, hinges, CosineSimilarity) against
real Keras 3 (torch backend): loss objects on rank 2 and rank 4 with sample weights, and one compiled evaluate."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

import convlens  # noqa: E402
from convlens import losses  # noqa: E402

rng = np.random.default_rng(0)
TARGETS = rng.dirichlet(np.ones(4), size=(6, 3, 5)).astype("float32")
OUTPUTS = rng.dirichlet(np.ones(4), size=(6, 3, 5)).astype("float32")
SIGNED = rng.normal(size=(6, 3, 5, 4)).astype("float32")
BINARY = rng.integers(0, 2, (6, 3, 5, 4)).astype("float32")
ONE_HOT = np.eye(4, dtype="float32")[rng.integers(0, 4, (6, 3, 5))]
WEIGHTS = rng.uniform(size=(6, 3, 5)).astype("float32")

CASES = [
    ("MeanSquaredLogarithmicError", TARGETS * 3, OUTPUTS * 3),
    ("MeanAbsolutePercentageError", TARGETS + 0.1, OUTPUTS),
    ("KLDivergence", TARGETS, OUTPUTS),
    ("Poisson", TARGETS, OUTPUTS),
    ("LogCosh", TARGETS, SIGNED),
    ("Hinge", BINARY, SIGNED),
    ("SquaredHinge", BINARY, SIGNED),
    ("CategoricalHinge", ONE_HOT, SIGNED),
    ("CosineSimilarity", SIGNED, OUTPUTS),
]


@pytest.mark.parametrize("name, y_true, y_pred", CASES)
@pytest.mark.parametrize("rank", [4, 2])
def test_loss_objects_match_keras(name, y_true, y_pred, rank):
    weights = WEIGHTS
    if rank == 2:
        y_true, y_pred, weights = y_true.reshape(-1, 4), y_pred.reshape(-1, 4), WEIGHTS.reshape(-1)
    ours, theirs = getattr(losses, name)(), getattr(keras.losses, name)()
    assert float(ours(y_true, y_pred)) == pytest.approx(float(theirs(y_true, y_pred)), abs=1e-5)
    assert float(ours(y_true, y_pred, sample_weight=weights)) == pytest.approx(
        float(theirs(y_true, y_pred, sample_weight=weights)), abs=1e-5)
    function = getattr(losses, ours.name)
    np.testing.assert_allclose(function(torch.tensor(y_true), torch.tensor(y_pred)).numpy(),
                               getattr(keras.losses, ours.name)(y_true, y_pred).numpy(), atol=1e-5)


def test_by_name_and_alias_in_compile_like_keras():
    x = rng.normal(size=(6, 3, 5, 2)).astype("float32")
    values = []
    for lib in (keras, convlens):
        inputs = lib.Input(shape=(3, 5, 2))
        model = lib.Model(inputs, lib.layers.Conv2D(4, 1)(inputs))
        if values:
            model.set_weights(values[0][1])
        model.compile("sgd", "hinge", metrics=["kld" if lib is convlens else "kl_divergence"])
        values.append((model.evaluate(x, BINARY, verbose=0), [np.asarray(w) for w in model.get_weights()]))
    np.testing.assert_allclose(values[1][0], values[0][0], atol=1e-5)
    assert losses.get("logcosh") is losses.get("log_cosh")
    with pytest.raises(ValueError, match="reduction='sum' is not supported"):
        losses.Hinge(reduction="sum")
