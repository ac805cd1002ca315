"""Every argument is honoured as Keras honours it, or refused by name: none is accepted and ignored."""
import os

import numpy as np
import pytest
import torch

from convlens import Sequential
from convlens.callbacks import Callback
from convlens.layers import Dense, Flatten
from convlens.zoo import create_model

os.environ.setdefault("KERAS_BACKEND", "torch")


def small():
    model = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", device="cpu")
    return model


def arrays(n=40):
    rng = np.random.default_rng(0)
    return rng.random((n, 4, 4, 1)).astype("float32"), np.arange(n) % 3


class Batches(Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(batch)


def test_steps_per_epoch_and_steps_cut_each_pass_of_arrays():
    model, (x, y) = small(), arrays()
    counter = Batches()
    model.fit(x, y, batch_size=8, epochs=2, steps_per_epoch=2, callbacks=[counter], verbose=0)
    assert counter.seen == [0, 1, 0, 1]
    assert model.predict(x, batch_size=8, steps=3).shape == (24, 3)
    np.testing.assert_allclose(model.evaluate(x, y, batch_size=8, steps=1, verbose=0),
                               model.evaluate(x[:8], y[:8], batch_size=8, verbose=0), rtol=1e-6)
    with pytest.raises(ValueError, match="steps=6.*40 samples.*batch_size=8 \\(5\\)"):
        model.predict(x, batch_size=8, steps=6)


def test_compile_execution_options_as_keras_torch_backend_takes_them():
    model = small()
    model.compile("sgd", "mse", run_eagerly=True, jit_compile=False, steps_per_execution=1, device="cpu")
    model.compile("sgd", "mse", run_eagerly=False, jit_compile="auto", device="cpu")
    with pytest.raises(ValueError, match="jit_compile=True"):
        model.compile("sgd", "mse", jit_compile=True)
    with pytest.raises(ValueError, match="steps_per_execution must be 1.*got 4"):
        model.compile("sgd", "mse", steps_per_execution=4)
    with pytest.raises(TypeError, match="unexpected arguments \\['weighted_metrics'\\]"):
        model.compile("sgd", "mse", weighted_metrics=["mae"])


def test_flatten_channels_first_matches_keras():
    import keras
    x = np.arange(2 * 3 * 4 * 5, dtype="float32").reshape(2, 3, 4, 5)
    expected = keras.layers.Flatten(data_format="channels_first")(x)
    got = Flatten(data_format="channels_first")(torch.as_tensor(x))
    np.testing.assert_array_equal(got.numpy(), keras.ops.convert_to_numpy(expected))
    assert Flatten.from_config(Flatten(data_format="channels_first").get_config()).data_format == "channels_first"
    with pytest.raises(ValueError, match="'NCHW'"):
        Flatten(data_format="NCHW")


def test_save_options_that_mean_nothing_here_are_refused(tmp_path):
    model = small()
    for call in (lambda: model.save(tmp_path / "m.keras", save_format="h5"),
                 lambda: model.save_weights(tmp_path / "w.weights.h5", options=None),
                 lambda: model.load_weights(tmp_path / "w.weights.h5", by_name=True)):
        with pytest.raises(TypeError, match="convlens does not take"):
            call()


def test_classifier_activation_none_gives_logits():
    model = create_model("lenet5", input_shape=(32, 32, 1), classes=4, classifier_activation=None)
    assert model.output_activation in (None, "linear")
    out = model.predict(np.random.default_rng(0).random((3, 32, 32, 1)).astype("float32"))
    assert not np.allclose(out.sum(-1), 1.0)
