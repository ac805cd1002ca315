import numpy as np
from PIL import Image

from convlens.explain import load_matrix
from convlens.explain.text import matrix_lines, number


def test_load_matrix_from_csv_text_and_image(tmp_path):
    csv = tmp_path / "m.csv"
    csv.write_text("1,2\n3,4\n")
    np.testing.assert_array_equal(load_matrix(str(csv)), [[1, 2], [3, 4]])
    png = tmp_path / "m.png"
    Image.fromarray(np.array([[0, 255], [255, 0]], dtype=np.uint8)).convert("RGB").save(png)
    np.testing.assert_array_equal(load_matrix(str(png)), [[0, 255], [255, 0]])
    np.testing.assert_array_equal(load_matrix("5 6"), [[5, 6]])


def test_number_formatting():
    assert number(4.0) == "4"
    assert number(0.1 * 8) == "0.8"
    assert number(np.nan) == "·"
    assert matrix_lines(np.zeros((1, 2, 2)))[0].strip() == "[..., 0]"
