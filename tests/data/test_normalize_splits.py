import numpy as np
import pytest
import torch

from convlens.data.normalize import channel_stats, standardize
from convlens.data.splits import split_arrays, stratified_split


def test_channel_stats_match_numpy_on_uint8_in_chunks():
    x = np.random.default_rng(0).integers(0, 256, (37, 5, 4, 3), dtype=np.uint8)
    mean, std = channel_stats(x, chunk=8)
    np.testing.assert_allclose(mean.numpy(), x.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(std.numpy(), x.std(axis=(0, 1, 2)), rtol=1e-5)
    z = standardize(torch.from_numpy(x).float(), mean, std, epsilon=0.0)
    np.testing.assert_allclose(z.numpy().std(axis=(0, 1, 2)), np.ones(3), rtol=1e-4)


@pytest.mark.parametrize("fractions", [(0.7, 0.15, 0.15), (0.8, 0.1, 0.1)])
def test_stratified_split_is_exact_disjoint_and_seeded(fractions):
    labels = np.repeat([0, 1, 2], [100, 60, 40])
    parts = stratified_split(labels, fractions, seed=5)
    assert sum(len(p) for p in parts) == len(labels)
    assert len(np.unique(np.concatenate(parts))) == len(labels)
    for part, f in zip(parts, fractions):
        counts = np.bincount(labels[part], minlength=3)
        np.testing.assert_allclose(counts, np.array([100, 60, 40]) * f, atol=1)
    again = stratified_split(labels, fractions, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again))
    other = stratified_split(labels, fractions, seed=6)
    assert not np.array_equal(parts[1], other[1])


def test_split_arrays_and_one_hot_labels():
    y = np.eye(2)[np.array([0, 1] * 10)]
    (xa, ya), (xb, yb) = split_arrays(np.arange(20), y, (0.5, 0.5), seed=0)
    assert len(xa) == len(xb) == 10 and ya.sum(axis=0).tolist() == [5, 5]


def test_bad_fractions_raise():
    with pytest.raises(ValueError, match=r"\(0.7, 0.2\)"):
        stratified_split([0, 1], (0.7, 0.2))
