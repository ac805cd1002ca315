"""The RUN_DIR variant end to end with a model saved by convlens itself (what `convlens train` leaves)."""
import json
import re

import numpy as np


def test_report_from_a_saved_run_folder(tmp_path, make_cnn, test_samples):
    from convlens.report import write_report

    model = make_cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.save(tmp_path / "model.convlens")
    x, y = test_samples
    np.savez(tmp_path / "test_data.npz", x_test=x, y_test=y)
    (tmp_path / "history.csv").write_text("epoch,accuracy,loss,val_accuracy,val_loss\n0,0.5,1.0,0.4,1.1\n1,0.7,0.6,0.5,0.9\n")
    (tmp_path / "metrics.json").write_text(json.dumps({"test_loss": 0.9, "test_accuracy": 0.5, "test_samples": 40}))
    (tmp_path / "run.json").write_text(json.dumps({"dataset": "shapes", "batch_size": 8, "seed": 0,
                                                   "wall_time_s": 3.0, "images_per_s": 100.0}))

    page = write_report(tmp_path).read_text()
    assert 'class="note"' not in page, re.findall(r'class="note">(.*?)</p>', page)
    assert len(re.findall(r'src="data:image/png;base64,', page)) == 9
    assert "Test accuracy: 50.00% on 40 images of the test set (loss 0.9000)" in page
    assert "Receptive field" in page and "Total params: " in page  # the summary came from the loaded model
