"""convlens metric classes against real Keras 3 (torch backend): standalone, and inside evaluate/fit."""
import os
import re

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

from convlens import Sequential, metrics  # noqa: E402
from convlens.layers import Dense  # noqa: E402

rng = np.random.default_rng(0)
PROBS = rng.uniform(size=(64, 1)).astype("float32")
BINARY = (rng.uniform(size=(64, 1)) < PROBS).astype("float32")  # informative but imperfect
SOFTMAX = rng.dirichlet(np.ones(6), size=64).astype("float32")
LABELS = np.where(rng.uniform(size=64) < 0.5, SOFTMAX.argmax(-1), rng.integers(0, 6, 64))
ONE_HOT = np.eye(6, dtype="float32")[LABELS]

CASES = [
    ("BinaryAccuracy", {}, BINARY, PROBS),
    ("BinaryAccuracy", {"threshold": 0.3}, BINARY, PROBS),
    ("CategoricalAccuracy", {}, ONE_HOT, SOFTMAX),
    ("SparseCategoricalAccuracy", {}, LABELS, SOFTMAX),
    ("TopKCategoricalAccuracy", {"k": 2}, ONE_HOT, SOFTMAX),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, LABELS, SOFTMAX),
    ("MeanSquaredError", {}, ONE_HOT, SOFTMAX),
    ("MeanAbsoluteError", {}, ONE_HOT, SOFTMAX),
    ("Precision", {}, BINARY, PROBS),
    ("Precision", {"thresholds": 0.7}, ONE_HOT, SOFTMAX),
    ("Recall", {}, BINARY, PROBS),
    ("Recall", {"class_id": 2}, ONE_HOT, SOFTMAX),
    ("AUC", {}, BINARY, PROBS),
    ("AUC", {"num_thresholds": 17, "summation_method": "minoring"}, BINARY, PROBS),
    ("AUC", {"curve": "PR"}, BINARY, PROBS),
    ("AUC", {"thresholds": [0.2, 0.5, 0.9]}, ONE_HOT, SOFTMAX),
]


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", CASES)
def test_standalone_matches_keras(name, kwargs, y_true, y_pred):
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for part in (slice(0, 20), slice(20, 64)):  # two updates: the statistics must add up
        ours.update_state(y_true[part], y_pred[part])
        theirs.update_state(y_true[part], y_pred[part])
    assert float(ours.result().numpy()) == pytest.approx(float(theirs.result()), abs=1e-6)
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)  # Keras numbers repeated instances (a global counter)
    ours.reset_state()
    assert float(ours.result()) == 0.0


def test_evaluate_and_history_use_keras_names_and_values():
    x = rng.normal(size=(96, 5)).astype("float32")
    y = (x[:, 0] + 0.3 * rng.normal(size=96) > 0).astype("float32").reshape(-1, 1)

    def names_and_metrics(lib):
        return [lib.BinaryAccuracy(), lib.Precision(), lib.Recall(), lib.AUC(), lib.MeanSquaredError()]

    theirs = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1, activation="sigmoid")])
    ours = Sequential([Dense(1, activation="sigmoid", input_shape=(5,))])
    ours.set_weights(theirs.get_weights())
    theirs.compile("sgd", "binary_crossentropy", metrics=names_and_metrics(keras.metrics))
    ours.compile("sgd", "binary_crossentropy", metrics=names_and_metrics(metrics))  # fused: logits
    expected = {re.sub(r"_\d+$", "", k): v for k, v in
                theirs.evaluate(x, y, batch_size=16, verbose=0, return_dict=True).items()}
    got = ours.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert set(got) == set(expected)
    for key in expected:
        assert got[key] == pytest.approx(expected[key], abs=1e-5), key
    history = ours.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert set(history.history) == set(expected)


def test_softmax_model_top_k_and_auc_in_fit_match_keras():
    x = rng.normal(size=(64, 4)).astype("float32")
    y = rng.integers(0, 5, 64)
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="softmax")])
    ours = Sequential([Dense(5, activation="softmax", input_shape=(4,))])
    ours.set_weights(theirs.get_weights())
    build = [("SparseTopKCategoricalAccuracy", {"k": 2}), ("SparseCategoricalAccuracy", {})]
    theirs.compile("sgd", "sparse_categorical_crossentropy", metrics=[getattr(keras.metrics, n)(**k) for n, k in build])
    ours.compile("sgd", "sparse_categorical_crossentropy", metrics=[getattr(metrics, n)(**k) for n, k in build])
    expected = theirs.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    got = ours.evaluate(x, y, batch_size=10, verbose=0, return_dict=True)
    for key in expected:
        assert got[key] == pytest.approx(expected[key], abs=1e-5), key


@pytest.mark.parametrize("written", ["acc", "accuracy"])
def test_history_key_is_the_name_the_user_wrote(written):
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("rmsprop", "categorical_crossentropy", metrics=[written])
    x = rng.normal(size=(20, 4)).astype("float32")
    history = model.fit(x, np.eye(3, dtype="float32")[LABELS[:20] % 3], validation_split=0.25, epochs=1, verbose=0)
    assert set(history.history) == {"loss", written, "val_loss", f"val_{written}"}


def test_metric_by_class_name_and_lowercase_string():
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile("sgd", "binary_crossentropy", metrics=["AUC", "precision"])
    x = rng.normal(size=(16, 3)).astype("float32")
    history = model.fit(x, BINARY[:16], epochs=1, verbose=0)
    assert set(history.history) == {"loss", "auc", "precision"}


def test_statistics_stay_on_the_batch_device_and_have_the_declared_size():
    for name, kwargs, y_true, y_pred in CASES:
        metric = getattr(metrics, name)(**kwargs)
        stats = metric.batch_stats(torch.as_tensor(y_true), torch.as_tensor(y_pred))
        assert stats.shape == (metric.size,) and stats.device == torch.device("cpu")


def test_clear_errors():
    with pytest.raises(ValueError, match="one-hot"):
        metrics.Precision().update_state(LABELS, SOFTMAX)
    with pytest.raises(ValueError, match="multi_label"):
        metrics.AUC(multi_label=True)
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.resolve("f1_scorez", "binary")


def test_metric_objects_survive_save_and_load(tmp_path):
    from convlens.models import load_model
    x = rng.normal(size=(32, 3)).astype("float32")
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(3,))])
    model.compile("adam", "binary_crossentropy", metrics=[metrics.AUC(), metrics.Precision(), "acc"])
    model.fit(x, BINARY[:32], epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    got = loaded.evaluate(x, BINARY[:32], verbose=0, return_dict=True)
    assert got == pytest.approx(model.evaluate(x, BINARY[:32], verbose=0, return_dict=True))
    assert set(got) == {"loss", "auc", "precision", "acc"}


@pytest.mark.parametrize("metric", [metrics.AUC(num_thresholds=50, curve="PR", name="pr_auc"),
                                    metrics.Precision(thresholds=0.3, name="prec"),
                                    metrics.TopKCategoricalAccuracy(k=2, name="top2"), metrics.BinaryAccuracy()])
def test_serialize_round_trip_keeps_arguments_and_name(metric):
    again = metrics.resolve(metrics.serialize(metric), "binary")
    assert type(again) is type(metric) and again.get_config() == metric.get_config()
