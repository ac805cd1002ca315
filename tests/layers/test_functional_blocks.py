"""Residual and inception blocks built with the functional API, against the same blocks in real Keras 3."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("these checks run Keras on its torch backend", allow_module_level=True)

import convlens  # noqa: E402
from convlens import layers as L  # noqa: E402


def residual_block(api, Input, Model):
    image = Input(shape=(8, 8, 4), name="image")
    x = api.Conv2D(4, 3, padding="same", name="conv_a")(image)
    x = api.BatchNormalization(name="bn_a")(x)
    x = api.Activation("relu", name="relu_a")(x)
    x = api.Conv2D(4, 3, padding="same", name="conv_b")(x)
    x = api.BatchNormalization(name="bn_b")(x)
    x = api.Add(name="skip")([x, image])
    x = api.Activation("relu", name="relu_b")(x)
    x = api.GlobalAveragePooling2D(name="gap")(x)
    return Model(image, api.Dense(3, activation="softmax", name="head")(x), name="residual")


def inception_block(api, Input, Model):
    image = Input(shape=(10, 10, 6), name="image")
    one = api.Conv2D(4, 1, activation="relu", name="b1_1x1")(image)
    three = api.Conv2D(3, 1, activation="relu", name="b3_reduce")(image)
    three = api.Conv2D(5, 3, padding="same", activation="relu", name="b3_3x3")(three)
    five = api.Conv2D(2, 1, activation="relu", name="b5_reduce")(image)
    five = api.Conv2D(3, 5, padding="same", activation="relu", name="b5_5x5")(five)
    pool = api.MaxPooling2D(3, strides=1, padding="same", name="pool")(image)
    pool = api.Conv2D(2, 1, activation="relu", name="pool_proj")(pool)
    x = api.Concatenate(name="concat")([one, three, five, pool])
    x = api.GlobalAveragePooling2D(name="gap")(x)
    return Model(image, api.Dense(3, activation="softmax", name="head")(x), name="inception")


def both(build):
    ours = build(L, convlens.Input, convlens.Model)
    theirs = build(keras.layers, keras.Input, keras.Model)
    return ours, theirs


def copy_by_name(source, target):
    for layer in source.layers:
        if layer.get_weights():
            target.get_layer(layer.name).set_weights(layer.get_weights())


@pytest.mark.parametrize("build, channels", [(residual_block, 4), (inception_block, 6)])
def test_block_matches_keras_both_ways(build, channels):
    ours, theirs = both(build)
    for layer in theirs.layers:
        ours_layer = ours.get_layer(layer.name)
        assert sum(w.size for w in ours_layer.get_weights()) == layer.count_params(), layer.name
        assert tuple(ours_layer.output.shape) == tuple(layer.output.shape), layer.name
    assert ours.count_params() == theirs.count_params()
    rng = np.random.default_rng(0)
    theirs.set_weights([rng.normal(size=w.shape).astype("float32") * 0.5 + (0.6 if w.ndim == 1 else 0)
                        for w in theirs.get_weights()])
    x = rng.normal(size=(3, *theirs.input_shape[1:])).astype("float32")
    copy_by_name(theirs, ours)                      # Keras → convlens
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), rtol=1e-4, atol=1e-5)
    fresh_ours, fresh_theirs = both(build)
    copy_by_name(fresh_ours, fresh_theirs)          # convlens → Keras
    np.testing.assert_allclose(fresh_ours.predict(x), np.asarray(fresh_theirs.predict(x, verbose=0)),
                               rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("build", [residual_block, inception_block])
def test_block_trains_and_reloads(build, tmp_path):
    model = build(L, convlens.Input, convlens.Model)
    shape = model.inputs[0].shape[1:]
    x = np.random.default_rng(1).normal(size=(16, *shape)).astype("float32")
    y = np.arange(16) % 3
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    model.save(tmp_path / "block.safetensors")
    again = convlens.models.load_model(tmp_path / "block.safetensors")
    np.testing.assert_allclose(again.predict(x), model.predict(x), rtol=1e-5, atol=1e-6)
