"""A model as the last expression of a notebook cell: the summary as an HTML table with the same numbers."""
from convlens.layers import Conv2D, Dense, Flatten, MaxPooling2D
from convlens.models import Sequential
from convlens.zoo import create_model


def test_model_html_has_every_row_of_the_summary():
    model = create_model("notes_mnist_cnn")
    page = model._repr_html_()
    rows = model.summary_rows()
    assert page.count("<tr>") == 1 + len(rows)
    for row in rows:
        assert f"{row.name} ({row.type})" in page and f"{row.params:,}" in page
    assert "(5·5·1 + 1)·10 = 260" in page and "Total params: 38,390" in page and "14×14" in page


def test_unbuilt_model_falls_back_to_text():
    model = Sequential([Conv2D(2, 3), MaxPooling2D(), Flatten(), Dense(2)])
    assert model._repr_html_() is None
