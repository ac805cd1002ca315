"""IoU, MeanIoU, BinaryIoU, OneHotIoU and OneHotMeanIoU against real Keras 3 (torch backend), and Mean / Sum."""
import os
import re

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import metrics  # noqa: E402

rng = np.random.default_rng(0)
MASKS = rng.integers(0, 4, (5, 6, 7))
SCORES = rng.dirichlet(np.ones(4), size=(5, 6, 7)).astype("float32")
PREDICTED = np.where(rng.uniform(size=MASKS.shape) < 0.6, MASKS, SCORES.argmax(-1))
ONE_HOT = np.eye(4, dtype="float32")[MASKS]
BINARY = rng.integers(0, 2, (5, 6, 7, 1)).astype("float32")
BINARY_SCORES = rng.uniform(size=(5, 6, 7, 1)).astype("float32")
WEIGHTS = rng.integers(0, 3, (5, 6, 7))  # whole weights: Keras counts in integers

CASES = [
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, MASKS, PREDICTED),
    ("IoU", {"num_classes": 4, "target_class_ids": [3], "sparse_y_pred": False}, MASKS, SCORES),
    ("MeanIoU", {"num_classes": 4}, MASKS, PREDICTED),
    ("MeanIoU", {"num_classes": 4, "ignore_class": 0}, MASKS[..., None], PREDICTED),
    ("MeanIoU", {"num_classes": 4, "sparse_y_pred": False}, MASKS, SCORES),
    ("MeanIoU", {"num_classes": 6}, MASKS, PREDICTED),  # classes that never occur do not count
    ("BinaryIoU", {}, BINARY, BINARY_SCORES),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, BINARY, BINARY_SCORES),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}, ONE_HOT, SCORES),
    ("OneHotMeanIoU", {"num_classes": 4}, ONE_HOT, SCORES),
    ("OneHotMeanIoU", {"num_classes": 4, "sparse_y_pred": True}, ONE_HOT, PREDICTED),
]


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_iou_metrics_match_keras(name, kwargs, y_true, y_pred, weighted):
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for part in (slice(0, 2), slice(2, 5)):  # two updates: the confusion matrices add up
        weight = {"sample_weight": WEIGHTS[part]} if weighted else {}
        ours.update_state(y_true[part], y_pred[part], **weight)
        theirs.update_state(y_true[part], y_pred[part], **weight)
    assert float(ours.result()) == pytest.approx(float(theirs.result()), abs=1e-6)
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)
    again = metrics.resolve(metrics.serialize(ours), "sparse")
    assert again.get_config() == ours.get_config() and type(again) is type(ours)
    ours.reset_state()
    assert float(ours.result()) == 0.0


def test_iou_arguments_are_checked():
    with pytest.raises(ValueError, match=r"target_class_ids \[4\] must be classes in \[0, 4\)"):
        metrics.IoU(num_classes=4, target_class_ids=[4])
    with pytest.raises(ValueError, match="num_classes must be a whole number >= 1, got 0"):
        metrics.MeanIoU(num_classes=0)
    with pytest.raises(ValueError, match=r"targets hold 3 class ids and predictions 2"):
        metrics.MeanIoU(num_classes=2).update_state([0, 1, 1], [0, 1])


@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_mean_and_sum_match_keras(name):
    ours, theirs = getattr(metrics, name)(name="loss"), getattr(keras.metrics, name)(name="loss")
    values = rng.normal(size=(8,)).astype("float32")
    for part, weight in ((slice(0, 3), None), (slice(3, 8), rng.uniform(size=5).astype("float32"))):
        ours.update_state(values[part], sample_weight=weight)
        theirs.update_state(values[part], sample_weight=weight)
    assert float(ours.result()) == pytest.approx(float(theirs.result()), abs=1e-5) and ours.name == "loss"


@pytest.mark.parametrize("name, y_true, y_pred, weight", [
    ("MeanSquaredError", ONE_HOT, SCORES, WEIGHTS[:, 0, 0]),  # one weight per image
    ("MeanAbsoluteError", ONE_HOT, SCORES, WEIGHTS),  # one weight per pixel
    ("SparseCategoricalAccuracy", MASKS, SCORES, WEIGHTS),
    ("BinaryAccuracy", BINARY, BINARY_SCORES, WEIGHTS[..., None]),
])
def test_mean_metrics_take_sample_weights_as_keras(name, y_true, y_pred, weight):
    ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
    for part in (slice(0, 2), slice(2, 5)):
        ours.update_state(y_true[part], y_pred[part], sample_weight=weight[part].astype("float32"))
        theirs.update_state(y_true[part], y_pred[part], sample_weight=weight[part].astype("float32"))
    assert float(ours.result()) == pytest.approx(float(theirs.result()), abs=1e-6)
