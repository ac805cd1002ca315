"""Transfer learning end to end: Keras's workflow in Python, `convlens pretrain` and `convlens finetune`."""
import json
import warnings

import numpy as np
import pytest
from PIL import Image

from convlens import applications, optimizers
from convlens.cli.main import main
from convlens.layers import Dense, Flatten, Input
from convlens.models import Model, load_model
from convlens.zoo import WeightsNote, save_base
from convlens.zoo.transfer import unfreeze_top, with_new_head


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CONVLENS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def blobs(n, size=32, channels=1, classes=3, seed=0):
    """Images whose class is where a bright square sits: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.random((n, size, size, channels), dtype=np.float32) * 0.2
    for i, label in enumerate(y):
        x[i, 4 + 8 * label:12 + 8 * label, 8:20] += 0.8
    return x, y


def test_keras_transfer_workflow_as_written(home):
    x, y = blobs(48)
    source = applications.LeNet5(input_shape=(32, 32, 1), classes=10)
    save_base(source, "lenet5", "demo", {"dataset": "demo"})
    with pytest.warns(WeightsNote):
        base = applications.LeNet5(include_top=False, weights="demo", input_shape=(32, 32, 1))
    base.trainable = False
    inputs = Input(shape=(32, 32, 1))
    features = base(inputs, training=False)
    outputs = Dense(3, activation="softmax")(Flatten()(features))
    model = Model(inputs, outputs)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == 120 * 3 + 3
    c1 = base.get_layer("c1").get_weights()[0].copy()
    np.testing.assert_array_equal(c1, source.get_layer("c1").get_weights()[0])

    model.compile(optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    first = model.fit(x, y, epochs=2, batch_size=16, verbose=0).history
    np.testing.assert_array_equal(base.get_layer("c1").get_weights()[0], c1)  # frozen: untouched
    assert first["loss"][-1] < first["loss"][0]

    c5 = base.get_layer("c5").get_weights()[0].copy()
    assert unfreeze_top(base, 1) == ["c5"]
    model.compile(optimizers.Adam(1e-4), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    np.testing.assert_array_equal(base.get_layer("c1").get_weights()[0], c1)
    assert not np.array_equal(base.get_layer("c5").get_weights()[0], c5)


def test_with_new_head_freezes_and_round_trips(tmp_path):
    base = applications.LeNet5(include_top=False, input_shape=(32, 32, 3))
    model = with_new_head(base, classes=4, pooling="avg", dropout=0.2)
    assert not base.trainable and model.layers[-1].output_shape == (None, 4)
    x = np.random.default_rng(0).random((2, 32, 32, 3), dtype=np.float32)
    model.save(tmp_path / "t.convlens")
    np.testing.assert_allclose(load_model(tmp_path / "t.convlens").predict(x, verbose=0),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_pretrain_then_finetune_from_the_shell(home, tmp_path, capsys):
    assert main(["pretrain", "lenet5", "--dataset", "mnist_sample", "--pad", "2", "--epochs", "1", "--limit", "200",
                 "--verbose", "0", "--name", "digits"]) == 0
    card = json.loads((home / "bases" / "lenet5" / "digits.json").read_text())
    assert card["dataset"] == "mnist_sample" and card["epochs"] == 1 and card["seed"] == 0
    assert card["train_samples"] == 200 and card["input_shape"] == [32, 32, 1]
    assert 0.1 < card["test_accuracy"] <= 1 and len(card["sha256"]) == 64

    folder = tmp_path / "images"
    rgb, labels = blobs(36, size=32, channels=3, seed=2)
    for i, (image, label) in enumerate(zip(rgb, labels)):
        (folder / f"class{label}").mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.uint8(np.clip(image, 0, 1) * 255)).save(folder / f"class{label}" / f"{i}.png")
    capsys.readouterr()
    assert main(["finetune", "lenet5", "--weights", "digits", "--dataset", str(folder), "--image-size", "32", "32",
                 "--epochs", "1", "--fine-tune-epochs", "1", "--unfreeze", "1", "--verbose", "0", "--compare-scratch",
                 "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert "note: first convolution 'c1': the file has 1 input channels, the model 3" in out
    assert "Fine-tuning c5" in out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert set(metrics["history"]) == {"frozen", "fine_tuned", "scratch"}
    assert [len(metrics["history"][p]["val_accuracy"]) for p in ("frozen", "fine_tuned", "scratch")] == [1, 1, 2]
    assert 0 <= metrics["scratch_test_accuracy"] <= 1
    page = (tmp_path / "run" / "report.html").read_text()
    assert 'alt="transfer learning phases"' in page and "scratch: 2 epochs" in page
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    assert run["images_per_s"] > 0 and run["wall_time_s"] > 0 and "training speed (images/s)</th>" in page
    assert load_model(tmp_path / "run" / "model.convlens").layers[-1].output_shape == (None, 3)


def test_finetune_with_an_unknown_base_is_one_line(home, tmp_path, capsys):
    folder = tmp_path / "images"
    for c in range(3):
        (folder / f"c{c}").mkdir(parents=True)
        for i in range(5):
            Image.fromarray(np.full((8, 8, 3), 40 * c, np.uint8)).save(folder / f"c{c}" / f"{i}.png")
    assert main(["finetune", "lenet5", "--weights", "nope", "--dataset", str(folder), "--image-size", "32", "32",
                 "--out", str(tmp_path / "run")]) == 2
    assert "no base 'nope' for lenet5" in capsys.readouterr().err
