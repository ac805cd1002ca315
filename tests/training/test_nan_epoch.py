"""A NaN epoch (issue 23): a scheduler sends the learning rate to 1e30 in epoch 3. fit stops with one warning, and
the model, History, CSVLogger, the epoch checkpoints and the run state all describe the same point — the end of
epoch 2; epoch 3 is not recorded."""
import csv
import warnings

import numpy as np
import pytest

from convlens import Sequential, models
from convlens.callbacks import CSVLogger, LambdaCallback, LearningRateScheduler, ModelCheckpoint
from convlens.layers import BatchNormalization, Dense
from convlens.utils import set_random_seed

RNG = np.random.default_rng(0)
X = RNG.random((64, 4)).astype("float32")
Y = (X.sum(1) > 2).astype("int64")


def model_and_recorder():
    set_random_seed(0)
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), BatchNormalization(),
                        Dense(2, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", ["accuracy"])
    seen = {}
    recorder = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.__setitem__(epoch, model.get_weights()))
    return model, seen, recorder


def equal(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


def fit_recording(model, callbacks, epochs=5):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(X, Y, epochs=epochs, batch_size=16, verbose=0, callbacks=callbacks)
    return history, [w for w in caught if issubclass(w.category, RuntimeWarning)]


def test_a_nan_epoch_is_not_recorded_and_the_weights_go_back_to_the_last_complete_epoch(tmp_path):
    model, seen, recorder = model_and_recorder()
    scheduler = LearningRateScheduler(lambda epoch, lr: 1e30 if epoch == 2 else 0.1)
    last, per_epoch = tmp_path / "last.convlens", tmp_path / "ep{epoch}.convlens"
    weights_only, log = tmp_path / "last.weights.h5", tmp_path / "log.csv"
    history, caught = fit_recording(model, [scheduler, ModelCheckpoint(str(last)), ModelCheckpoint(str(per_epoch)),
                                            ModelCheckpoint(str(weights_only), save_weights_only=True),
                                            CSVLogger(str(log)), recorder])

    assert len(caught) == 1, [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert message.startswith("epoch 3, batch ") and "epoch 3 is not recorded (History, CSVLogger and epoch checkpoints hold" in message
    assert "back to those at the end of epoch 2" in message and "optimizer state was reset" in message
    assert model.stop_training

    epoch_two = seen[1]
    assert sorted(seen) == [0, 1] and all(np.isfinite(w).all() for w in epoch_two)
    assert history.epoch == [0, 1] and len(history.history["loss"]) == 2
    with open(log) as f:
        assert [row["epoch"] for row in csv.DictReader(f)] == ["0", "1"]
    assert sorted(p.name for p in tmp_path.glob("ep*.convlens")) == ["ep1.convlens", "ep2.convlens"]
    assert equal(models.load_model(last).get_weights(), epoch_two)
    assert equal(models.load_model(tmp_path / "ep2.convlens").get_weights(), epoch_two)
    fresh, _, _ = model_and_recorder()
    fresh.load_weights(weights_only)
    assert equal(fresh.get_weights(), epoch_two)
    assert equal(model.get_weights(), epoch_two)  # the model in memory agrees with its records

    assert (model.trainer.state.epoch, model.trainer.state.batch) == (2, 0)
    saved = tmp_path / "after.convlens"
    model.save(saved)
    reloaded = models.load_model(saved)
    assert equal(reloaded.get_weights(), epoch_two)
    assert reloaded.trainer.state.epoch == 2 and not reloaded.trainer.state.batch


def test_the_run_goes_on_from_the_last_complete_epoch_with_a_sane_rate(tmp_path):
    model, seen, recorder = model_and_recorder()
    fit_recording(model, [LearningRateScheduler(lambda epoch, lr: 1e30 if epoch == 2 else 0.1), recorder])
    model.optimizer.learning_rate = 0.1
    history = model.fit(X, Y, epochs=4, initial_epoch=2, batch_size=16, verbose=0)
    assert history.epoch == [2, 3] and np.isfinite(history.history["loss"]).all()


def test_a_nan_first_epoch_leaves_the_weights_from_before_training():
    model, seen, recorder = model_and_recorder()
    before = model.get_weights()
    history, caught = fit_recording(model, [LearningRateScheduler(lambda epoch, lr: 1e30), recorder], epochs=2)
    assert len(caught) == 1 and "back to those before training" in str(caught[0].message)
    assert seen == {} and history.epoch == [] and equal(model.get_weights(), before)


def test_a_skipped_train_on_batch_leaves_weights_and_batchnorm_statistics_as_they_were():
    model, _, _ = model_and_recorder()
    model.optimizer.learning_rate = 1e30
    model.train_on_batch(X, Y)  # a finite (huge) update: applied
    before = model.get_weights()
    with pytest.warns(RuntimeWarning, match=r"update was not applied \(weights and BatchNorm statistics"):
        model.train_on_batch(X, Y)  # the forward pass overflows: skipped
    assert equal(model.get_weights(), before)
