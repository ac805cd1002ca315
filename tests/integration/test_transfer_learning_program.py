"""A transfer-learning program in the style of the Keras guide, written for Keras, imports changed to convlens.

The "pretrained" base is a small conv net trained here first (there is no model hub offline); the rest is the
guide's recipe: freeze the base, call it with training=False inside a functional model, train a new head, then
unfreeze and fine-tune with a low learning rate.
"""
import numpy as np

import convlens as keras
from convlens import layers

from tests.integration.keras_folder import write_image_folder


def test_transfer_learning_program(tmp_path):
    keras.utils.set_random_seed(1)
    data_dir = write_image_folder(tmp_path / "pets")
    train_ds, validation_ds = keras.utils.image_dataset_from_directory(
        data_dir, validation_split=0.25, subset="both", seed=1337, image_size=(16, 16), batch_size=8)
    train_ds = train_ds.map(lambda x, y: (x / 255.0, y)).cache().prefetch(buffer_size=keras.data.AUTOTUNE)
    validation_ds = validation_ds.map(lambda x, y: (x / 255.0, y)).cache().prefetch(keras.data.AUTOTUNE)

    # A base "pretrained" on another task: 3 colour classes from arrays.
    rng = np.random.default_rng(0)
    x_pre = rng.uniform(0, 0.35, (96, 16, 16, 3)).astype("float32")
    y_pre = np.arange(96) % 3
    x_pre[np.arange(96), :, :, y_pre] += 0.6
    base_model = keras.Sequential([
        keras.Input(shape=(16, 16, 3)),
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
    ], name="base")
    pretrain = keras.Sequential([base_model, layers.GlobalAveragePooling2D(), layers.Dense(3, activation="softmax")])
    pretrain.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    pretrain.fit(x_pre, y_pre, epochs=3, batch_size=16, verbose=0)

    base_model.trainable = False
    inputs = keras.Input(shape=(16, 16, 3))
    x = base_model(inputs, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    outputs = layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.summary()

    frozen = [w.copy() for w in base_model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    history = model.fit(train_ds, epochs=6, validation_data=validation_ds, verbose=2)
    assert all(np.array_equal(a, b) for a, b in zip(frozen, base_model.get_weights()))
    assert set(history.history) == {"loss", "binary_accuracy", "val_loss", "val_binary_accuracy"}

    base_model.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(1e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(), keras.metrics.AUC(from_logits=True)])
    fine = model.fit(train_ds, epochs=2, validation_data=validation_ds, verbose=2)
    assert fine.history["val_loss"][-1] < history.history["val_loss"][0]
    assert not all(np.array_equal(a, b) for a, b in zip(frozen, base_model.get_weights()))
    results = model.evaluate(validation_ds, return_dict=True, verbose=0)
    assert results["auc"] >= 0.8  # (BinaryAccuracy thresholds the logits at 0.5, as in Keras's guide)
    predictions = model.predict(validation_ds)
    assert predictions.shape == (len(validation_ds.file_paths), 1)
