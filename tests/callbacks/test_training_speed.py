"""TrainingSpeed counts training images over training time only."""
import numpy as np

from convlens.callbacks.training_speed import TrainingSpeed


def test_images_over_the_time_of_the_training_batches():
    ticks = iter([0.0, 1.0, 2.0, 10.0, 12.0])  # epoch 0 starts, 2 batches; (validation: 2 → 10); epoch 1, 1 batch
    speed = TrainingSpeed(clock=lambda: next(ticks))
    speed.on_epoch_begin(0)
    speed.on_train_batch_end(0, {"size": 32, "loss": 1.0})
    speed.on_train_batch_end(1, {"size": 16})
    speed.on_epoch_end(0, {"loss": 1.0})
    speed.on_epoch_begin(1)
    speed.on_train_batch_end(0, {"size": 32})
    speed.on_epoch_end(1, {})
    assert speed.images == 80 and speed.seconds == 4.0 and speed.images_per_s == 20.0


def test_in_a_real_fit():
    from convlens.layers import Dense, Flatten
    from convlens.models import Sequential

    model = Sequential([Flatten(input_shape=(4, 4, 1)), Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    speed = TrainingSpeed()
    x, y = np.zeros((50, 4, 4, 1), "float32"), np.zeros(50, int)
    model.fit(x, y, epochs=2, batch_size=16, validation_split=0.2, verbose=0, callbacks=[speed])
    assert float(speed.images) == 2 * 40  # the 10 validation images are not training images
    assert speed.images_per_s > 0
    assert TrainingSpeed().images_per_s is None
