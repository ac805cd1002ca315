"""Residual and inception blocks built with real Keras 3 and with convlens: layers in the same order, so weights move
by position too; and the Keras functional program of issue 8 runs end to end."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

import convlens  # noqa: E402
from convlens import layers as L  # noqa: E402


def residual(lib, layers):
    x = lib.Input(shape=(12, 12, 8), name="image")
    y = layers.Conv2D(8, 3, padding="same", name="conv_a")(x)
    y = layers.BatchNormalization(name="bn_a")(y)
    y = layers.Activation("relu", name="relu_a")(y)
    y = layers.Conv2D(8, 3, padding="same", name="conv_b")(y)
    y = layers.BatchNormalization(name="bn_b")(y)
    y = layers.Add(name="skip")([x, y])
    y = layers.Activation("relu", name="relu_b")(y)
    y = layers.GlobalAveragePooling2D(name="gap")(y)
    return lib.Model(x, layers.Dense(5, activation="softmax", name="head")(y))


def inception(lib, layers):
    x = lib.Input(shape=(12, 12, 6), name="image")
    b1 = layers.Conv2D(4, 1, activation="relu", name="b1_1x1")(x)
    b2 = layers.Conv2D(3, 1, activation="relu", name="b2_reduce")(x)
    b2 = layers.Conv2D(5, 3, padding="same", activation="relu", name="b2_3x3")(b2)
    b3 = layers.Conv2D(2, 1, activation="relu", name="b3_reduce")(x)
    b3 = layers.Conv2D(3, 5, padding="same", activation="relu", name="b3_5x5")(b3)
    b4 = layers.MaxPooling2D(3, strides=1, padding="same", name="b4_pool")(x)
    b4 = layers.Conv2D(2, 1, activation="relu", name="b4_proj")(b4)
    y = layers.Concatenate(name="concat")([b1, b2, b3, b4])
    return lib.Model(x, layers.Conv2D(4, 1, name="after")(y))


@pytest.mark.parametrize("block", [residual, inception])
def test_layers_come_in_keras_order_so_get_weights_lines_up(block):
    """Weights move by layer name in tests/layers/test_functional_blocks.py; by position they need Keras's order."""
    theirs, ours = block(keras, keras.layers), block(convlens, L)
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    ours.set_weights(theirs.get_weights())
    x = np.random.default_rng(0).normal(size=(2, *theirs.input_shape[1:])).astype("float32")
    np.testing.assert_allclose(ours.predict(x, verbose=0), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)
    assert [r.output_shape for r in ours.summary_rows()] == [tuple(layer.output.shape) for layer in theirs.layers]


def test_the_keras_functional_program_trains_saves_loads_and_predicts(tmp_path):
    model = residual(convlens, L)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    x, y = rng.random((32, 12, 12, 8), dtype=np.float32), rng.integers(0, 5, 32)
    history = model.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    text = model.summary(return_string=True)
    assert "Connected to" in text and "skip (Add)" in text
    assert {r.name: r.connected_to for r in model.summary_rows()}["skip"] == ("image[0][0]", "bn_b[0][0]")
    model.save(tmp_path / "residual.keras")
    loaded = convlens.models.load_model(tmp_path / "residual.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
