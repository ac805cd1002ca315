"""convlens against real Keras 3 (torch backend): same weights in Keras layouts, same outputs, both ways."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)
if keras.backend.backend() != "torch":
    pytest.skip("these checks run Keras on its torch backend", allow_module_level=True)

from convlens import Sequential, layers as L  # noqa: E402
from convlens.zoo.notes import notes_cifar10_cnn, notes_mnist_cnn  # noqa: E402


def keras_model(input_shape, *layers):
    return keras.Sequential([keras.Input(input_shape), *layers])


def assert_same_outputs(ours, theirs, x):
    ours.eval()
    expected = np.asarray(theirs.predict(x, verbose=0))
    np.testing.assert_allclose(ours.predict(x), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("make_ours, make_theirs, shape", [
    (lambda: L.Conv2D(4, 2, strides=2, padding="same"), lambda: keras.layers.Conv2D(4, 2, strides=2, padding="same"),
     (7, 7, 3)),
    (lambda: L.Conv2D(4, 4, padding="same", dilation_rate=1),
     lambda: keras.layers.Conv2D(4, 4, padding="same"), (6, 6, 2)),
    (lambda: L.Conv2DTranspose(3, 3, strides=2, padding="same"),
     lambda: keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same"), (4, 4, 2)),
    (lambda: L.Conv2DTranspose(3, 4, strides=2, padding="valid"),
     lambda: keras.layers.Conv2DTranspose(3, 4, strides=2, padding="valid"), (4, 4, 2)),
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=2, padding="same"),
     lambda: keras.layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same"), (6, 6, 3)),
    (lambda: L.SeparableConv2D(5, 3), lambda: keras.layers.SeparableConv2D(5, 3), (6, 6, 3)),
    (lambda: L.AveragePooling2D(2, padding="same"), lambda: keras.layers.AveragePooling2D(2, padding="same"),
     (5, 5, 2)),
    (lambda: L.MaxPooling2D(3, strides=2, padding="same"),
     lambda: keras.layers.MaxPooling2D(3, strides=2, padding="same"), (6, 6, 2)),
    (lambda: L.BatchNormalization(), lambda: keras.layers.BatchNormalization(), (4, 4, 3)),
    (lambda: L.Conv1D(3, 3, padding="causal"), lambda: keras.layers.Conv1D(3, 3, padding="causal"), (9, 2)),
])
def test_layer_matches_keras(make_ours, make_theirs, shape):
    ours, theirs = Sequential([make_ours()]), keras_model(shape, make_theirs())
    ours.build((None, *shape))
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=w.shape).astype("float32") for w in theirs.get_weights()]
    if "batch_normalization" in theirs.layers[0].name:
        weights[3] = np.abs(weights[3]) + 0.5  # a variance
    theirs.set_weights(weights)
    ours.set_weights(theirs.get_weights())
    x = rng.normal(size=(2, *shape)).astype("float32")
    assert_same_outputs(ours, theirs, x)


@pytest.mark.parametrize("build, keras_layers, shape", [
    (notes_mnist_cnn, lambda: [
        keras.layers.Conv2D(10, (5, 5), activation="relu"), keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(20, (5, 5), activation="relu"), keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(), keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(10, activation="softmax")], (28, 28, 1)),
    (notes_cifar10_cnn, lambda: [
        keras.layers.Conv2D(16, 2, padding="same", activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 2, padding="same", activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 2, padding="same", activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Dropout(0.3), keras.layers.Flatten(), keras.layers.Dense(500, activation="relu"),
        keras.layers.Dropout(0.4), keras.layers.Dense(10, activation="softmax")], (32, 32, 3)),
])
def test_notes_models_move_weights_both_ways(build, keras_layers, shape):
    ours, theirs = build(), keras_model(shape, *keras_layers())
    assert ours.count_params() == theirs.count_params()
    x = np.random.default_rng(1).random((3, *shape), dtype=np.float32)
    ours.set_weights(theirs.get_weights())          # Keras → convlens
    assert_same_outputs(ours, theirs, x)
    fresh = keras_model(shape, *keras_layers())
    fresh.set_weights(build().get_weights())         # convlens → Keras (a fresh convlens model)
    ours.set_weights(fresh.get_weights())
    assert_same_outputs(ours, fresh, x)
