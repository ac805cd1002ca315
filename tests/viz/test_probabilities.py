"""Figures read class probabilities from what the model says it outputs, never from the numbers' row sums."""
import numpy as np
import torch

from convlens import Sequential
from convlens.dtype_policies import set_global_policy
from convlens.layers import Dense, Flatten
from convlens.models import Model
from convlens.viz._model import outputs_are_scores, probabilities


def test_a_mixed_precision_softmax_model_keeps_its_probabilities():
    set_global_policy("mixed_bfloat16")
    try:
        model = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(5, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy", device="cpu")
    finally:
        set_global_policy("float32")
    x = np.random.default_rng(0).normal(size=(16, 4, 4, 1)).astype("float32") * 5
    np.testing.assert_allclose(probabilities(model, x), model.predict(x), atol=1e-6)
    assert not outputs_are_scores(model)


def test_scores_are_known_from_the_model_and_get_their_softmax():
    x = np.random.default_rng(1).normal(size=(8, 4, 4, 1)).astype("float32")
    logits = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(3)])
    assert outputs_are_scores(logits)
    expected = torch.softmax(logits(x).double(), -1).detach().numpy()
    np.testing.assert_allclose(probabilities(logits, x), expected, atol=1e-6)
    wrapped = Model.wrap(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 3)), input_shape=(4, 4, 1),
                         from_logits=True)
    assert not outputs_are_scores(wrapped)  # the wrapper applies the softmax itself
    np.testing.assert_allclose(probabilities(wrapped, x).sum(-1), 1.0, atol=1e-6)
    one_unit = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(1)])
    p = probabilities(one_unit, x)
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-one_unit.predict(x)[:, 0])), atol=1e-6)
