"""A convolutional denoising autoencoder in the style of the keras-io example, written fresh, run with only the
imports changed: (N, 28, 28, 1) images as targets with binary_crossentropy, Conv2DTranspose decoder, noisy inputs.

``keras.datasets.mnist`` becomes the offline 5,000-digit sample and the sizes are cut to keep the test quick.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import convlens as keras  # noqa: E402  (was: import keras)
from convlens import layers  # noqa: E402  (was: from keras import layers)
from convlens.datasets import mnist_sample as mnist  # noqa: E402  (was: from keras.datasets import mnist)
from convlens.models import Model  # noqa: E402  (was: from keras.models import Model)


def preprocess(array):
    """Scale to [0, 1] and add the channel axis."""
    array = array.astype("float32") / 255.0
    return np.reshape(array, (len(array), 28, 28, 1))


def noise(array, rng):
    noisy_array = array + 0.4 * rng.normal(loc=0.0, scale=1.0, size=array.shape)
    return np.clip(noisy_array, 0.0, 1.0).astype("float32")


def test_denoising_autoencoder_program(tmp_path):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    (train_data, _), (test_data, _) = mnist.load_data()
    train_data = preprocess(train_data[:512])
    test_data = preprocess(test_data[:128])
    noisy_train_data = noise(train_data, rng)
    noisy_test_data = noise(test_data, rng)

    input = layers.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(input)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)

    autoencoder = Model(input, x)
    autoencoder.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-3), loss="binary_crossentropy", metrics=["mse"])
    autoencoder.summary(print_fn=lambda line: None)

    history = autoencoder.fit(x=noisy_train_data, y=train_data, epochs=4, batch_size=32, shuffle=True,
                              validation_data=(noisy_test_data, test_data), verbose=0)
    predictions = autoencoder.predict(noisy_test_data, verbose=0)

    fig, axes = plt.subplots(3, 4, figsize=(6, 5))
    for column in range(4):
        for row, images in enumerate((test_data, noisy_test_data, predictions)):
            axes[row, column].imshow(images[column].reshape(28, 28), cmap="gray")
            axes[row, column].axis("off")
    fig.savefig(tmp_path / "denoised.png")
    plt.close(fig)

    assert set(history.history) == {"loss", "mse", "val_loss", "val_mse"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert predictions.shape == (128, 28, 28, 1) and 0 <= predictions.min() and predictions.max() <= 1
    denoised_error = float(((predictions - test_data) ** 2).mean())
    noisy_error = float(((noisy_test_data - test_data) ** 2).mean())
    assert denoised_error < 0.5 * noisy_error  # the model removes most of the noise
    loss, mse = autoencoder.evaluate(noisy_test_data, test_data, verbose=0)
    assert mse == np.float32(mse) and abs(mse - denoised_error) < 1e-5
    assert (tmp_path / "denoised.png").stat().st_size > 0
