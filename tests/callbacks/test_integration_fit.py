"""Callbacks driven by the real engine on a tiny model and random data (skipped until the engine exists)."""
import csv

import numpy as np
import pytest



from convlens.callbacks import (CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler,  # noqa: E402
                                ModelCheckpoint, ReduceLROnPlateau, TerminateOnNaN)
from convlens.layers import Dense  # noqa: E402
from convlens.models.sequential import Sequential  # noqa: E402


def tiny_model():
    model = Sequential([Dense(8, activation="relu", input_shape=(4,)), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def data(n=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n)


def test_fit_drives_the_callbacks(tmp_path, capsys):
    x, y = data()
    model = tiny_model()
    batches = []
    checkpoint = tmp_path / "best.weights"
    callbacks = [
        ModelCheckpoint(checkpoint, save_best_only=True, save_weights_only=True, verbose=1),
        CSVLogger(tmp_path / "log.csv"),
        LearningRateScheduler(lambda epoch, lr: 0.05 if epoch >= 1 else 0.1),
        TerminateOnNaN(),
        LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch)),
    ]
    history = model.fit(x, y, batch_size=16, epochs=3, validation_data=data(32, 1), callbacks=callbacks, verbose=2)
    assert history.epoch == [0, 1, 2]
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"}
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.05])
    assert batches == [0, 1, 2, 3] * 3
    assert checkpoint.exists()
    restored = tiny_model()
    restored.load_weights(checkpoint)
    with open(tmp_path / "log.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert float(rows[2]["val_loss"]) == pytest.approx(history.history["val_loss"][2], rel=1e-5)
    out = capsys.readouterr().out
    assert "Epoch 1/3" in out and "Epoch 3/3" in out and "improved from inf to" in out
    assert "\r" not in out


def test_early_stopping_and_reduce_lr_act_on_the_model():
    x, y = data()
    model = tiny_model()
    stopper = EarlyStopping(monitor="val_loss", patience=1, min_delta=10.0, restore_best_weights=True)
    reducer = ReduceLROnPlateau(monitor="val_loss", patience=1, min_delta=10.0, factor=0.5)
    history = model.fit(x, y, batch_size=32, epochs=6, validation_split=0.25, callbacks=[reducer, stopper],
                        verbose=0)
    assert history.epoch == [0, 1] and stopper.stopped_epoch == 1
    assert model.optimizer.learning_rate == pytest.approx(history.history["learning_rate"][0] * 0.5)
    for restored, best in zip(model.get_weights(), stopper.best_weights):
        np.testing.assert_array_equal(restored, best)
