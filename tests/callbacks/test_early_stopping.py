import numpy as np
import pytest

from convlens.callbacks import EarlyStopping

from .fakes import FakeModel, replay


def losses(*values):
    return [{"loss": 1.0, "val_loss": v} for v in values]


def test_stops_after_patience_epochs_without_improvement():
    stopper = EarlyStopping(patience=2)
    # best at epoch 1 (0.5); epochs 2 and 3 do not improve -> stop at epoch 3
    run = replay([stopper], FakeModel(), losses(0.8, 0.5, 0.6, 0.55, 0.1, 0.1))
    assert run == 4 and stopper.stopped_epoch == 3 and stopper.best == 0.5 and stopper.best_epoch == 1


def test_improvement_resets_patience():
    stopper = EarlyStopping(patience=2)
    run = replay([stopper], FakeModel(), losses(0.8, 0.9, 0.7, 0.75, 0.6, 0.65, 0.66))
    assert run == 7 and stopper.stopped_epoch == 6


def test_min_delta_counts_small_gains_as_no_improvement():
    stopper = EarlyStopping(patience=1, min_delta=0.05)
    run = replay([stopper], FakeModel(), losses(1.0, 0.97, 0.9))
    assert run == 2 and stopper.stopped_epoch == 1


def test_accuracy_monitor_uses_max_mode():
    stopper = EarlyStopping(monitor="val_accuracy", patience=1)
    logs = [{"val_accuracy": a} for a in (0.5, 0.6, 0.55, 0.9)]
    assert replay([stopper], FakeModel(), logs) == 3


def test_never_completes_without_stopping_when_always_improving():
    stopper = EarlyStopping(patience=0)
    assert replay([stopper], FakeModel(), losses(0.9, 0.8, 0.7)) == 3
    assert stopper.stopped_epoch == 0


def test_restore_best_weights_loads_the_best_epoch(capsys):
    model = FakeModel()
    stopper = EarlyStopping(patience=2, restore_best_weights=True, verbose=1)
    replay([stopper], model, losses(0.8, 0.3, 0.6, 0.7, 0.1))
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])  # replay sets weights to the epoch index
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_without_restore_weights_are_the_last_ones():
    model = FakeModel()
    replay([EarlyStopping(patience=1)], model, losses(0.3, 0.6, 0.7))
    np.testing.assert_array_equal(model.weights[0], [1.0, 1.0])


def test_baseline_stops_when_not_beaten_within_patience():
    stopper = EarlyStopping(patience=2, baseline=0.5)
    run = replay([stopper], FakeModel(), losses(0.9, 0.8, 0.7, 0.6))
    assert run == 2 and stopper.stopped_epoch == 1
    beaten = EarlyStopping(patience=2, baseline=0.5)
    assert replay([beaten], FakeModel(), losses(0.9, 0.4, 0.3, 0.2)) == 4


def test_start_from_epoch_ignores_warmup_epochs():
    stopper = EarlyStopping(patience=1, start_from_epoch=3)
    run = replay([stopper], FakeModel(), losses(0.1, 0.9, 0.9, 0.9, 0.95, 0.2))
    assert run == 5 and stopper.stopped_epoch == 4 and stopper.best == 0.9


def test_missing_monitor_warns_and_never_stops():
    stopper = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="val_loss"):
        assert replay([stopper], FakeModel(), [{"loss": 1.0}, {"loss": 2.0}]) == 2


def test_state_resets_between_fits():
    stopper = EarlyStopping(patience=1)
    replay([stopper], FakeModel(), losses(0.1, 0.2))
    assert replay([stopper], FakeModel(), losses(0.5, 0.4, 0.3)) == 3 and stopper.best == 0.3


@pytest.mark.parametrize("kwargs", [{"patience": -1}, {"start_from_epoch": -2}, {"mode": "up"}])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match=str(list(kwargs.values())[0])):
        EarlyStopping(**kwargs)
