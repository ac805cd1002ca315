"""The notes' "filters and feature maps" program (Keras 2 style), written fresh for this test and run with its
imports changed only: train a small CNN, then build ``Model(inputs=model.input, outputs=[layer.output …])`` and
plot every convolution's feature maps for one digit.
"""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from convlens import backend as K  # noqa: E402  (was: from keras import backend as K)
from convlens.datasets import mnist_sample as mnist  # noqa: E402  (was: from keras.datasets import mnist)
from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D  # noqa: E402
from convlens.models import Model, Sequential  # noqa: E402
from convlens.utils import set_random_seed, to_categorical  # noqa: E402


def test_feature_maps_program(tmp_path):
    set_random_seed(1)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    x_train = x_train[:1000].reshape(-1, 28, 28, 1).astype("float32") / 255
    y_train = to_categorical(y_train[:1000], 10)

    model = Sequential()
    model.add(Conv2D(8, (3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(MaxPooling2D((2, 2)))
    model.add(Conv2D(16, (3, 3), activation="relu"))
    model.add(MaxPooling2D((2, 2)))
    model.add(Flatten())
    model.add(Dense(10, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=1, verbose=0)

    print(K.int_shape(model.input), K.int_shape(model.output))
    layer_outputs = [layer.output for layer in model.layers]
    activation_model = Model(inputs=model.input, outputs=layer_outputs)
    img_tensor = x_test[:1].reshape(1, 28, 28, 1).astype("float32") / 255
    activations = activation_model.predict(img_tensor)
    first_layer_activation = activations[0]
    print(first_layer_activation.shape)

    for layer, layer_activation in zip(model.layers, activations):
        if "conv" not in layer.name:
            continue
        n_features = layer_activation.shape[-1]
        size = layer_activation.shape[1]
        n_cols = n_features // 8
        display_grid = np.zeros((size * n_cols, 8 * size))
        for col in range(n_cols):
            for row in range(8):
                channel_image = layer_activation[0, :, :, col * 8 + row]
                channel_image -= channel_image.mean()
                channel_image /= channel_image.std() + 1e-5
                channel_image = np.clip(channel_image * 64 + 128, 0, 255).astype("uint8")
                display_grid[col * size:(col + 1) * size, row * size:(row + 1) * size] = channel_image
        scale = 1.0 / size
        plt.figure(figsize=(scale * display_grid.shape[1], scale * display_grid.shape[0]))
        plt.title(layer.name)
        plt.grid(False)
        plt.imshow(display_grid, aspect="auto", cmap="viridis")
        plt.savefig(tmp_path / f"{layer.name}.png")
        plt.close()

    assert K.int_shape(model.input) == (None, 28, 28, 1)
    assert [a.shape for a in activations] == [(1, 26, 26, 8), (1, 13, 13, 8), (1, 11, 11, 16), (1, 5, 5, 16),
                                              (1, 400), (1, 10)]
    np.testing.assert_allclose(activations[-1], model.predict(img_tensor), atol=1e-6)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["conv2d_1.png", "conv2d_2.png"]
