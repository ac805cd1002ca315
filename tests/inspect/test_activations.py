import numpy as np
import pytest
import torch

from convlens import Sequential
from convlens.inspect import layer_outputs
from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
from convlens.models import Model


def test_every_layer_recorded_in_order_with_the_final_output():
    model = Sequential([Conv2D(3, 3, activation="relu", input_shape=(8, 8, 1)), MaxPooling2D(2), Flatten(),
                        Dense(4, activation="softmax")])
    x = np.random.default_rng(0).random((2, 8, 8, 1), dtype=np.float32)
    outs = layer_outputs(model, x)
    assert list(outs) == ["conv2d_1", "max_pooling2d_1", "flatten_1", "dense_1"]
    assert outs["conv2d_1"].shape == (2, 6, 6, 3) and outs["conv2d_1"].min() >= 0  # ReLU applied
    np.testing.assert_allclose(outs["dense_1"], model.predict(x), atol=1e-6)


def test_wrapped_channels_first_module_gives_channels_last_maps():
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3), torch.nn.ReLU(), torch.nn.Flatten())
    model = Model.wrap(net, input_shape=(26, 26, 1), channels_first=True)
    outs = layer_outputs(model, np.zeros((1, 26, 26, 1), "float32"))
    assert outs["0"].shape == (1, 24, 24, 8)
    assert outs["2"].shape == (1, 8 * 24 * 24)


def test_mode_is_restored():
    model = Sequential([Dense(2, input_shape=(3,))])
    model.train()
    layer_outputs(model, np.zeros((1, 3), "float32"))
    assert model.training


@pytest.mark.parametrize("training", [False, True])
def test_dropout_follows_training_flag(training):
    from convlens.layers import Dropout
    model = Sequential([Dropout(0.5, input_shape=(1000,))])
    out = layer_outputs(model, np.ones((1, 1000), "float32"), training=training)["dropout_1"]
    assert (out == 0).any() == training
