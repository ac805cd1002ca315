import base64
import json
import re

import numpy as np
import pytest

from convlens.report import write_report
from convlens.report.sections import model_inputs

SECTIONS = [
    "Run settings",
    "Model summary",
    "Training curves",
    "Test results",
    "Predictions",
    "Most confident mistakes",
    "First-layer filters",
    "Feature maps",
    "What excites a filter",
    "Grad-CAM",
]


def headings(page):
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_full_report_has_every_section_with_embedded_images(full_report, test_samples):
    page = full_report.read_text()
    assert full_report.name == "report.html"
    assert headings(page) == SECTIONS
    assert re.findall(r'class="note">(.*?)</p>', page) == [
        "Not recorded for this run: dataset, batch size, seed, wall time (s), training speed (images/s) (read from "
        f"run.json: there is no run.json in the run folder &#x27;{full_report.parent.name}&#x27;)."]
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    # curves, confusion, predictions, mistakes, filters, 2 conv layers' feature maps, top patches, grad-cam
    assert len(images) == 9
    assert all(base64.b64decode(img)[:4] == b"\x89PNG" for img in images)
    assert "://" not in page and "<script" not in page
    assert "conv2d_1 (None, 10, 10, 4) 40" in page and "Test accuracy: 75.00%" in page
    assert 'alt="top patches of conv2d_2"' in page and "searched in the first 40 test samples; all 6 filters" in page


def test_one_test_accuracy_on_the_page(full_report):
    # Issue 13: metrics.json's accuracy (all test images) and the stored samples' accuracy were both shown.
    page = full_report.read_text()
    assert len(re.findall(r"accuracy[^<]*?\d+\.\d+%", page, flags=re.IGNORECASE)) == 1
    assert "The tables and pictures below use the 40 test images stored in the run folder." in page


def test_accuracy_of_the_stored_samples_when_there_is_no_metrics_file(tmp_path, test_samples, make_cnn):
    x, y = test_samples
    page = write_report(tmp_path, make_cnn(), x_test=x, y_test=y).read_text()
    expected = float(np.mean(make_cnn().predict(model_inputs(x)).argmax(1) == y))
    assert f"Accuracy on the 40 test images stored in the run folder: {expected:.2%}" in page


def test_per_class_precision_recall_and_most_confused(full_report, test_samples, make_cnn):
    from convlens.viz import precision_recall

    x, y = test_samples
    pred = make_cnn().predict(model_inputs(x)).argmax(1)
    precision, recall, support = precision_recall(y, pred, 3)
    page = full_report.read_text()
    assert "<th>precision</th><th>recall</th>" in page
    for i, name in enumerate(["circle", "square", "cross"]):
        p = "–" if np.isnan(precision[i]) else f"{precision[i]:.1%}"
        assert f"<tr><th>{name}</th><td>{p}</td><td>{recall[i]:.1%}</td><td>{support[i]:,}</td></tr>" in page


def test_every_section_opens_with_a_sentence_in_the_notes_words(full_report):
    page = full_report.read_text()
    bodies = re.findall(r"<h2>(.*?)</h2>(.*?)</section>", page, flags=re.S)
    assert len(bodies) == len(SECTIONS)
    for heading, body in bodies:
        assert body.startswith('<p class="intro">'), heading
    text = " ".join(body for _, body in bodies).lower()
    for word in ("feature map", "receptive field", "filter", "pooling"):
        assert word in text


def test_header_path_integers_and_what_convlens_train_records(tmp_path, test_samples, make_cnn):
    import json

    x, y = test_samples
    (tmp_path / "dataset.json").write_text(json.dumps({  # as `convlens train` writes it
        "dataset": "/home/someone/photos", "kind": "folder", "seed": 3, "image_size": [12, 12],
        "splits": {"train": 30, "validation": 5, "test": 1000}, "test_files": ["a.png"]}))
    page = write_report(tmp_path, make_cnn(), x_test=x, y_test=y, metrics={
        "test_loss": 0.5, "test_accuracy": 0.75, "test_samples": 1000.0, "test_split": "held-out test split"}
    ).read_text()
    header = re.search(r"<header>(.*?)</header>", page).group(1)
    assert str(tmp_path.parent) not in header and tmp_path.name in header
    assert str(tmp_path.parent) not in page and "/home/someone" not in page
    assert "1000.0000" not in page and "Test accuracy: 75.00% on 1,000 images of the held-out test split" in page
    assert "use the 40 test images stored in the run folder (of the 1,000 tested)" in page
    run = re.search(r'<section id="run">(.*?)</section>', page).group(1)
    assert "<th>dataset</th><td>photos</td>" in run
    assert "<th>seed</th><td>3</td>" in run and "<th>training images</th><td>30</td>" in run


def test_history_with_na_cells_is_drawn(tmp_path):
    # convlens's CSVLogger writes NA when there is no validation; the report said "No training history".
    (tmp_path / "history.csv").write_text("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.2,NA,NA\n"
                                          "1,0.7,0.8,NA,NA\n")
    page = write_report(tmp_path).read_text()
    curves = re.search(r'<section id="curves">(.*?)</section>', page).group(1)
    assert "No training history" not in curves and "data:image/png" in curves
    assert "no validation data, so no best epoch is marked" in curves


def test_restored_epoch_is_marked_on_the_curves(full_report):
    page = full_report.read_text()
    curves = re.search(r'<section id="curves">(.*?)</section>', page).group(1)
    assert "dashed green line: epoch 3, the lowest validation loss" in curves


def test_run_settings_from_run_json_and_the_model_file(tmp_path, make_cnn):
    import json

    model = make_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.save(tmp_path / "model.convlens")
    (tmp_path / "run.json").write_text(json.dumps({
        "dataset": "mnist_sample", "batch_size": 32, "seed": 7, "wall_time_s": 12.5, "images_per_s": 3600.0,
        "test_set": "MNIST sample test split", "epochs": 5}))
    page = write_report(tmp_path).read_text()
    run = re.search(r'<section id="run">(.*?)</section>', page).group(1)
    for row in ("<th>dataset</th><td>mnist_sample</td>", "<th>batch size</th><td>32</td>", "<th>seed</th><td>7</td>",
                "<th>wall time (s)</th><td>12.5</td>", "<th>training speed (images/s)</th><td>3,600</td>",
                "<th>learning rate</th><td>0.001</td>", "<th>epochs asked</th><td>5</td>"):
        assert row in run
    assert "<th>optimizer</th><td>Adam" in run
    assert 'class="note"' not in run


def test_figures_are_rendered_sharp_and_shown_at_screen_size(full_report):
    import io

    from PIL import Image

    page = full_report.read_text()
    shown = re.findall(r'<img alt="[^"]*" width="(\d+)" src="data:image/png;base64,([^"]+)"', page)
    assert len(shown) == 9
    for width, data in re.findall(r'<img alt="[^"]*" width="(\d+)" src="data:image/png;base64,([^"]+)"', page):
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            assert image.width >= 1.4 * int(width)  # rendered at 150 dpi, shown at 100 dpi


def test_empty_run_folder_gives_notes_not_a_crash(tmp_path):
    path = write_report(tmp_path, title="Empty run")
    page = path.read_text()
    assert headings(page) == SECTIONS
    assert "<title>Empty run</title>" in page
    assert page.count('class="note"') >= len(SECTIONS)
    assert "there is no history.csv" in page and "there is no model.convlens" in page


def test_a_failing_section_shows_its_error(tmp_path, test_samples):
    class Broken:
        layers = []

        def predict(self, x):
            raise RuntimeError("boom")

    x, y = test_samples
    page = write_report(tmp_path, Broken(), x_test=x, y_test=y).read_text()
    assert "Running the model on the test samples failed: RuntimeError: boom" in page
    assert "the model has no Conv2D layer" in page


def test_output_path_and_bad_run_dir(tmp_path):
    out = tmp_path / "elsewhere.html"
    assert write_report(tmp_path, output=out) == out and out.is_file()
    with pytest.raises(ValueError, match="is not a directory"):
        write_report(tmp_path / "nope")


def test_model_inputs_rescale_uint8_only():
    assert model_inputs(np.array([255], np.uint8)).tolist() == [1.0]
    assert model_inputs(np.array([3.5])).dtype == np.float32


def test_a_fine_tune_run_shows_its_phases_on_one_epoch_axis(tmp_path):
    """metrics.json of `convlens finetune` (phase histories, no history.csv): the curves section draws the phases
    and the results table leaves the histories out."""
    phases = {"frozen": {"loss": [1.2, 0.9], "val_loss": [1.3, 1.0], "accuracy": [0.5, 0.6],
                         "val_accuracy": [0.45, 0.55]},
              "fine_tuned": {"loss": [0.6], "val_loss": [0.7], "accuracy": [0.8], "val_accuracy": [0.75]},
              "scratch": {"loss": [2.0, 1.5, 1.2], "val_loss": [2.1, 1.7, 1.4], "accuracy": [0.2, 0.4, 0.5],
                          "val_accuracy": [0.2, 0.35, 0.45]}}
    (tmp_path / "metrics.json").write_text(json.dumps({"test_accuracy": 0.75, "test_loss": 0.7, "test_samples": 20,
                                                       "scratch_test_accuracy": 0.45, "history": phases}))
    page = write_report(tmp_path).read_text()
    curves = page[page.index('<section id="curves">'):page.index('<section id="results">')]
    assert "Transfer learning in phases" in curves and "No training history" not in curves
    assert 'alt="transfer learning phases"' in curves
    assert "frozen: 2 epochs · fine tuned: 1 epoch · scratch: 3 epochs" in curves
    results = page[page.index('<section id="results">'):]
    assert "scratch_test_accuracy" in results and "val_accuracy" not in results
