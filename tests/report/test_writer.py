import base64
import re

import numpy as np
import pytest

from convlens.report import write_report
from convlens.report.sections import model_inputs

SECTIONS = [
    "Model summary",
    "Training curves",
    "Test results",
    "Predictions",
    "Most confident mistakes",
    "First-layer filters",
    "Feature maps",
    "Grad-CAM",
]


def headings(page):
    return re.findall(r"<h2>(.*?)</h2>", page)


def test_full_report_has_every_section_with_embedded_images(full_report, test_samples):
    page = full_report.read_text()
    assert full_report.name == "report.html"
    assert headings(page) == SECTIONS
    assert 'class="note"' not in page
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    # curves, confusion, predictions, mistakes, filters, 2 conv layers' feature maps, grad-cam
    assert len(images) == 8
    assert all(base64.b64decode(img)[:4] == b"\x89PNG" for img in images)
    assert "://" not in page and "<script" not in page
    assert "conv2d_1 (None, 10, 10, 4) 40" in page and "test_accuracy" in page


def test_accuracy_line_matches_the_model(full_report, test_samples, make_cnn):
    x, y = test_samples
    expected = float(np.mean(make_cnn().predict(model_inputs(x)).argmax(1) == y))
    assert f"Accuracy on the 40 stored test samples: {expected:.2%}" in full_report.read_text()


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
