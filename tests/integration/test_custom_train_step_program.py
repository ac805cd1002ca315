"""Custom ``train_step`` / ``test_step`` programs in the style of Keras's "customizing what happens in fit" guide
for the torch backend, written fresh and run with only the import changed, then as written under real Keras 3
from the same initial weights: the same history."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras as real_keras  # noqa: E402

import convlens  # noqa: E402

rng = np.random.default_rng(0)
X = rng.normal(size=(96, 12)).astype("float32")
Y = (X @ rng.normal(size=(12, 1)) + 0.1 * rng.normal(size=(96, 1))).astype("float32")
SAMPLE_WEIGHT = rng.uniform(0.5, 1.5, size=96).astype("float32")
INITIAL = [rng.normal(scale=0.3, size=(12, 16)).astype("float32"), np.zeros(16, "float32"),
           rng.normal(scale=0.3, size=(16, 1)).astype("float32"), np.zeros(1, "float32")]


def guide_models(keras):
    """Three custom models as the guide writes them; ``keras`` is the imported module."""

    class FitWithComputeLoss(keras.Model):
        def train_step(self, data):
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                sample_weight = None
                x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)
            return {m.name: m.result() for m in self.metrics}

        def test_step(self, data):
            x, y = data
            y_pred = self(x, training=False)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    loss_tracker = keras.metrics.Mean(name="loss")
    mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
    loss_fn = keras.losses.MeanSquaredError()

    class FitWithOwnTrackers(keras.Model):
        """No loss in compile: the model keeps its own loss function and trackers."""

        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = loss_fn(y, y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)
            loss_tracker.update_state(loss)
            mae_metric.update_state(y, y_pred)
            return {"loss": loss_tracker.result(), "mae": mae_metric.result()}

        @property
        def metrics(self):
            return [loss_tracker, mae_metric]

    class FitWithComputeMetrics(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred)
            loss.backward()
            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]
            with torch.no_grad():
                self.optimizer.apply_gradients(zip(gradients, trainable_weights))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
            return self.compute_metrics(x, y, y_pred)

    return FitWithComputeLoss, FitWithOwnTrackers, FitWithComputeMetrics


def run_guide(keras):
    histories = []
    for index, cls in enumerate(guide_models(keras)):
        inputs = keras.Input(shape=(12,))
        hidden = keras.layers.Dense(16, activation="relu")(inputs)
        outputs = keras.layers.Dense(1)(hidden)
        model = cls(inputs, outputs)
        model.set_weights(INITIAL)
        if index == 1:
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05))
            history = model.fit(X, Y, batch_size=32, epochs=3, shuffle=False, verbose=0)
        elif index == 0:
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
            history = model.fit(X, Y, sample_weight=SAMPLE_WEIGHT, batch_size=32, epochs=3, shuffle=False,
                                verbose=0, validation_data=(X[:32], Y[:32]))
        else:
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse", metrics=["mae"])
            history = model.fit(X, Y, batch_size=32, epochs=3, shuffle=False, verbose=0)
        histories.append({key: [float(v) for v in values] for key, values in history.history.items()})
    return histories


def test_custom_train_steps_of_the_torch_guide_match_keras():
    ours, theirs = run_guide(convlens), run_guide(real_keras)
    for mine, keras_history in zip(ours, theirs):
        assert set(mine) == set(keras_history)
        for key in keras_history:
            np.testing.assert_allclose(mine[key], keras_history[key], rtol=1e-4, atol=1e-5, err_msg=key)
    assert ours[0]["loss"][-1] < ours[0]["loss"][0]


def test_compute_loss_is_the_default_steps_loss_with_class_weights():
    """One loss path: a custom step's compute_loss applies the fit's class weights as the default step does."""
    x = rng.normal(size=(40, 5)).astype("float32")
    y = rng.integers(0, 3, 40)

    class Custom(convlens.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in self.trainable_weights], self.trainable_weights)
            for metric in self.metrics:
                metric.update_state(loss) if metric.name == "loss" else metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    histories = []
    for cls in (convlens.Model, Custom):
        inputs = convlens.Input(shape=(5,))
        model = cls(inputs, convlens.layers.Dense(3, activation="softmax")(inputs))
        model.set_weights([INITIAL[0][:5, :3], np.zeros(3, "float32")])
        model.compile(convlens.optimizers.SGD(learning_rate=0.1), "sparse_categorical_crossentropy", ["accuracy"])
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, class_weight={0: 3.0, 1: 0.5})
        histories.append(history.history)
    for key in ("loss", "accuracy"):
        assert histories[1][key] == pytest.approx(histories[0][key], abs=1e-5)
