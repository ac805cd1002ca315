"""Ops on symbolic tensors become OpLayer nodes: the model trains, summarises, saves and loads by name, and
computes what the same Keras 3 model (keras.ops in its functional code) computes with the same weights."""
import json
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

from convlens import ops  # noqa: E402
from convlens.arithmetic import ShapeError  # noqa: E402
from convlens.layers import Conv2D, Dense, Input, OpLayer  # noqa: E402
from convlens.models import Model, load_model  # noqa: E402
from convlens.optimizers import Adam  # noqa: E402


def build(lib, layers_lib, ops_lib):
    """One program, written once, run against either library."""
    x = lib.Input(shape=(8, 8, 3))
    y = layers_lib.Conv2D(4, 3, padding="same")(x)
    y = ops_lib.relu(y) * 2.0 - 0.5
    a, b = ops_lib.split(y, 2, axis=-1)
    y = ops_lib.concatenate([ops_lib.maximum(a, b), ops_lib.square(a)], axis=-1)
    y = ops_lib.mean(y, axis=(1, 2))
    y = ops_lib.reshape(y, (-1, 2, 2))
    y = ops_lib.reshape(ops_lib.transpose(y, (0, 2, 1)), (-1, 4))
    y = y[:, :3] / (1.0 + ops_lib.abs(y[:, 3:]))
    return lib.Model(x, layers_lib.Dense(3, activation="softmax")(ops_lib.log1p(ops_lib.exp(y))))


def test_a_model_using_ops_equals_the_same_keras_model():
    ours = build(__import__("convlens"), __import__("convlens.layers").layers, ops)
    theirs = build(keras, keras.layers, keras.ops)
    assert ours.count_params() == theirs.count_params()
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(0).uniform(size=(5, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)


def test_op_nodes_are_named_and_summarised_as_keras_names_them():
    model = build(__import__("convlens"), __import__("convlens.layers").layers, ops)
    names = [layer.name for layer in model.layers if isinstance(layer, OpLayer)]
    assert names[:4] == ["relu_1", "multiply_1", "subtract_1", "split_1"]
    text = model.summary(return_string=True)
    assert "mean_1 (OpLayer)" in text and "(None, 4)" in text and "Total params: 124" in text


def test_a_model_using_ops_trains_saves_and_loads_by_name(tmp_path):
    torch.manual_seed(0)
    x_in = Input(shape=(6,))
    h = Dense(8, activation="relu")(x_in)
    logits = Dense(1)(ops.concatenate([h, ops.square(x_in[:, :2])], axis=-1))
    model = Model(x_in, ops.sigmoid(logits))
    model.compile(optimizer=Adam(learning_rate=0.02), loss="binary_crossentropy")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(128, 6)).astype("float32")
    y = (x[:, :1] ** 2 + x[:, 1:2] > 1).astype("float32")
    history = model.fit(x, y, epochs=25, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    model.save(tmp_path / "ops.keras")
    again = load_model(tmp_path / "ops.keras")
    np.testing.assert_allclose(again.predict(x), model.predict(x), atol=1e-6)
    config = json.loads(model.to_json())
    entry = next(e for e in config["config"]["layers"] if e["name"] == "get_item_1")
    assert entry["config"]["op"] == "get_item"
    assert entry["config"]["args"][1] == {"__tuple__": [{"__slice__": [None, None, None]},
                                                        {"__slice__": [None, 2, None]}]}


def test_python_operators_and_numpy_constants_record_ops():
    x = Input(shape=(3,))
    y = 2.0 * x + np.float32(1.0) * (x - np.array([1.0, 2.0, 3.0], "float32")) / 4 - (-x) ** 2
    model = Model(x, y)
    value = np.array([[1.0, -2.0, 0.5]], "float32")
    expected = 2 * value + (value - [1, 2, 3]) / 4 - value ** 2
    np.testing.assert_allclose(model.predict(value), expected, atol=1e-6)
    assert ops.argmax(x, axis=-1).dtype == "int32" and ops.shape(x) == (None, 3)


def test_symbolic_shapes_follow_the_op():
    x = Input(shape=(7, 5, 3))
    assert ops.mean(x, axis=-1).shape == (None, 7, 5)
    assert ops.image.resize(x, (14, 10)).shape == (None, 14, 10, 3)
    assert ops.one_hot(ops.argmax(x, axis=-1), 4).shape == (None, 7, 5, 4)
    assert ops.conv(x, np.zeros((3, 3, 3, 8), "float32"), strides=2, padding="same").shape == (None, 4, 3, 8)
    assert ops.max_pool(x, 2).shape == (None, 3, 2, 3)
    assert ops.expand_dims(x, 1).shape == (None, 1, 7, 5, 3)
    assert [t.shape for t in ops.split(x, [1], axis=1)] == [(None, 1, 5, 3), (None, 6, 5, 3)]
    assert Conv2D(2, 1)(ops.sqrt(x)).shape == (None, 7, 5, 2)


def test_ops_that_cannot_be_recorded_say_why():
    x = Input(shape=(4,))
    with pytest.raises(ShapeError, match="op 'matmul' cannot take input shape"):
        ops.matmul(x, np.ones((3, 2), "float32"))
    with pytest.raises(TypeError, match="op 'add' got an argument of type object"):
        ops.add(x, object())
    with pytest.raises(TypeError, match="cannot be iterated"):
        list(x)
    with pytest.raises(TypeError, match="has no values"):
        ops.convert_to_numpy(x)
