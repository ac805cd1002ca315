"""History keys: the metric name the user wrote, and Keras < 2.3's 'acc' / 'val_acc' answering for 'accuracy'."""
import warnings

import numpy as np
import pytest

from convlens import Sequential
from convlens.callbacks.history import HistoryDict
from convlens.layers import Dense

X = np.random.default_rng(0).normal(size=(20, 3)).astype("float32")
Y = (X[:, 0] > 0).astype("int64")


def fit(metric):
    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("sgd", "sparse_categorical_crossentropy", [metric])
    return model.fit(X, Y, epochs=2, validation_split=0.25, verbose=0)


def test_acc_stays_acc():
    history = fit("acc")
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]


def test_old_notes_plotting_code_runs_after_metrics_accuracy():
    history = fit("accuracy")
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]  # Keras 3's keys
    with pytest.warns(UserWarning, match=r"'acc'\] is Keras < 2.3's name; Keras 3 records 'accuracy'"):
        acc = history.history["acc"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the note comes once
        val_acc = history.history["val_acc"]
    assert acc == history.history["accuracy"] and val_acc == history.history["val_accuracy"]
    assert len(range(1, len(acc) + 1)) == 2 and "acc" not in history.history


def test_unknown_keys_still_raise():
    with pytest.raises(KeyError, match="acc"):
        HistoryDict(loss=[1.0])["acc"]
    with pytest.raises(KeyError, match="val_accuracy"):
        HistoryDict(accuracy=[1.0])["val_accuracy"]
    assert HistoryDict(accuracy=[1.0]).get("nothing", 3) == 3
