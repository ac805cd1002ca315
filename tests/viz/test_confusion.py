import numpy as np
import pytest

from convlens.viz import confusion_matrix, plot_confusion_matrix


def test_counts_rows_true_columns_predicted():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    cm = confusion_matrix(y_true, y_pred)
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    np.testing.assert_array_equal(cm, expected)
    assert confusion_matrix([0], [0], num_classes=4).shape == (4, 4)


def test_plot_annotates_every_cell_with_its_count():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    fig = plot_confusion_matrix(y_true, y_pred, class_names=["a", "b", "c"])
    ax = fig.axes[0]
    assert len(ax.texts) == 9
    cm = confusion_matrix(y_true, y_pred)
    by_cell = {(round(t.get_position()[1]), round(t.get_position()[0])): int(t.get_text()) for t in ax.texts}
    assert by_cell == {(i, j): int(cm[i, j]) for i in range(3) for j in range(3)}
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "Predicted label" and ax.get_ylabel() == "True label"
    assert "66.7%" in ax.get_title()


def test_bad_labels_are_rejected():
    with pytest.raises(ValueError, match="num_classes=2"):
        confusion_matrix([0, 3], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="same length"):
        confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="2 names but there are 3"):
        plot_confusion_matrix([0, 2], [0, 1], class_names=["a", "b"], num_classes=3)
