"""A functional model with several inputs trains on a list (or a dict keyed by input name) of arrays, as in Keras."""
import re

import numpy as np
import pytest
import torch

import convlens
from convlens import layers


def two_input_model():
    image = convlens.Input((6, 6, 1), name="image")
    extra = convlens.Input((3,), name="extra")
    features = layers.Flatten()(layers.Conv2D(2, 3)(image))
    merged = layers.Concatenate()([features, layers.Dense(4)(extra)])
    model = convlens.Model([image, extra], layers.Dense(2, activation="softmax")(merged))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x_image = rng.random((n, 6, 6, 1), dtype=np.float32)
    x_extra = rng.random((n, 3), dtype=np.float32)
    y = (x_extra[:, 0] > 0.5).astype(np.int64)  # learnable from the second input alone
    return x_image, x_extra, y


def test_fit_evaluate_predict_take_a_list_of_arrays():
    torch.manual_seed(0)
    model = two_input_model()
    x_image, x_extra, y = data()
    history = model.fit([x_image, x_extra], y, batch_size=8, epochs=3, verbose=0, validation_split=0.25)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    probabilities = model.predict([x_image, x_extra], batch_size=16)
    assert probabilities.shape == (40, 2)
    loss, _ = model.evaluate([x_image, x_extra], y, verbose=0)
    expected = -np.log(probabilities[np.arange(40), y]).mean()
    assert loss == pytest.approx(expected, rel=1e-4)


def test_a_dict_keyed_by_input_name_gives_the_same_outputs_as_the_list():
    model = two_input_model()
    x_image, x_extra, _ = data()
    assert model.input_names == ["image", "extra"]
    np.testing.assert_allclose(model.predict({"extra": x_extra, "image": x_image}),
                               model.predict([x_image, x_extra]), rtol=1e-6)


def test_validation_data_and_a_generator_of_list_batches():
    model = two_input_model()
    x_image, x_extra, y = data()

    def batches():
        while True:
            for start in range(0, 40, 10):
                yield [x_image[start:start + 10], x_extra[start:start + 10]], y[start:start + 10]

    history = model.fit(batches(), steps_per_epoch=4, epochs=1, verbose=0,
                        validation_data=([x_image, x_extra], y))
    assert "val_loss" in history.history


@pytest.mark.parametrize("x, message", [
    (lambda a, b: a, "the model has 2 inputs: pass x as a list of 2 arrays"),
    (lambda a, b: [a, b[:5]], "must hold the same number of samples"),
    (lambda a, b: [a, b, b], "the model has 2 inputs but x holds 3 arrays"),
    (lambda a, b: [a, np.zeros((40, 6), np.float32)], "input 1: the model expects samples of shape (3,)"),
    (lambda a, b: {"image": a, "other": b}, "no array for the model's input(s) ['extra']"),
])
def test_wrong_inputs_get_one_clear_message(x, message):
    model = two_input_model()
    x_image, x_extra, y = data()
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(x(x_image, x_extra), y, epochs=1, verbose=0)


def test_train_and_test_on_batch_take_a_list():
    model = two_input_model()
    x_image, x_extra, y = data(8)
    logs = model.train_on_batch([x_image, x_extra], y, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert model.test_on_batch([x_image, x_extra], y) == pytest.approx(
        model.evaluate([x_image, x_extra], y, batch_size=8, verbose=0))
