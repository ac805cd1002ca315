"""viz.dense_as_conv: on the user's model, Flatten → Dense equals a Conv2D whose kernel covers the whole input."""
import numpy as np
import pytest
import torch

from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
from convlens.models import Sequential
from convlens.viz import dense_as_conv, plot_dense_as_conv


def _notes_cnn():
    torch.manual_seed(0)
    return Sequential([Conv2D(4, 5, activation="relu", input_shape=(16, 16, 1)), MaxPooling2D(2),
                       Flatten(), Dense(7, activation="relu"), Dense(3, activation="softmax")])


def test_the_model_dense_equals_the_whole_input_convolution():
    model = _notes_cnn()
    x = np.random.default_rng(0).random((6, 16, 16, 1)).astype("float32")
    check = dense_as_conv(model, x)
    assert check.layer == "dense_1" and check.features.shape == (6, 6, 6, 4)
    np.testing.assert_allclose(check.dense, model.layers[3](torch.from_numpy(check.features.reshape(6, -1))).detach()
                               .numpy(), atol=1e-6)
    np.testing.assert_allclose(check.conv, check.dense, atol=1e-5)
    assert check.max_difference < 1e-5
    pre = check.features[0].reshape(-1) @ model.layers[3].get_weights()[0] + model.layers[3].get_weights()[1]
    np.testing.assert_allclose(check.explained.dense, pre, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.maximum(check.explained.conv, 0), check.dense[0], rtol=1e-4, atol=1e-5)


def test_an_mlp_on_images_reads_the_input_itself():
    torch.manual_seed(1)
    model = Sequential([Flatten(input_shape=(5, 5, 1)), Dense(4)])
    x = np.random.default_rng(1).random((3, 5, 5, 1)).astype("float32")
    check = dense_as_conv(model, x)
    np.testing.assert_array_equal(check.features, x)
    np.testing.assert_allclose(check.conv, check.dense, atol=1e-5)


def test_figure_shows_both_and_is_saved(tmp_path):
    fig = plot_dense_as_conv(_notes_cnn(), np.random.default_rng(2).random((4, 16, 16, 1)), unit=2,
                             save=tmp_path / "dense.png")
    assert len(fig.axes) == 3 and "whole input" in fig.texts[0].get_text()
    assert "unit 2" in fig.axes[1].get_title()
    assert (tmp_path / "dense.png").stat().st_size > 5000


def test_a_model_without_flatten_dense_is_refused():
    torch.manual_seed(3)
    model = Sequential([Conv2D(2, 3, input_shape=(6, 6, 1))])
    with pytest.raises(ValueError, match="the model has no Dense layer fed by a Flatten layer"):
        dense_as_conv(model, np.zeros((1, 6, 6, 1)))
    with pytest.raises(ValueError, match="unit must be in 0…6"):
        plot_dense_as_conv(_notes_cnn(), np.zeros((1, 16, 16, 1)), unit=7)
    with pytest.raises(ValueError, match="layer 'conv2d_1' is not a Dense layer fed by a Flatten layer"):
        dense_as_conv(_notes_cnn(), np.zeros((1, 16, 16, 1)), layer="conv2d_1")
