"""The fast recipe's parts: model, batches, schedule, settings, and a tiny end-to-end run (no timings)."""
import numpy as np
import pytest
import torch

from convlens.recipes import fast


def test_fast_cnn_blocks_and_output():
    model = fast.fast_cnn((28, 28, 1), 10, widths=(4, 8, 16))
    assert tuple(model(torch.zeros(2, 28, 28, 1)).shape) == (2, 10)
    names = [type(layer).__name__ for layer in model.layers]
    assert names[:4] == ["Conv2D", "MaxPooling2D", "BatchNormalization", "Activation"]
    assert names[-2:] == ["Flatten", "Dense"]


def test_batches_are_shuffled_flipped_and_repeatable():
    x = np.arange(8 * 2 * 3, dtype=np.uint8).reshape(8, 2, 3, 1)
    y = np.arange(8)
    first = fast.AugmentedBatches(x, y, 8, torch.Generator().manual_seed(1))
    again = fast.AugmentedBatches(x, y, 8, torch.Generator().manual_seed(1))
    xb, yb = first[0]
    xb2, yb2 = again[0]
    assert torch.equal(xb, xb2) and torch.equal(yb, yb2)
    assert sorted(yb.tolist()) == list(range(8))
    originals = torch.as_tensor(x[yb.numpy()]).float() / 255
    mirrored = [torch.allclose(xb[i], originals[i].flip(1)) for i in range(8)]
    kept = [torch.allclose(xb[i], originals[i]) for i in range(8)]
    assert all(m or k for m, k in zip(mirrored, kept)) and any(mirrored) and any(kept)


def test_no_flip_keeps_images():
    x = np.random.default_rng(0).integers(0, 255, (6, 4, 4, 1), dtype=np.uint8)
    xb, yb = fast.AugmentedBatches(x, np.arange(6), 6, torch.Generator(), flip=False)[0]
    assert torch.allclose(xb, torch.as_tensor(x[yb.numpy()]).float() / 255)


def test_one_cycle_rises_then_falls():
    schedule = fast.OneCycle(peak=1.0, total_steps=40, warmup=0.25)
    rates = [schedule.rate(step) for step in range(41)]
    assert rates[0] == pytest.approx(0.1) and max(rates) == pytest.approx(1.0) and rates[10] == pytest.approx(1.0)
    assert all(a <= b for a, b in zip(rates[:10], rates[1:11])) and all(a >= b for a, b in zip(rates[10:], rates[11:]))
    assert rates[-1] == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="peak"):
        fast.OneCycle(peak=0.0, total_steps=10)


def test_settings_never_flip_digits():
    assert all(not fast.settings_for(name)["flip"] for name in fast.DIGIT_DATASETS)
    assert fast.settings_for("fashion_mnist")["flip"]


def test_train_fast_learns_a_separable_task():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 256)
    x = np.zeros((256, 16, 16, 1), np.uint8)
    x[y == 1, :8] = 255  # class 1: bright top half, the same mirrored
    model = fast.train_fast(x, y, epochs=3, batch_size=32, widths=(4, 4, 4), peak_learning_rate=0.1)
    assert fast.evaluate_fast(model, x, y) > 0.9
    assert fast.predict_fast(model, x[:5]).shape == (5, 2)
    np.testing.assert_allclose(fast.predict_fast(model, x[:5]).sum(-1), 1, rtol=1e-5)


def test_train_fast_rejects_bad_settings():
    with pytest.raises(ValueError, match="epochs"):
        fast.train_fast(np.zeros((4, 8, 8, 1), np.uint8), np.zeros(4), epochs=0)
