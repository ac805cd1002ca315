import numpy as np
import pytest

from convlens.viz import confusion_matrix, most_confused, plot_confusion_matrix, precision_recall


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


def test_normalize_true_pred_all():
    y_true, y_pred = [0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2]
    fig = plot_confusion_matrix(y_true, y_pred, normalize="true")
    by_cell = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in fig.axes[0].texts}
    assert by_cell[(0, 0)] == "0.67" and by_cell[(0, 1)] == "0.33" and by_cell[(2, 2)] == "1.00"
    assert "recall" in fig.axes[0].get_title()
    pred = plot_confusion_matrix(y_true, y_pred, normalize="pred").axes[0]
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in pred.texts}
    assert cells[(1, 1)] == "0.50" and cells[(0, 1)] == "0.50"
    every = plot_confusion_matrix(y_true, y_pred, normalize="all").axes[0]
    assert sum(float(t.get_text()) for t in every.texts) == pytest.approx(1.0, abs=0.02)
    with pytest.raises(ValueError, match="normalize must be one of"):
        plot_confusion_matrix(y_true, y_pred, normalize="rows")


def test_most_confused_as_fastai():
    y_true = [0, 0, 1, 1, 1, 2, 2]
    y_pred = [1, 1, 0, 1, 2, 0, 2]
    assert most_confused(y_true, y_pred, class_names=["a", "b", "c"]) == [
        ("a", "b", 2), ("b", "a", 1), ("b", "c", 1), ("c", "a", 1)]
    assert most_confused(y_true, y_pred, min_val=2) == [("0", "1", 2)]


def test_precision_and_recall_per_class():
    precision, recall, support = precision_recall([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], num_classes=3)
    np.testing.assert_allclose(precision, [0.5, 2 / 3, np.nan])
    np.testing.assert_allclose(recall, [0.5, 1.0, 0.0])
    assert support.tolist() == [2, 2, 1]
