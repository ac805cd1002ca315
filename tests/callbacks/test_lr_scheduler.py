import numpy as np
import pytest

from convlens.callbacks import LearningRateScheduler

from .fakes import FakeModel, replay


def notes_schedule(epoch, lr):
    """The lecture's step schedule: 0.01 from epoch 20, 0.001 from epoch 50."""
    if epoch >= 50:
        return 0.001
    if epoch >= 20:
        return 0.01
    return lr


def lr_per_epoch(callback, epochs, lr=0.1):
    model = FakeModel(learning_rate=lr)
    seen = []
    callback.set_model(model)
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        seen.append(model.optimizer.learning_rate)
    return seen


def test_follows_the_notes_schedule():
    seen = lr_per_epoch(LearningRateScheduler(notes_schedule), 60)
    assert seen[:20] == [0.1] * 20 and seen[20:50] == [0.01] * 30 and seen[50:] == [0.001] * 10


def test_one_argument_schedule_and_numpy_values():
    seen = lr_per_epoch(LearningRateScheduler(lambda epoch: np.float32(0.5) ** epoch), 3)
    assert seen == pytest.approx([1.0, 0.5, 0.25])


def test_schedule_gets_current_lr_and_logs_it(capsys):
    model = FakeModel(learning_rate=0.2)
    run = replay([LearningRateScheduler(lambda epoch, lr: lr * 0.5, verbose=1)], model, [{"loss": 1.0}] * 2)
    assert run == 2 and model.optimizer.learning_rate == pytest.approx(0.05)
    assert model.history.history["learning_rate"] == pytest.approx([0.1, 0.05])
    assert capsys.readouterr().out.splitlines()[0] == "Epoch 1: LearningRateScheduler setting learning rate to 0.1."


@pytest.mark.parametrize("bad", ["0.1", None, -0.1, float("nan"), [0.1]])
def test_bad_schedule_output(bad):
    with pytest.raises(ValueError, match="at epoch 0"):
        lr_per_epoch(LearningRateScheduler(lambda epoch: bad), 1)


def test_schedule_must_be_callable():
    with pytest.raises(ValueError, match="0.1"):
        LearningRateScheduler(0.1)
