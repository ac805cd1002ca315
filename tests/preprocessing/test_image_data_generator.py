import numpy as np
import pytest
import torch

from convlens.preprocessing.image import ImageDataGenerator
from convlens.preprocessing.numpy_array_iterator import NumpyArrayIterator


def _data(n=24, h=8, w=8, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, c), dtype=np.uint8)


def test_no_augmentation_is_exact_identity_then_rescale():
    x = _data()
    xb = ImageDataGenerator(rescale=1 / 255).flow(x, batch_size=24, shuffle=False)[0]
    np.testing.assert_allclose(xb, x.astype(np.float32) * np.float32(1 / 255), rtol=1e-6)


def test_fit_uses_training_split_only_and_standardizes():
    x = _data(40)
    x[:10] = 255  # validation part (the first 10 with validation_split=0.25) is very different
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, validation_split=0.25)
    gen.fit(x)
    train = x[10:].astype(np.float64)
    np.testing.assert_allclose(gen.mean.ravel(), train.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), train.std(axis=(0, 1, 2)), rtol=1e-5)
    assert gen.mean.shape == (1, 1, 3)
    xb = gen.flow(x, batch_size=64, shuffle=False, subset="training")[0]
    np.testing.assert_allclose(xb.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(xb.std(axis=(0, 1, 2)), 1, atol=1e-3)


def test_fit_on_a_subset_gives_that_subsets_statistics():
    x = _data(30)
    gen = ImageDataGenerator(featurewise_center=True, featurewise_std_normalization=True, rescale=1 / 255)
    gen.fit(x[:20])
    np.testing.assert_allclose(gen.mean.ravel(), (x[:20] / 255).mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), (x[:20] / 255).std(axis=(0, 1, 2)), rtol=1e-5)
    single = gen.standardize(x[25].astype(np.float32))
    expected = (x[25] / 255 - gen.mean) / (gen.std + 1e-6)
    np.testing.assert_allclose(single, expected, rtol=1e-4, atol=1e-5)


def test_order_rescale_then_samplewise_then_featurewise():
    gen = ImageDataGenerator(rescale=0.5, samplewise_center=True, featurewise_center=True)
    gen.mean = np.full((1, 1, 1), 10.0, dtype=np.float32)
    img = np.array([[[2.0], [6.0]]], dtype=np.float32)
    assert gen.standardize(img).ravel().tolist() == [-11.0, -9.0]


def test_preprocessing_function_runs_before_rescale():
    gen = ImageDataGenerator(rescale=2.0, preprocessing_function=lambda im: im + 1)
    assert gen.standardize(np.zeros((1, 1, 1), np.float32)).item() == 2.0


def test_flow_shapes_lengths_labels_and_reshuffle():
    x, y = _data(10), np.arange(10)
    it = ImageDataGenerator(horizontal_flip=True, rotation_range=20).flow(x, y, batch_size=4, seed=3)
    assert len(it) == 3
    xb, yb = it[2]
    assert xb.shape == (2, 8, 8, 3) and xb.dtype == np.float32 and yb.dtype == np.float32
    first = np.concatenate([it[i][1] for i in range(3)])
    assert sorted(first.tolist()) == list(range(10))
    again = ImageDataGenerator(horizontal_flip=True, rotation_range=20).flow(x, y, batch_size=4, seed=3)
    np.testing.assert_array_equal(again[1][0], it[1][0])
    it.on_epoch_end()
    second = np.concatenate([it[i][1] for i in range(3)])
    assert not np.array_equal(first, second)


def test_flow_iterates_forever_and_supports_x_only_and_weights():
    it = ImageDataGenerator().flow(_data(5), batch_size=2, shuffle=False)
    batches = [next(it) for _ in range(4)]
    assert [b.shape[0] for b in batches] == [2, 2, 1, 2]
    xb, yb, wb = ImageDataGenerator().flow(_data(5), np.ones(5), sample_weight=np.arange(5), batch_size=5,
                                           shuffle=False)[0]
    assert wb.tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(IndexError, match="3 batches"):
        it[3]


def test_flow_validation_subset_is_the_first_part():
    x, y = _data(10), np.array([0, 1] * 5)
    gen = ImageDataGenerator(validation_split=0.2)
    val = gen.flow(x, y, shuffle=False, subset="validation")
    train = gen.flow(x, y, shuffle=False, subset="training")
    assert val.n == 2 and train.n == 8
    np.testing.assert_array_equal(val[0][0], x[:2].astype(np.float32))
    with pytest.raises(ValueError, match="different number of classes"):
        gen.flow(x, np.array([0, 0] + [1] * 8), subset="training")


def test_random_transform_and_apply_transform_single_image():
    gen = ImageDataGenerator(rotation_range=30, width_shift_range=2, zoom_range=[0.9, 1.1],
                             brightness_range=(0.5, 1.5), channel_shift_range=5.0, vertical_flip=True)
    params = gen.get_random_transform((8, 8, 3), seed=1)
    assert -30 <= params["theta"] <= 30 and params["ty"] in (-1.0, 0.0, 1.0)
    assert 0.5 <= params["brightness"] <= 1.5
    img = _data(1)[0].astype(np.float32)
    out = gen.random_transform(img, seed=1)
    np.testing.assert_allclose(out, gen.apply_transform(img, params), atol=1e-4)
    flipped = ImageDataGenerator().apply_transform(img, {"flip_vertical": True})
    np.testing.assert_array_equal(flipped, img[::-1])


def test_batched_transform_matches_single_image_apply_transform():
    gen = ImageDataGenerator(rotation_range=25, width_shift_range=0.2, height_shift_range=0.1, shear_range=10,
                             zoom_range=0.2, horizontal_flip=True, fill_mode="reflect")
    x = torch.from_numpy(_data(6).astype(np.float32))
    g = torch.Generator().manual_seed(9)
    params = gen._params(6, 8, 8, g)
    batch = gen._apply(x, params).numpy()
    for i in range(6):
        single = {k: None if v is None else v[i].item() for k, v in params.items()}
        np.testing.assert_allclose(batch[i], gen.apply_transform(x[i].numpy(), single), atol=1e-3)


@pytest.mark.parametrize("kwargs,match", [
    ({"zoom_range": "big"}, "zoom_range"), ({"fill_mode": "mirror"}, "mirror"),
    ({"brightness_range": 0.5}, "brightness_range"), ({"validation_split": 1.5}, "1.5"),
    ({"data_format": "channels_first"}, "channels_first"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageDataGenerator(**kwargs)


def test_std_normalization_turns_on_centering_with_a_warning():
    with pytest.warns(UserWarning, match="featurewise_center"):
        gen = ImageDataGenerator(featurewise_std_normalization=True)
    assert gen.featurewise_center
    with pytest.warns(UserWarning, match="hasn't been fit"):
        gen.standardize(np.zeros((2, 2, 1), np.float32))


def test_iterators_need_only_the_public_validation_split_and_transform_batch():
    """The iterators take any BatchAugmenter: they read ``validation_split`` and call ``transform_batch``."""
    class Doubler:
        validation_split = 0.25

        def transform_batch(self, images, generator):
            return images.float() * 2

    assert ImageDataGenerator(validation_split=0.25).validation_split == 0.25
    it = NumpyArrayIterator(np.ones((8, 2, 2, 1), np.uint8), np.arange(8), Doubler(), batch_size=8,
                            subset="validation", ignore_class_split=True)
    x, y = it[0]
    assert y.tolist() == [0, 1] and float(x.max()) == 2.0
