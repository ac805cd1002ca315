"""Safe, atomic saving; loading never unpickles."""
import pickle

import numpy as np
import pytest
import torch

from convlens.models import load_model
from convlens.saving import UnsafeFileError, atomic_write_bytes
from convlens.zoo import create_model


def test_save_and_load_model_round_trip(tmp_path):
    model = create_model("notes_mnist_cnn")
    model.compile("adam", "categorical_crossentropy", ["accuracy"])
    x = np.random.default_rng(0).random((16, 28, 28, 1), dtype=np.float32)
    y = np.eye(10, dtype="float32")[np.arange(16) % 10]
    model.fit(x, y, epochs=1, verbose=0)
    model.class_names = [str(i) for i in range(10)]
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert loaded.class_names == model.class_names
    assert type(loaded.optimizer).__name__ == "Adam"
    state = model.optimizer.torch_optimizer.state_dict()["state"]
    loaded_state = loaded.optimizer.torch_optimizer.state_dict()["state"]
    torch.testing.assert_close(loaded_state[0]["momentum"], state[0]["momentum"])
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_weights_with_keras_file_names(tmp_path):
    model, other = create_model("notes_mnist_cnn"), create_model("notes_mnist_cnn")
    path = tmp_path / "model.weights.best.hdf5"
    model.save_weights(path)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.save(tmp_path / "full.h5")
    other.load_weights(tmp_path / "full.h5")  # a full save also holds the weights
    with pytest.raises(FileExistsError):
        model.save_weights(path, overwrite=False)


class Boom:
    def __reduce__(self):
        return (print, ("pwned",))


@pytest.mark.parametrize("writer, message", [
    (lambda p: p.write_bytes(pickle.dumps({"w": Boom()})), "pickle"),
    (lambda p: torch.save({"w": torch.zeros(2)}, p), "pickle"),
    (lambda p: p.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 32), "HDF5"),
    (lambda p: p.write_bytes(b"not a model"), "not a convlens"),
])
def test_unsafe_or_foreign_files_are_refused(tmp_path, capsys, writer, message):
    path = tmp_path / "weights.bin"
    writer(path)
    with pytest.raises(UnsafeFileError, match=message):
        create_model("notes_mnist_cnn").load_weights(path)
    assert "pwned" not in capsys.readouterr().out


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "model.convlens"
    atomic_write_bytes(path, b"old")

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.convlens"]  # no temporary file left behind


def test_load_weights_into_wrong_architecture(tmp_path):
    create_model("notes_mnist_cnn").save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="do not match"):
        create_model("notes_mnist_mlp").load_weights(tmp_path / "w.h5")


def test_load_model_refuses_weights_only_file(tmp_path):
    create_model("notes_mnist_cnn").save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="weights only"):
        load_model(tmp_path / "w.h5")
