"""A subclassed Model (``__init__`` + ``call``) trains, summarises, saves and loads like any other."""
import numpy as np
import pytest
import torch

import convlens
from convlens import layers


class Net(convlens.Model):
    def __init__(self, classes=3):
        super().__init__(name="net")
        self.conv = layers.Conv2D(4, 3, activation="relu")
        self.pool = layers.GlobalAveragePooling2D()
        self.drop = layers.Dropout(0.5)
        self.head = layers.Dense(classes, activation="softmax")

    def call(self, x, training=False):
        return self.head(self.drop(self.pool(self.conv(x)), training=training))


def data(n=32):
    rng = np.random.default_rng(0)
    x = rng.random((n, 8, 8, 1), dtype=np.float32)
    return x, (x.mean(axis=(1, 2, 3)) > 0.5).astype("int64")


def test_subclassed_model_fit_evaluate_predict_summary(tmp_path):
    x, y = data()
    model = Net()
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(x, verbose=0).shape == (32, 3)
    assert len(model.evaluate(x, y, verbose=0)) == 2
    text = model.summary(return_string=True)
    assert "conv2d_1 (Conv2D)" in text or "conv2d (Conv2D)" in text
    assert f"Total params: {model.count_params():,}" in text
    model.save_weights(tmp_path / "net.weights.h5")
    twin = Net()
    twin.build((None, 8, 8, 1))
    twin.load_weights(tmp_path / "net.weights.h5")
    np.testing.assert_array_equal(twin.predict(x, verbose=0), model.predict(x, verbose=0))


def test_subclassed_model_without_call_says_what_to_do():
    class Empty(convlens.Model):
        pass

    with pytest.raises(NotImplementedError, match="call"):
        Empty()(torch.zeros(1, 2))


def test_saving_a_subclassed_model_config_says_so(tmp_path):
    model = Net()
    model.build((None, 8, 8, 1))
    with pytest.raises(NotImplementedError, match="save_weights"):
        model.save(tmp_path / "net.keras")


def test_custom_model_with_train_step_over_a_functional_graph():
    calls = []

    class CustomModel(convlens.Model):
        def train_step(self, batch):
            calls.append(1)
            return super().train_step(batch)

    x = layers.Input(shape=(4,))
    model = CustomModel(x, layers.Dense(2, activation="softmax")(x))
    assert isinstance(model, CustomModel) and isinstance(model, convlens.models.Functional)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(np.zeros((8, 4), "float32"), np.zeros(8, "int64"), batch_size=4, verbose=0)
    assert len(calls) == 2


def test_wrapped_logits_module_predicts_probabilities_and_learns():
    torch.manual_seed(0)
    net = torch.nn.Linear(2, 2)
    model = convlens.models.Model.wrap(net, input_shape=(2,), from_logits=True)
    x = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    model.compile(convlens.optimizers.Adam(0.05), "sparse_categorical_crossentropy", ["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0).sum(axis=1), 1, atol=1e-5)
    assert history.history["accuracy"][-1] > 0.9
