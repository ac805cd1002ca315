"""A keras-io-style segmentation program (a small U-Net: Conv2DTranspose and UpSampling2D decoders, skip
connections joined with ``layers.concatenate``, per-pixel ``sparse_categorical_crossentropy``), written fresh for
this test and run with its imports changed only. The images are generated: bright squares on a noisy background,
labelled background / square / square border.
"""
import numpy as np

import convlens as keras  # was: import keras
from convlens import layers  # was: from keras import layers


def make_data(n, size=16, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.normal(0.2, 0.1, (n, size, size, 1)).astype("float32")
    masks = np.zeros((n, size, size), dtype="int64")
    for i in range(n):
        side = rng.integers(5, 10)
        top, left = rng.integers(0, size - side, 2)
        masks[i, top:top + side, left:left + side] = 2
        masks[i, top + 1:top + side - 1, left + 1:left + side - 1] = 1
        images[i, top:top + side, left:left + side] += 0.6
    return images, masks


def get_model(img_size, num_classes):
    inputs = keras.Input(shape=img_size + (1,))
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    skip1 = x
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    skip2 = x
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.concatenate([x, skip2])
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(2)(x)
    x = layers.concatenate([x, skip1])
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
    outputs = layers.Conv2D(num_classes, 1, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def test_unet_segmentation_program(tmp_path):
    keras.utils.set_random_seed(0)
    x_train, y_train = make_data(96)
    x_val, y_val = make_data(32, seed=1)
    model = get_model((16, 16), 3)
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    callbacks = [keras.callbacks.ModelCheckpoint(tmp_path / "segmentation.keras", save_best_only=True)]
    history = model.fit(x_train, y_train, epochs=10, batch_size=16, validation_data=(x_val, y_val),
                        callbacks=callbacks, verbose=2)
    val_preds = model.predict(x_val)
    mask = np.argmax(val_preds, axis=-1)

    assert val_preds.shape == (32, 16, 16, 3)
    assert history.history["val_loss"][-1] < history.history["val_loss"][0]
    assert (mask == y_val).mean() > (y_val == 0).mean() + 0.05  # better than calling every pixel background
