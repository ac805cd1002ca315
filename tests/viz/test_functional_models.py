"""The same plots on a functional model (the graph of layers), as on Sequential and wrapped models."""
import numpy as np
import torch

import convlens
from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
from convlens.viz import feature_maps, grad_cam, plot_feature_maps, plot_filters, plot_grad_cam


def functional_cnn():
    torch.manual_seed(0)
    inputs = convlens.Input(shape=(12, 12, 1))
    x = Conv2D(4, 3, activation="relu", name="conv_a")(inputs)
    x = MaxPooling2D()(x)
    x = Conv2D(6, 3, activation="relu", name="conv_b")(x)
    outputs = Dense(3, activation="softmax")(Flatten()(x))
    return convlens.Model(inputs, outputs)


def test_feature_maps_filters_and_grad_cam_of_a_functional_model():
    model = functional_cnn()
    image = np.random.default_rng(0).random((12, 12, 1), dtype=np.float32)
    assert feature_maps(model, image, "conv_a").shape == (10, 10, 4)
    fig = plot_feature_maps(model, image, "conv_b")
    assert sum(ax.get_title().startswith("map") for ax in fig.axes) == 6
    assert sum(ax.get_title().startswith("filter") for ax in plot_filters(model).axes) == 4
    heat, cls = grad_cam(model, image)
    assert heat.shape == (12, 12) and 0 <= cls < 3
    titles = [ax.get_title() for ax in plot_grad_cam(model, image[None], y_true=[cls]).axes]
    assert "Grad-CAM: conv_b" in titles[1]
