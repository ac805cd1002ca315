import numpy as np
import pytest
import torch

from convlens.layers import Conv2D, Dense, Flatten
from convlens.models import Sequential
from convlens.training.lr_find import lr_find, suggest_lr
from convlens.viz import plot_lr_find


def compiled_cnn():
    torch.manual_seed(0)
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(8, 8, 1)), Flatten(),
                        Dense(2, activation="softmax")])
    model.compile("adam", loss="sparse_categorical_crossentropy")
    return model


def data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 256)
    x = rng.normal(0, 0.3, (256, 8, 8, 1)).astype(np.float32)
    x[y == 1, 2:6, 2:6, 0] += 1.0  # class 1 has a bright square: learnable
    return x, y


def test_lr_find_records_a_falling_then_rising_loss_and_restores_the_model():
    model = compiled_cnn()
    x, y = data()
    model.fit(x[:64], y[:64], epochs=1, verbose=0)  # so the optimizer has state worth restoring
    weights = [w.copy() for w in model.get_weights()]
    state = {k: v.clone() for k, v in model.optimizer.torch_optimizer.state_dict()["state"][0].items()
             if torch.is_tensor(v)}
    rate = model.optimizer.learning_rate
    result = lr_find(model, x, y, start_lr=1e-5, end_lr=10, num_iter=60)
    assert result.learning_rates == sorted(result.learning_rates) and len(result.losses) == len(result.learning_rates)
    assert result.learning_rates[0] == pytest.approx(1e-5)
    assert min(result.losses) < result.losses[0]  # the loss fell somewhere
    assert 1e-5 < result.suggestion < 1.0
    for before, after in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(before, after)
    after = model.optimizer.torch_optimizer.state_dict()["state"][0]
    assert all(torch.equal(state[k], after[k]) for k in state)
    assert model.optimizer.learning_rate == rate


def test_lr_find_needs_a_compiled_model_and_sane_rates():
    model = Sequential([Flatten(input_shape=(2, 2)), Dense(2)])
    with pytest.raises(ValueError, match="compiled model"):
        lr_find(model, np.zeros((4, 2, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="start_lr"):
        lr_find(compiled_cnn(), *data(), start_lr=1.0, end_lr=0.1)


def test_suggestion_is_the_steepest_fall_and_the_plot_marks_it(tmp_path):
    rates = list(np.geomspace(1e-6, 1, 80))
    losses = [2.0 - np.tanh(2 * (np.log10(r) + 3)) + (5 if r > 0.1 else 0) for r in rates]
    suggestion = suggest_lr(rates, losses)
    assert 2e-4 < suggestion < 5e-3  # the steepest fall of the tanh is at 1e-3
    from convlens.training.lr_find import LRFinderResult

    fig = plot_lr_find(LRFinderResult(rates, losses, suggestion), save=tmp_path / "lr.png")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    labels = [line.get_label() for line in ax.get_lines()]
    assert f"suggested learning rate {suggestion:.2g}" in labels
    assert (tmp_path / "lr.png").read_bytes()[:4] == b"\x89PNG"
