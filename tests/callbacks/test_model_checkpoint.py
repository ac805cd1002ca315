import numpy as np
import pytest

from convlens.callbacks import ModelCheckpoint

from .fakes import FakeModel, replay


def val_losses(*values):
    return [{"loss": 1.0, "val_loss": v} for v in values]


def test_saves_every_epoch_with_formatted_template(tmp_path):
    model = FakeModel()
    template = str(tmp_path / "ckpt" / "weights.{epoch:02d}-{val_loss:.2f}.bin")
    replay([ModelCheckpoint(template)], model, val_losses(0.48, 0.523))
    names = sorted(p.name for p in (tmp_path / "ckpt").iterdir())
    assert names == ["weights.01-0.48.bin", "weights.02-0.52.bin"]
    assert [kind for kind, _ in model.saved] == ["model", "model"]


def test_save_best_only_saves_on_improvement_only(tmp_path, capsys):
    model = FakeModel()
    path = tmp_path / "best.hdf5"
    cb = ModelCheckpoint(path, verbose=1, save_best_only=True, save_weights_only=True)
    replay([cb], model, val_losses(0.48050, 0.5, 0.3, 0.31))
    assert [kind for kind, _ in model.saved] == ["weights", "weights"]
    assert path.read_text() == "weights 2.0"  # written at epoch index 2
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        f"Epoch 1: val_loss improved from inf to 0.48050, saving model to {path}",
        "Epoch 2: val_loss did not improve from 0.48050",
        f"Epoch 3: val_loss improved from 0.48050 to 0.30000, saving model to {path}",
        "Epoch 4: val_loss did not improve from 0.30000",
    ]


def test_save_best_only_with_accuracy_and_templated_names(tmp_path):
    model = FakeModel()
    template = str(tmp_path / "m-{epoch}-{val_acc:.3f}")
    replay([ModelCheckpoint(template, monitor="val_acc", save_best_only=True)], model,
           [{"val_acc": a} for a in (0.5, 0.4, 0.7)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m-1-0.500", "m-3-0.700"]


def test_initial_value_threshold_must_be_beaten(tmp_path):
    model = FakeModel()
    cb = ModelCheckpoint(tmp_path / "w", save_best_only=True, initial_value_threshold=0.4)
    replay([cb], model, val_losses(0.5, 0.45, 0.35))
    assert len(model.saved) == 1 and (tmp_path / "w").read_text() == "model 2.0"


def test_missing_monitor_warns_and_does_not_save(tmp_path):
    model = FakeModel()
    with pytest.warns(UserWarning, match="val_loss"):
        replay([ModelCheckpoint(tmp_path / "w", save_best_only=True)], model, [{"loss": 0.2}])
    assert model.saved == []


def test_verbose_message_without_save_best_only(tmp_path, capsys):
    replay([ModelCheckpoint(tmp_path / "e{epoch}", verbose=1)], FakeModel(), val_losses(0.3))
    assert capsys.readouterr().out.strip() == f"Epoch 1: saving model to {tmp_path / 'e1'}"


def test_save_freq_in_batches_counts_across_epochs(tmp_path):
    model = FakeModel()
    template = str(tmp_path / "e{epoch}-b{batch}-{loss:.1f}")
    replay([ModelCheckpoint(template, save_freq=2)], model, val_losses(0.5, 0.4, 0.3), steps=3)
    # 9 batches, saving after every 2nd: global batches 2, 4, 6, 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1-b2-1.0", "e2-b1-1.0", "e2-b3-1.0", "e3-b2-1.0"]


def test_batch_logs_with_tensors_format(tmp_path):
    torch = pytest.importorskip("torch")
    cb = ModelCheckpoint(str(tmp_path / "{loss:.3f}"))
    assert cb.format_path(0, None, {"loss": torch.tensor(0.12345)}) == str(tmp_path / "0.123")


def test_unknown_template_field_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="val_acc.*Available fields: epoch, loss, val_loss"):
        replay([ModelCheckpoint(str(tmp_path / "{val_acc}"))], FakeModel(), val_losses(0.3))


@pytest.mark.parametrize("freq", [0, -5, "batch", 2.5, True])
def test_bad_save_freq(freq):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("x", save_freq=freq)


def test_non_finite_weights_are_never_written(tmp_path):
    """A NaN batch must not overwrite the last good checkpoint (save_freq=1 saves after every batch)."""
    model = FakeModel()
    path = tmp_path / "last.weights"
    checkpoint = ModelCheckpoint(str(path), save_weights_only=True, save_freq=1)
    replay([checkpoint], model, [{"loss": 1.0}], steps=1)
    assert path.read_text() == "weights 0.0"
    model.weights = [np.array([np.nan, 1.0])]
    checkpoint.set_model(model)
    with pytest.warns(RuntimeWarning, match="NaN or infinite"):
        checkpoint.on_train_batch_end(0, {"loss": float("nan")})
    assert path.read_text() == "weights 0.0"
