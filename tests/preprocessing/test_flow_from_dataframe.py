"""ImageDataGenerator.flow_from_dataframe with a pandas DataFrame (the optional ``dataframe`` extra)."""
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from convlens.preprocessing.image import ImageDataGenerator, save_img


@pytest.fixture()
def table(tmp_path):
    rows = []
    for i in range(10):
        value = 20 * i
        Image.fromarray(np.full((6, 7, 3), value, np.uint8)).save(tmp_path / f"img{i}.png")
        rows.append({"filename": f"img{i}.png", "class": "bright" if i >= 5 else "dark", "value": float(i),
                     "weight": 1.0 + i})
    rows.append({"filename": "missing.png", "class": "dark", "value": -1.0, "weight": 0.0})
    return tmp_path, pd.DataFrame(rows)


def test_classes_weights_and_order(table, capsys):
    root, frame = table
    with pytest.warns(UserWarning, match=r"Found 1 invalid image filename\(s\) in x_col='filename'"):
        it = ImageDataGenerator(rescale=1 / 255).flow_from_dataframe(
            frame, str(root), weight_col="weight", target_size=(4, 4), batch_size=4, shuffle=False)
    assert "Found 10 validated image filenames belonging to 2 classes." in capsys.readouterr().out
    x, y, w = it[0]
    assert it.class_indices == {"bright": 0, "dark": 1} and x.shape == (4, 4, 4, 3)
    np.testing.assert_allclose(x[:, 0, 0, 0], np.arange(4) * 20 / 255, atol=1e-6)
    assert y.tolist() == [[0.0, 1.0]] * 4 and w.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert it.filenames[:2] == ["img0.png", "img1.png"] and len(it) == 3


@pytest.mark.parametrize("class_mode, expected", [("binary", [1.0, 1.0, 1.0]), ("sparse", [1.0, 1.0, 1.0]),
                                                  ("raw", [0.0, 1.0, 2.0])])
def test_class_modes(table, class_mode, expected):
    root, frame = table
    frame = frame[frame.filename != "missing.png"]
    y_col = "value" if class_mode == "raw" else "class"
    it = ImageDataGenerator().flow_from_dataframe(frame, str(root), y_col=y_col, class_mode=class_mode,
                                                  target_size=(4, 4), batch_size=3, shuffle=False)
    assert it[0][1].tolist() == expected


def test_subset_input_mode_absolute_paths_and_errors(table, tmp_path):
    root, frame = table
    frame = frame[frame.filename != "missing.png"].assign(filename=lambda f: [str(root / n) for n in f.filename])
    generator = ImageDataGenerator(validation_split=0.3)
    validation = generator.flow_from_dataframe(frame, subset="validation", class_mode="input", target_size=(4, 4),
                                               shuffle=False)
    assert validation.samples == 3 and np.array_equal(*validation[0])
    assert generator.flow_from_dataframe(frame, subset="training", target_size=(4, 4)).samples == 7
    with pytest.raises(ValueError, match="the dataframe has no column 'path'"):
        generator.flow_from_dataframe(frame, x_col="path")
    with pytest.raises(ValueError, match=r"labels \['dark'\] are not in classes=\['bright'\]"):
        generator.flow_from_dataframe(frame, classes=["bright"])
    with pytest.raises(ValueError, match="Invalid class_mode: 'multi_output'"):
        generator.flow_from_dataframe(frame, class_mode="multi_output")
    save_img(tmp_path / "out" / "saved.png", np.zeros((3, 3, 3)))
    assert (tmp_path / "out" / "saved.png").is_file()
