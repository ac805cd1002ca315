"""`convlens train / evaluate / predict` end to end on a small generated dataset."""
import json

import numpy as np
import pytest
from PIL import Image

from convlens.cli.main import main


@pytest.fixture
def tiny_mnist(monkeypatch):
    """Replace the dataset loader with 300 generated 28×28 'digits' (a bright bar whose position is the class)."""
    rng = np.random.default_rng(0)

    def make(n):
        y = rng.integers(0, 3, n)
        x = (rng.random((n, 28, 28, 1)) * 40).astype("uint8")
        for i, label in enumerate(y):
            x[i, 4 + label * 8: 8 + label * 8, :, 0] = 255
        return x, y

    data = (make(240), make(60), ["top", "middle", "bottom"])
    monkeypatch.setattr("convlens.cli.train.load_arrays", lambda name: data)
    monkeypatch.setattr("convlens.cli.evaluate.load_arrays", lambda name: data)
    return data


def test_train_writes_run_folder_then_evaluate_and_predict(tmp_path, tiny_mnist, capsys):
    out = tmp_path / "run"
    code = main(["train", "--dataset", "mnist_sample", "--model", "notes_mnist_cnn", "--epochs", "3",
                 "--batch-size", "32", "--optimizer", "adam", "--out", str(out), "--verbose", "2"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Total params:" in printed and "Epoch 3/3" in printed and "Test accuracy:" in printed
    for name in ("model.convlens", "history.csv", "summary.txt", "metrics.json", "test_data.npz", "report.html"):
        assert (out / name).is_file(), name
    run = json.loads((out / "run.json").read_text())
    assert run["images_per_s"] > 0 and run["wall_time_s"] > 0
    report = (out / "report.html").read_text()
    assert "training speed (images/s)" in report and "Not recorded for this run" not in report
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_accuracy"] > 0.6
    assert (out / "history.csv").read_text().splitlines()[0].startswith("epoch,")
    assert "params: (5·5·1 + 1)·10 = 260" in (out / "summary.txt").read_text().replace("(5·5·1 + 1)·3", "")

    assert main(["evaluate", str(out), "--dataset", "mnist_sample"]) == 0
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert evaluated["test_accuracy"] == pytest.approx(metrics["test_accuracy"])

    image = np.zeros((28, 28), "uint8")
    image[20:24, :] = 255  # a bar at the bottom
    Image.fromarray(image).save(tmp_path / "bar.png")
    assert main(["predict", str(tmp_path / "bar.png"), "--model", str(out)]) == 0
    assert capsys.readouterr().out.split(": ")[1].startswith("bottom")


def test_train_rejects_unknown_model_and_dataset(tmp_path, tiny_mnist, capsys):
    assert main(["train", "--model", "nope", "--out", str(tmp_path), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'nope'" in err and "keras_mnist_cnn" in err


def test_unknown_dataset_is_named(tmp_path, capsys):
    assert main(["train", "--dataset", "imagenet", "--out", str(tmp_path)]) == 2
    assert "unknown dataset 'imagenet'" in capsys.readouterr().err


def test_train_model_from_python_file(tmp_path, tiny_mnist):
    model_file = tmp_path / "my_model.py"
    model_file.write_text(
        "from convlens import Sequential\n"
        "from convlens.layers import Flatten, Dense\n"
        "def build_model(input_shape, num_classes):\n"
        "    return Sequential([Flatten(input_shape=input_shape), Dense(num_classes, activation='softmax')])\n")
    assert main(["train", "--model", str(model_file), "--epochs", "1", "--out", str(tmp_path / "r"),
                 "--no-report", "--verbose", "0"]) == 0
    assert (tmp_path / "r" / "model.convlens").exists()


@pytest.mark.parametrize("native,expected", [(True, "Precision: mixed_bfloat16 (native on this CPU; --precision "
                                                     "float32 for exact float32)"),
                                             (False, "Precision: float32 (this CPU has no bfloat16 units)")])
def test_precision_auto_says_what_it_chose_on_one_line(tmp_path, tiny_mnist, capsys, monkeypatch, native, expected):
    monkeypatch.setattr("convlens.training.strategy.native_bfloat16", lambda *a, **k: native)  # injected flags
    code = main(["train", "--epochs", "1", "--batch-size", "64", "--precision", "auto", "--out", str(tmp_path / "r"),
                 "--verbose", "0", "--no-report"])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    assert expected in printed
    policy = "mixed_bfloat16" if native else "float32"
    assert f"Precision: {policy}" in printed  # the summary's own line


def test_the_default_is_float32_whatever_the_cpu(tmp_path, tiny_mnist, capsys, monkeypatch):
    monkeypatch.setattr("convlens.training.strategy.native_bfloat16", lambda *a, **k: True)
    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "r"), "--verbose", "0", "--no-report"]) == 0
    printed = capsys.readouterr().out
    assert "Precision: float32" in printed and "bfloat16" not in printed
