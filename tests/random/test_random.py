"""``convlens.random`` follows keras.random's seeding rules (an int: the same draw every call; a SeedGenerator: a
new, repeatable draw each call) and its shapes and dtypes; the numbers themselves come from torch's generator."""
import os

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

from convlens import random  # noqa: E402

DRAWS = [("normal", ((4, 3),), {}), ("uniform", ((5,),), {"minval": -2.0, "maxval": 3.0}),
         ("truncated_normal", ((2, 2),), {"stddev": 0.5}), ("randint", ((6,),), {"minval": 0, "maxval": 10}),
         ("dropout", (torch.ones(4, 8),), {"rate": 0.5}),
         ("shuffle", (np.arange(10),), {}), ("categorical", (np.zeros((2, 5), "float32"), 3), {})]


@pytest.mark.parametrize("name, args, kwargs", DRAWS, ids=[d[0] for d in DRAWS])
def test_seeding_shapes_and_dtypes_follow_keras(name, args, kwargs):
    ours, theirs = getattr(random, name), getattr(keras.random, name)
    a, b = ours(*args, seed=3, **kwargs), ours(*args, seed=3, **kwargs)
    k1, k2 = theirs(*args, seed=3, **kwargs), theirs(*args, seed=3, **kwargs)
    assert torch.equal(a, b) and torch.equal(k1, k2)  # an int seed: the same draw on every call, in both
    assert tuple(a.shape) == tuple(k1.shape) and a.dtype == k1.dtype
    ours_gen, their_gen = random.SeedGenerator(5), keras.random.SeedGenerator(5)
    first, second = ours(*args, seed=ours_gen, **kwargs), ours(*args, seed=ours_gen, **kwargs)
    assert not torch.equal(first, second) or name == "categorical"  # a generator moves on (categorical of
    assert not torch.equal(theirs(*args, seed=their_gen, **kwargs), theirs(*args, seed=their_gen, **kwargs)) \
        or name == "categorical"                                    # uniform logits may repeat by chance)
    replay = random.SeedGenerator(5)
    assert torch.equal(ours(*args, seed=replay, **kwargs), first)  # …repeatably


def test_draws_have_the_asked_distribution():
    x = random.normal((20000,), mean=2.0, stddev=3.0, seed=0)
    assert abs(float(x.mean()) - 2.0) < 0.1 and abs(float(x.std()) - 3.0) < 0.1
    u = random.uniform((20000,), minval=-1.0, maxval=1.0, seed=0)
    assert float(u.min()) >= -1.0 and float(u.max()) < 1.0 and abs(float(u.mean())) < 0.02
    t = random.truncated_normal((20000,), seed=0)
    assert float(t.abs().max()) <= 2.0
    r = random.randint((20000,), 3, 7, seed=0)
    assert set(r.unique().tolist()) == {3, 4, 5, 6}
    d = random.dropout(np.ones((100, 100), "float32"), rate=0.25, seed=0)
    assert np.allclose(np.unique(d.numpy()), [0.0, 4 / 3]) and abs(float((d == 0).float().mean()) - 0.25) < 0.02
    shared = random.dropout(np.ones((4, 6), "float32"), rate=0.5, noise_shape=(4, 1), seed=1)
    assert all(len(set(row.tolist())) == 1 for row in shared)
    assert sorted(random.shuffle(np.arange(10), seed=0).tolist()) == list(range(10))
    picks = random.categorical(np.log(np.array([[0.0001, 0.9999]], "float32")), 50, seed=0)
    assert (picks == 1).float().mean() > 0.9


def test_unseeded_draws_follow_torch_manual_seed():
    torch.manual_seed(11)
    a = random.normal((3,))
    torch.manual_seed(11)
    assert torch.equal(a, random.normal((3,)))


def test_bad_arguments_say_what_was_expected():
    with pytest.raises(ValueError, match="seed must be an int, a SeedGenerator or None, got 'x'"):
        random.normal((2,), seed="x")
    with pytest.raises(ValueError, match="uniform needs minval < maxval"):
        random.uniform((2,), minval=1.0, maxval=1.0)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        random.dropout(np.ones(3), rate=1.0)


def test_draws_go_where_new_arrays_go(monkeypatch):
    monkeypatch.setenv("CONVLENS_DEVICE", "meta")  # stands in for a GPU: the device a model would train on
    for draw in (random.normal((2,), seed=1), random.uniform((2,)), random.randint((2,), 0, 3),
                 random.truncated_normal((2,), seed=random.SeedGenerator(0))):
        assert draw.device.type == "meta"
    assert random.shuffle(torch.arange(4), seed=0).device.type == "cpu"  # an input's device wins

