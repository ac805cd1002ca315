"""Bad input to fit/evaluate/predict: a ValueError naming the value (issue 14's engine-side cases)."""
import numpy as np
import pytest
import torch

from convlens import Sequential
from convlens.layers import Dense
from convlens.training.data import check_finite


def model(loss="sparse_categorical_crossentropy", width=3, activation="softmax"):
    m = Sequential([Dense(width, activation=activation, input_shape=(4,))])
    m.compile("adam", loss)
    return m


X = np.zeros((10, 4), "float32")


@pytest.mark.parametrize("loss, width, activation, y, message", [
    ("mse", 1, None, np.zeros((10, 3)), r"mean_squared_error .* targets have width 3 .* output has width 1"),
    ("binary_crossentropy", 1, "sigmoid", np.zeros((10, 2)), r"binary_crossentropy .* width 2 .* width 1"),
    ("mse", 2, None, np.zeros(10), r"width 1 .* width 2"),
])
def test_loss_and_output_width_mismatch(loss, width, activation, y, message):
    with pytest.raises(ValueError, match=message):
        model(loss, width, activation).fit(X, y, verbose=0)


def test_nan_labels_are_reported_as_labels():
    y = np.zeros((10, 1), "float32")
    y[3] = np.nan
    with pytest.raises(ValueError, match=r"labels \(y\) hold 1 NaN.*not a learning-rate"):
        model("mse", 1, None).fit(X, y, verbose=0)

    def batches():  # a generator's labels are only seen batch by batch
        while True:
            yield X[:5], np.zeros((5, 1), "float32")
            yield X[5:], np.full((5, 1), np.nan, "float32")

    with pytest.raises(ValueError, match=r"batch 1: the labels \(y\) hold 5 NaN"):
        model("mse", 1, None).fit(batches(), steps_per_epoch=2, verbose=0)


def test_generator_whose_batch_shape_changes_mid_epoch():
    def batches():
        yield np.zeros((5, 4), "float32"), np.zeros(5, "int64")
        yield np.zeros((5, 5), "float32"), np.zeros(5, "int64")

    with pytest.raises(ValueError, match=r"batch 1 .* shape \(5,\), but the first batch had \(4,\)"):
        model().fit(batches(), steps_per_epoch=2, verbose=0)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
@pytest.mark.parametrize("batch_size", [2.5, 0, -3, "8"])
def test_batch_size_is_checked_everywhere(call, batch_size):
    m = model()
    args = (X,) if call == "predict" else (X, np.zeros(10, "int64"))
    with pytest.raises(ValueError, match=f"batch_size must be a positive whole number, got {batch_size!r}"):
        getattr(m, call)(*args, batch_size=batch_size, verbose=0)


@pytest.mark.parametrize("epochs", [2.5, -1, "3"])
def test_epochs_must_be_a_whole_number(epochs):
    with pytest.raises(ValueError, match=f"epochs must be a whole number >= 0, got {epochs!r}"):
        model().fit(X, np.zeros(10, "int64"), epochs=epochs, verbose=0)


def test_fit_without_x():
    with pytest.raises(ValueError, match="x is None"):
        model().fit(None, np.zeros(10, "int64"), verbose=0)


def test_the_nan_check_makes_no_full_size_copy(monkeypatch):
    x = torch.zeros(3 * 2 ** 20)
    x[-1] = float("nan")
    largest = []
    original = torch.isfinite

    def spy(t):
        largest.append(t.numel())
        return original(t)

    monkeypatch.setattr(torch, "isfinite", spy)
    with pytest.raises(ValueError, match="1 NaN"):
        check_finite(x, "x", chunk=2 ** 20)
    assert max(largest) == 2 ** 20  # masks of one chunk, never of the whole input (nor a float64 copy)
    monkeypatch.undo()
    check_finite(torch.zeros(10, dtype=torch.float64), "x")  # float64 input is checked as it is
