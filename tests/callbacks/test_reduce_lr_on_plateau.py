import pytest

from convlens.callbacks import CallbackList, ReduceLROnPlateau

from .fakes import FakeModel, replay


def run_lrs(callback, values, lr=0.1):
    """Replay val_loss values; return the learning rate seen after each epoch."""
    model = FakeModel(learning_rate=lr)
    lrs = []
    cbs = CallbackList([callback], model=model, epochs=len(values), steps=1, verbose=0)
    cbs.on_train_begin()
    for epoch, value in enumerate(values):
        cbs.on_epoch_end(epoch, {"val_loss": value})
        lrs.append(model.optimizer.learning_rate)
    return lrs, cbs.history


def test_reduces_after_patience_and_records_learning_rate():
    lrs, history = run_lrs(ReduceLROnPlateau(factor=0.5, patience=2), [1.0, 0.9, 0.95, 0.92, 0.91, 0.93])
    assert lrs == pytest.approx([0.1, 0.1, 0.1, 0.05, 0.05, 0.025])
    # the logs carry the rate in force during the epoch, before any reduction
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.05, 0.05])


def test_min_delta_ignores_tiny_gains():
    lrs, _ = run_lrs(ReduceLROnPlateau(factor=0.1, patience=1, min_delta=0.01), [1.0, 0.995])
    assert lrs == pytest.approx([0.1, 0.01])


def test_cooldown_delays_the_next_count():
    lrs, _ = run_lrs(ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2), [1.0, 1.1, 1.1, 1.1, 1.1, 1.1])
    # As Keras, the counter ticks at the start of each epoch: reduce at 1, epoch 2 is skipped (counter 2 -> 1),
    # epoch 3 counts again (1 -> 0) and reduces, epoch 4 is skipped, epoch 5 reduces.
    assert lrs == pytest.approx([0.1, 0.05, 0.05, 0.025, 0.025, 0.0125])
    no_cooldown, _ = run_lrs(ReduceLROnPlateau(factor=0.5, patience=1), [1.0, 1.1, 1.1, 1.1])
    assert no_cooldown == pytest.approx([0.1, 0.05, 0.025, 0.0125])


def test_min_lr_is_a_floor(capsys):
    lrs, _ = run_lrs(ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.005, verbose=1), [1.0, 1.0, 1.0, 1.0])
    assert lrs == pytest.approx([0.1, 0.01, 0.005, 0.005])
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1] == "Epoch 3: ReduceLROnPlateau reducing learning rate to 0.005."


def test_accuracy_is_maximised():
    model = FakeModel(learning_rate=0.2)
    replay([ReduceLROnPlateau(monitor="val_accuracy", factor=0.5, patience=1)], model,
           [{"val_accuracy": a} for a in (0.5, 0.6, 0.7, 0.65)])
    assert model.optimizer.learning_rate == pytest.approx(0.1)


@pytest.mark.parametrize("kwargs, match", [({"factor": 1.0}, "factor=1.0"), ({"factor": 2}, "factor=2"),
                                           ({"patience": -1}, "patience=-1"), ({"min_lr": -0.1}, "-0.1")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ReduceLROnPlateau(**kwargs)
