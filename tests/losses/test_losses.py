"""convlens loss objects against real Keras 3 (torch backend): same values, Keras's options refused clearly."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import losses  # noqa: E402

rng = np.random.default_rng(0)
LOGITS = rng.normal(size=(16, 5)).astype("float32")
PROBS = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
LABELS = rng.integers(0, 5, 16)
ONE_HOT = np.eye(5, dtype="float32")[LABELS]
BIN = rng.integers(0, 2, (16, 1)).astype("float32")
BIN_LOGITS = rng.normal(size=(16, 1)).astype("float32")


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", [
    ("CategoricalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, LABELS, LOGITS),
    ("SparseCategoricalCrossentropy", {}, LABELS, PROBS),
    ("BinaryCrossentropy", {"from_logits": True}, BIN, BIN_LOGITS),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, BIN, 1 / (1 + np.exp(-BIN_LOGITS))),
    ("MeanSquaredError", {}, ONE_HOT, PROBS),
    ("MeanAbsoluteError", {}, ONE_HOT, PROBS),
])
def test_loss_values_match_keras(name, kwargs, y_true, y_pred):
    ours = getattr(losses, name)(**kwargs, reduction="sum_over_batch_size")
    theirs = getattr(keras.losses, name)(**kwargs)
    got = ours(torch.as_tensor(y_true), torch.as_tensor(y_pred)).mean().item()
    assert got == pytest.approx(float(theirs(y_true, y_pred)), rel=1e-5, abs=1e-6)


def test_options_convlens_does_not_follow_are_refused():
    with pytest.raises(ValueError, match="reduction='sum'"):
        losses.CategoricalCrossentropy(reduction="sum")
    with pytest.raises(ValueError, match="ignore_class"):
        losses.SparseCategoricalCrossentropy(ignore_class=0)
    with pytest.raises(TypeError):
        losses.MeanSquaredError(nonsense=1)
