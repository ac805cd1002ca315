"""A Keras 3-era program whose functional code uses ``keras.ops`` (written for this test in the keras-io style),
run with its imports changed only: the ops become graph nodes, the model trains, evaluates, summarises, saves and
loads, and gives the same predictions after loading.

``keras.datasets.mnist`` becomes the offline 5,000-digit sample; sizes and epochs are cut to keep the test quick.
"""
import numpy as np

import convlens as keras  # was: import keras
from convlens import layers, ops  # was: from keras import layers, ops
from convlens.datasets import mnist_sample as mnist  # was: from keras.datasets import mnist


def test_functional_model_with_keras_ops_program(tmp_path, capsys):
    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = np.expand_dims(x_train[:1500].astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test[:500].astype("float32") / 255, -1)
    y_train, y_test = y_train[:1500], y_test[:500]

    inputs = keras.Input(shape=(28, 28, 1), name="digits")
    x = layers.Conv2D(8, 3)(inputs)
    x = ops.relu(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(16, 3)(x)
    x = ops.maximum(x, 0.1 * x)  # a leaky ReLU written with ops
    x = layers.MaxPooling2D()(x)
    flat = ops.reshape(x, (-1, 5 * 5 * 16))
    x = layers.concatenate([flat, ops.mean(x, axis=(1, 2))])
    x = layers.Dropout(0.2)(x)
    logits = layers.Dense(10, name="logits")(x)
    outputs = ops.softmax(logits)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_ops")
    model.summary()

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=64, epochs=3, validation_split=0.1, verbose=2)
    test_scores = model.evaluate(x_test, y_test, verbose=2)
    print("Test loss:", test_scores[0])
    print("Test accuracy:", test_scores[1])

    model.save(tmp_path / "my_model.keras")
    predictions = model.predict(x_test)
    del model
    model = keras.models.load_model(tmp_path / "my_model.keras")
    np.testing.assert_allclose(predictions, model.predict(x_test), rtol=1e-6, atol=1e-6)

    out = capsys.readouterr().out
    assert "softmax_1 (OpLayer)" in out and "mean_1 (OpLayer)" in out
    assert history.history["accuracy"][-1] > history.history["accuracy"][0]
    assert test_scores[1] > 0.8
    np.testing.assert_allclose(predictions.sum(-1), 1.0, atol=1e-5)
