"""Keras's fit-adjacent surface: the "customizing what happens in fit" guide with only the imports changed, the
``*_on_batch`` methods and the Keras 2 ``*_generator`` spellings."""
import numpy as np
import pytest
import torch

import convlens as keras
from convlens import Sequential
from convlens.layers import Dense
from convlens.utils import set_random_seed


def test_customizing_fit_guide_runs_with_imports_changed():
    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name != "loss":
                    metric.update_state(y, y_pred)
                else:
                    metric.update_state(loss)
            return {m.name: m.result() for m in self.metrics}

    set_random_seed(0)
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    x = np.random.random((1000, 32)).astype("float32")
    y = np.random.random((1000, 1)).astype("float32")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert set(history.history) == {"loss", "mae"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, mae = model.evaluate(x, y, verbose=0)
    assert mae == pytest.approx(float(np.abs(model.predict(x) - y).mean()), rel=1e-4)


def test_overridden_train_step_on_a_model_subclass_is_called():
    calls = []

    class Logged(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(2, activation="softmax")

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            calls.append(len(data[0]))
            return super().train_step(data)

    model = Logged()
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(np.zeros((10, 4), "float32"), np.zeros(10, "int64"), batch_size=4, verbose=0)
    assert calls == [4, 4, 2] and set(history.history) == {"loss", "accuracy"}


def tiny():
    set_random_seed(0)
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    return model


def test_on_batch_methods_match_fit_evaluate_predict():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.integers(0, 3, 16)
    a, b = tiny(), tiny()
    loss, accuracy = a.test_on_batch(x, y)
    assert [loss, accuracy] == pytest.approx(a.evaluate(x, y, batch_size=16, verbose=0))
    assert a.test_on_batch(x, y, return_dict=True).keys() == {"loss", "accuracy"}
    trained = a.train_on_batch(x, y)
    b.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    assert trained[0] == pytest.approx(b.history.history["loss"][0])
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6)
    np.testing.assert_allclose(a.predict_on_batch(x), b.predict(x), rtol=1e-6)


def test_generator_spellings_of_keras_2():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.integers(0, 3, 16)

    class Batches:
        batch_size = 8

        def __len__(self):
            return 2

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    model = tiny()
    with pytest.warns(DeprecationWarning, match="evaluate_generator"):
        result = model.evaluate_generator(Batches(), steps=2)
    assert result == pytest.approx(model.evaluate(x, y, verbose=0))
    with pytest.warns(DeprecationWarning, match="predict_generator"):
        out = model.predict_generator(Batches(), val_samples=16)
    np.testing.assert_allclose(out, model.predict(x), rtol=1e-6)
