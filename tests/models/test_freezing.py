"""Freezing as Keras defines it: frozen weights do not move, a frozen BatchNormalization runs in inference mode."""
import numpy as np
import torch

from convlens import Sequential
from convlens.layers import BatchNormalization, Conv2D, Dense, GlobalAveragePooling2D, Input
from convlens.models import Model


def base_model():
    return Sequential([Input(shape=(8, 8, 3)), Conv2D(4, 3, padding="same"), BatchNormalization(),
                       Conv2D(4, 3)], name="base")


def test_frozen_base_trains_the_head_only_and_keeps_bn_statistics():
    base = base_model()
    base.trainable = False
    model = Sequential([base, GlobalAveragePooling2D(), Dense(3, activation="softmax")])
    before = {k: v.clone() for k, v in base.state_dict().items()}
    head_before = model.layers[-1].kernel.detach().clone()
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.random((16, 8, 8, 3), dtype=np.float32) * 3, rng.integers(0, 3, 16), epochs=2, verbose=0)
    for key, value in base.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert not torch.equal(model.layers[-1].kernel, head_before)


def test_summary_counts_follow_trainable():
    base = base_model()
    model = Sequential([base, GlobalAveragePooling2D(), Dense(3)])
    total = model.count_params()
    base.trainable = False
    text = model.summary(return_string=True)
    head = 4 * 3 + 3
    assert f"Total params: {total:,}" in text
    assert f"Trainable params: {head:,}" in text
    assert f"Non-trainable params: {total - head:,}" in text
    assert all(not w.trainable for w in base.weights) and len(model.trainable_weights) == 2


def test_unfreezing_a_layer_inside_a_frozen_base():
    base = base_model()
    base.trainable = False
    base.layers[-1].trainable = True
    assert [w.path for w in base.trainable_weights] == ["conv2d_2/kernel", "conv2d_2/bias"]
    x = Input(shape=(8, 8, 3))
    assert Model(x, base(x)).count_params() == base.count_params()
