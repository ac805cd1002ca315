"""`convlens train --dataset FOLDER`: the model is never lost, the test split is held out, the run folder records its
data, and evaluate / predict use that record."""
import json

import numpy as np
import pytest
from PIL import Image

from convlens.cli import train as train_cli
from convlens.cli.main import main

MODEL_PY = ("from convlens import Sequential\n"
            "from convlens.layers import Flatten, Dense\n"
            "def build_model(input_shape, num_classes):\n"
            "    return Sequential([Flatten(input_shape=input_shape), Dense(num_classes, activation='softmax')])\n")


@pytest.fixture
def folder(tmp_path):
    """Three classes of 10 grey 12×12 images: a bright band whose position is the class."""
    rng = np.random.default_rng(0)
    root = tmp_path / "shapes"
    for c, name in enumerate(("top", "middle", "bottom")):
        (root / name).mkdir(parents=True)
        for i in range(10):
            a = (rng.random((12, 12)) * 40).astype("uint8")
            a[c * 4:c * 4 + 3] = 255
            Image.fromarray(a).save(root / name / f"{i}.png")
    model = tmp_path / "tiny.py"
    model.write_text(MODEL_PY)
    return root, model


def _train(tmp_path, root, model, *extra):
    out = tmp_path / "run"
    code = main(["train", "--dataset", str(root), "--model", str(model), "--epochs", "3", "--batch-size", "8",
                 "--image-size", "12", "12", "--color-mode", "grayscale", "--optimizer", "adam", "--out", str(out),
                 "--no-report", "--verbose", "0", *extra])
    return code, out


def test_folder_training_saves_the_model_and_tests_on_a_held_out_split(tmp_path, folder, capsys):
    root, model = folder
    code, out = _train(tmp_path, root, model, "--validation-split", "0.2", "--test-split", "0.2")
    assert code == 0, capsys.readouterr().err
    assert (out / "model.convlens").is_file() and not (out / "best.weights.convlens").exists()
    record = json.loads((out / "dataset.json").read_text())
    assert record["dataset"] == str(root) and record["kind"] == "folder"
    assert record["splits"] == {"train": 18, "validation": 6, "test": 6}
    assert len(record["test_files"]) == 6 and {f.split("/")[0] for f in record["test_files"]} == {
        "top", "middle", "bottom"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["test_samples"] == 6 and metrics["test_set"] == "held-out test split"
    assert "6 images of the held-out test split" in capsys.readouterr().out
    run = json.loads((out / "run.json").read_text())
    assert (run["dataset"], run["train_samples"], run["test_samples"], run["epochs"]) == (str(root), 18, 6, 3)

    assert main(["evaluate", str(out)]) == 0  # no --dataset: the recorded folder, its held-out test files
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert evaluated["dataset"] == str(root) and evaluated["test_samples"] == 6
    assert evaluated["test_accuracy"] == pytest.approx(metrics["test_accuracy"])

    other = tmp_path / "other"
    (other / "bottom").mkdir(parents=True)
    for i in range(4):
        Image.open(root / "bottom" / f"{i}.png").save(other / "bottom" / f"{i}.png")
    assert main(["evaluate", str(out), "--dataset", str(other)]) == 0  # another folder: all of its images
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test_samples"] == 4


def test_without_a_test_split_the_report_says_it_is_the_validation_split(tmp_path, folder, capsys):
    root, model = folder
    code, out = _train(tmp_path, root, model, "--test-split", "0")
    assert code == 0
    assert "validation split" in json.loads((out / "metrics.json").read_text())["test_set"]
    assert "images of the validation split (it also chose the best epoch" in capsys.readouterr().out


def test_model_is_saved_before_evaluation_can_fail(tmp_path, folder, monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise ValueError("evaluation exploded")
    monkeypatch.setattr(train_cli, "_evaluate", broken)
    root, model = folder
    code, out = _train(tmp_path, root, model)
    assert code == 2 and "evaluation exploded" in capsys.readouterr().err
    assert (out / "model.convlens").is_file() and (out / "dataset.json").is_file()
    assert main(["predict", str(root / "top" / "0.png"), "--model", str(out)]) == 0


def test_evaluate_without_dataset_uses_the_recorded_array_dataset(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 255, (40, 28, 28, 1), dtype=np.uint8), rng.integers(0, 10, 40)
    asked = []

    def load(name):
        asked.append(name)
        return (x, y), (x[:10], y[:10]), [str(i) for i in range(10)]
    monkeypatch.setattr("convlens.cli.train.load_arrays", load)
    monkeypatch.setattr("convlens.cli.evaluate.load_arrays", load)
    out = tmp_path / "run"
    assert main(["train", "--dataset", "fashion_mnist", "--model", "notes_mnist_cnn", "--epochs", "1", "--out",
                 str(out), "--no-report", "--verbose", "0"]) == 0
    assert main(["evaluate", str(out)]) == 0
    assert asked == ["fashion_mnist", "fashion_mnist"]
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["dataset"] == "fashion_mnist"


def test_evaluate_of_a_bare_model_file_needs_a_dataset(tmp_path, folder, capsys):
    root, model = folder
    code, out = _train(tmp_path, root, model)
    bare = tmp_path / "elsewhere.convlens"
    bare.write_bytes((out / "model.convlens").read_bytes())
    assert main(["evaluate", str(bare)]) == 2
    assert "give --dataset" in capsys.readouterr().err
    assert main(["evaluate", str(bare), "--dataset", str(root)]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["test_samples"] == 30
