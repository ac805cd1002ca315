import math

import pytest

from convlens.callbacks import TerminateOnNaN

from .fakes import FakeModel


@pytest.mark.parametrize("loss", [math.nan, math.inf, -math.inf])
def test_stops_on_invalid_loss(loss, capsys):
    model = FakeModel()
    cb = TerminateOnNaN()
    cb.set_model(model)
    cb.on_train_batch_end(7, {"loss": loss})
    assert model.stop_training
    assert "Batch 7: Invalid loss, terminating training" in capsys.readouterr().out


def test_reads_tensor_losses_and_ignores_finite_ones():
    torch = pytest.importorskip("torch")
    model = FakeModel()
    cb = TerminateOnNaN()
    cb.set_model(model)
    cb.on_train_batch_end(0, {"loss": torch.tensor(0.3)})
    cb.on_train_batch_end(1, {"accuracy": 0.5})
    cb.on_train_batch_end(2, None)
    assert not model.stop_training
    cb.on_train_batch_end(3, {"loss": torch.tensor(float("nan"))})
    assert model.stop_training
