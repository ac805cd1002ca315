"""A callback-writing program in the style of Keras's "Writing your own callbacks" guide, written fresh, run with
only the import changed (``import convlens as keras``) and, as written, under real Keras 3: every hook gets a
``logs`` dict with the same keys in both, and the early-stopping / learning-rate callbacks act the same."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras as real_keras  # noqa: E402

import convlens  # noqa: E402


def callback_program(keras):
    """The program; ``keras`` is the module it imported (real Keras or convlens)."""
    seen = []

    class HookRecorder(keras.callbacks.Callback):
        """Records every hook with the sorted keys of its logs (a dict in every hook)."""

        def _record(self, hook, logs):
            assert isinstance(logs, dict) or hasattr(logs, "keys"), f"{hook}: logs is {logs!r}"
            seen.append((hook, sorted(logs.keys())))

        def on_train_begin(self, logs=None):
            self._record("train_begin", logs)

        def on_train_end(self, logs=None):
            self._record("train_end", logs)

        def on_epoch_begin(self, epoch, logs=None):
            self._record("epoch_begin", logs)

        def on_epoch_end(self, epoch, logs=None):
            self._record("epoch_end", logs)

        def on_train_batch_begin(self, batch, logs=None):
            self._record("train_batch_begin", logs)

        def on_train_batch_end(self, batch, logs=None):
            self._record("train_batch_end", logs)

        def on_test_begin(self, logs=None):
            self._record("test_begin", logs)

        def on_test_end(self, logs=None):
            self._record("test_end", logs)

        def on_test_batch_begin(self, batch, logs=None):
            self._record("test_batch_begin", logs)

        def on_test_batch_end(self, batch, logs=None):
            self._record("test_batch_end", logs)

        def on_predict_begin(self, logs=None):
            self._record("predict_begin", logs)

        def on_predict_end(self, logs=None):
            self._record("predict_end", logs)

        def on_predict_batch_begin(self, batch, logs=None):
            self._record("predict_batch_begin", logs)

        def on_predict_batch_end(self, batch, logs=None):
            self._record("predict_batch_end", logs)

    class PrintLoss(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.lines = []

        def on_train_batch_end(self, batch, logs=None):
            self.lines.append("Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"]))

        def on_epoch_end(self, epoch, logs=None):
            self.lines.append("The average loss for epoch {} is {:7.2f} and mean absolute error is {:7.2f}."
                              .format(epoch, logs["loss"], logs["mean_absolute_error"]))

    class StopAtMinLoss(keras.callbacks.Callback):
        """Stop when the loss stops falling for `patience` epochs and keep the best weights."""

        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            self.best_weights = None

        def on_train_begin(self, logs=None):
            self.wait = 0
            self.stopped_epoch = 0
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    self.model.set_weights(self.best_weights)

    class LearningRateByEpoch(keras.callbacks.Callback):
        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule
            self.rates = []

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            lr = float(np.array(self.model.optimizer.learning_rate))
            scheduled_lr = self.schedule(epoch, lr)
            self.model.optimizer.learning_rate = scheduled_lr
            self.rates.append(scheduled_lr)

    def get_model():
        model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.1), loss="mean_squared_error",
                      metrics=["mean_absolute_error"])
        return model

    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(40, 8)).astype("float32")
    y_train = x_train @ rng.normal(size=(8, 1)).astype("float32")
    model = get_model()
    model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0, validation_split=0.25,
              callbacks=[HookRecorder()])
    model.evaluate(x_train, y_train, batch_size=16, verbose=0, callbacks=[HookRecorder()])
    model.predict(x_train, batch_size=16, verbose=0, callbacks=[HookRecorder()])

    printer = PrintLoss()
    model = get_model()
    model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0, callbacks=[printer])

    stopper = StopAtMinLoss()
    model = get_model()
    history = model.fit(x_train, y_train, batch_size=8, epochs=30, verbose=0, callbacks=[stopper])

    scheduler = LearningRateByEpoch(lambda epoch, lr: lr * 0.5 if epoch in (1, 3) else lr)
    model = get_model()
    model.fit(x_train, y_train, batch_size=16, epochs=4, verbose=0, callbacks=[scheduler])
    return seen, printer.lines, (stopper.stopped_epoch, len(history.history["loss"])), scheduler.rates


def test_callback_program_runs_with_the_import_changed_and_sees_what_keras_sees():
    ours = callback_program(convlens)
    theirs = callback_program(real_keras)
    seen, lines, (stopped_epoch, epochs_run), rates = ours
    assert seen == theirs[0]  # the same hooks in the same order, each with a dict holding Keras's keys
    assert [line.split(" is ")[0] for line in lines] == [line.split(" is ")[0] for line in theirs[1]]
    assert 0 < stopped_epoch < 29 and epochs_run == stopped_epoch + 1
    assert rates == pytest.approx(theirs[3]) and rates == pytest.approx([0.1, 0.05, 0.05, 0.025])
