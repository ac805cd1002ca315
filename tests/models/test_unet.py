"""A small U-Net (Conv2DTranspose and UpSampling2D decoders, skip connections joined by layers.concatenate) is
built as in Keras, computes what Keras computes with the same weights, saves and loads, and learns per-pixel labels.

Training through ``fit`` needs the per-pixel losses of issue 22's part B; here the model learns through a plain
torch loop with ``convlens.ops.sparse_categorical_crossentropy``, which shows every layer passes gradients back."""
import os

import numpy as np
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

import convlens  # noqa: E402
from convlens import layers, ops  # noqa: E402
from convlens.models import load_model  # noqa: E402


def unet(lib, layers_lib, size=16, classes=3):
    inputs = lib.Input(shape=(size, size, 3))
    c1 = layers_lib.Conv2D(8, 3, activation="relu", padding="same")(inputs)
    p1 = layers_lib.MaxPooling2D(2)(c1)
    c2 = layers_lib.Conv2D(16, 3, activation="relu", padding="same")(p1)
    p2 = layers_lib.MaxPooling2D(2)(c2)
    bottom = layers_lib.Conv2D(32, 3, activation="relu", padding="same")(p2)
    u2 = layers_lib.Conv2DTranspose(16, 2, strides=2, padding="same")(bottom)
    c3 = layers_lib.Conv2D(16, 3, activation="relu", padding="same")(layers_lib.concatenate([u2, c2]))
    u1 = layers_lib.UpSampling2D(2)(c3)
    c4 = layers_lib.Conv2D(8, 3, activation="relu", padding="same")(layers_lib.concatenate([u1, c1], axis=-1))
    outputs = layers_lib.Conv2D(classes, 1, activation="softmax")(c4)
    return lib.Model(inputs, outputs, name="unet")


def data(n=16, size=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, size, size, 3)).astype("float32")
    y = (x[..., 0] > 0.33).astype("int64") + (x[..., 0] > 0.67)  # three classes, decided pixel by pixel
    return x, y


def test_unet_equals_keras_layer_by_layer():
    ours, theirs = unet(convlens, layers), unet(keras, keras.layers)
    assert ours.count_params() == theirs.count_params()
    assert [layer.output.shape for layer in ours.layers] == [tuple(layer.output.shape) for layer in theirs.layers]
    ours.set_weights(theirs.get_weights())
    x, _ = data(4)
    np.testing.assert_allclose(ours.predict(x), np.asarray(theirs.predict(x, verbose=0)), atol=1e-5)


def test_unet_learns_per_pixel_labels_and_saves(tmp_path):
    torch.manual_seed(0)
    model = unet(convlens, layers, size=8)
    x, y = data(size=8)
    inputs, labels = torch.tensor(x), torch.tensor(y)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = ops.mean(ops.sparse_categorical_crossentropy(labels, model(inputs, training=True)))
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < 0.5 * losses[0]
    accuracy = float((model.predict(x).argmax(-1) == y).mean())
    assert accuracy > 0.85
    model.save(tmp_path / "unet.keras")
    np.testing.assert_allclose(load_model(tmp_path / "unet.keras").predict(x), model.predict(x), atol=1e-6)
