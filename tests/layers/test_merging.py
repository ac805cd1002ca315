"""Merge layers through the harness and against plain torch arithmetic."""
import pytest
import torch

from convlens import layers as L
from convlens.arithmetic import ShapeError

from .harness import run_layer_test

SHAPES = [(2, 4, 4, 3), (2, 4, 4, 3), (2, 4, 4, 3)]


@pytest.mark.parametrize("cls, n, fn", [
    (L.Add, 3, lambda a, b, c: a + b + c),
    (L.Subtract, 2, lambda a, b: a - b),
    (L.Multiply, 3, lambda a, b, c: a * b * c),
    (L.Average, 3, lambda a, b, c: (a + b + c) / 3),
    (L.Maximum, 3, lambda a, b, c: torch.maximum(torch.maximum(a, b), c)),
    (L.Minimum, 2, lambda a, b: torch.minimum(a, b)),
])
def test_elementwise_merges(cls, n, fn):
    y = run_layer_test(cls(), SHAPES[:n])
    assert y.shape == (2, 4, 4, 3)
    xs = [torch.randn(2, 4, 4, 3) for _ in range(n)]
    torch.testing.assert_close(cls()(xs), fn(*xs))


def test_broadcasting_follows_keras():
    x, gate = torch.randn(2, 5, 5, 3), torch.randn(2, 1, 1, 3)
    torch.testing.assert_close(L.Multiply()([x, gate]), x * gate)
    vector = torch.randn(2, 3)  # lower rank: ones inserted after the batch axis
    torch.testing.assert_close(L.Add()([x, vector]), x + vector[:, None, None, :])
    assert L.Add().compute_output_shape([(None, 5, 5, 3), (None, 3)]) == (None, 5, 5, 3)
    run_layer_test(L.Multiply(), [(2, 5, 5, 3), (2, 1, 1, 3)])


def test_concatenate():
    y = run_layer_test(L.Concatenate(), [(2, 4, 4, 3), (2, 4, 4, 5)])
    assert y.shape == (2, 4, 4, 8)
    a, b = torch.randn(2, 4, 3, 1), torch.randn(2, 4, 5, 1)
    torch.testing.assert_close(L.Concatenate(axis=2)([a, b]), torch.cat([a, b], 2))
    run_layer_test(L.Concatenate(axis=1), [(2, 3, 4, 2), (2, 1, 4, 2)])
    assert L.Concatenate(axis=1).get_config()["axis"] == 1


@pytest.mark.parametrize("make, shapes, words", [
    (L.Add, [(None, 4, 4, 3), (None, 4, 4, 8)], ["'add'", "(None, 4, 4, 3)", "(None, 4, 4, 8)"]),
    (L.Subtract, [(None, 3)] * 3, ["exactly 2", "got 3"]),
    (L.Add, (None, 3), ["list of tensors"]),
    (L.Concatenate, [(None, 8, 8, 3), (None, 4, 4, 3)], ["'concatenate'", "(None, 8, 8, 3)", "(None, 4, 4, 3)"]),
])
def test_shape_errors_name_layer_and_shapes(make, shapes, words):
    with pytest.raises(ShapeError) as err:
        make().compute_output_shape(shapes)
    for word in words:
        assert word in str(err.value)


def test_calling_with_one_tensor_is_a_clear_error():
    with pytest.raises(ShapeError, match="list of tensors"):
        L.Add()(torch.randn(2, 3))
