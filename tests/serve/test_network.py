"""What the page is told about a model: layers, branches, receptive fields, and unit calculations that match."""
import numpy as np
import pytest
import torch

from convlens.layers import Add, Conv2D, Dense, Flatten, Input, MaxPooling2D
from convlens.models import Model
from convlens.zoo import create_model
from convlens.serve.network import describe, explain_unit, layer_views
from convlens.serve.predictor import Predictor


def test_every_unit_calculation_matches_the_model():
    torch.manual_seed(0)
    model = create_model("notes_mnist_cnn")
    x = np.random.default_rng(0).random((28, 28, 1), dtype=np.float32)
    for layer, channel, row, col in [("conv2d_1", 3, 5, 7), ("max_pooling2d_1", 2, 4, 4), ("conv2d_2", 7, 1, 6),
                                     ("max_pooling2d_2", 19, 3, 0), ("dense_1", 42, 0, 0), ("dense_2", 4, 0, 0)]:
        unit = explain_unit(model, x, layer, channel, row, col)
        assert unit["matches"], unit
    assert "softmax over the layer" in explain_unit(model, x, "dense_2", 4)["text"]
    with pytest.raises(ValueError, match="no layer named"):
        explain_unit(model, x, "conv9", 0)
    with pytest.raises(ValueError, match="outside"):
        explain_unit(model, x, "conv2d_1", 0, 24, 0)
    with pytest.raises(ValueError, match="no unit calculation"):
        explain_unit(model, x, "flatten_1", 0)


def test_branches_become_groups_and_fields_follow_the_graph():
    image = Input((12, 12, 1))
    a = Conv2D(2, 3, padding="same")(image)
    b = Conv2D(2, 5, padding="same")(image)
    out = Dense(2)(Flatten()(MaxPooling2D(2)(Add()([a, b]))))
    info = describe(Model(image, out))
    layers = {layer["name"]: layer for layer in info["layers"]}
    assert "input_layer_1" not in layers
    groups = [layer["group"] for layer in info["layers"]]
    assert sorted(set(groups)) == [0, 1, 2] and groups.count(2) == 4  # two convolutions, then the merged chain
    assert sorted(layers["add_1"]["inputs"]) == ["conv2d_1", "conv2d_2"]
    assert layers["max_pooling2d_1"]["geometry"][0][:2] == [6, 2]  # 5×5 path, then 2×2 pooling
    assert [v["name"] for v in layer_views(Model(image, out), np.zeros((12, 12, 1), np.float32))] == list(layers)


def test_a_wrapped_torch_module_is_described_by_running_it():
    net = Model.wrap(torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.Linear(1352, 3)),
                     input_shape=(28, 28, 1), channels_first=True)
    predictor = Predictor(net)
    info = predictor.describe()
    assert [layer["output_shape"] for layer in info["layers"]] == [[None, 26, 26, 2], [None, 1352], [None, 3]]
    assert predictor.class_names == ["0", "1", "2"]
    probabilities = predictor.predict(np.zeros((2, 28, 28, 1), np.float32))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)  # logits get a softmax
