"""Losses and metrics on outputs of any rank against real Keras 3 (torch backend), same arrays and weights:
autoencoder images, per-pixel segmentation, sequence outputs; loss objects and whole fit/evaluate runs."""
import os
import re

import numpy as np
import pytest
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

import convlens  # noqa: E402
from convlens import losses  # noqa: E402

rng = np.random.default_rng(0)
IMAGES = rng.uniform(size=(6, 5, 4, 2)).astype("float32")
RECON = rng.uniform(0.01, 0.99, size=(6, 5, 4, 2)).astype("float32")
LOGITS = rng.normal(size=(6, 5, 4, 3)).astype("float32")
PROBS = (np.exp(LOGITS) / np.exp(LOGITS).sum(-1, keepdims=True)).astype("float32")
MASKS = rng.integers(0, 3, (6, 5, 4))
ONE_HOT = np.eye(3, dtype="float32")[MASKS]
PIXEL_WEIGHTS = rng.uniform(size=(6, 5, 4)).astype("float32")


@pytest.mark.parametrize("name, kwargs, y_true, y_pred", [
    ("MeanSquaredError", {}, IMAGES, RECON),
    ("MeanAbsoluteError", {}, IMAGES, RECON),
    ("BinaryCrossentropy", {}, IMAGES, RECON),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, IMAGES, LOGITS[..., :2]),
    ("CategoricalCrossentropy", {}, ONE_HOT, PROBS),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, ONE_HOT, LOGITS),
    ("SparseCategoricalCrossentropy", {}, MASKS, PROBS),
    ("SparseCategoricalCrossentropy", {}, MASKS[..., None], PROBS),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, MASKS, LOGITS),
])
def test_rank_4_loss_objects_match_keras(name, kwargs, y_true, y_pred):
    ours, theirs = getattr(losses, name)(**kwargs), getattr(keras.losses, name)(**kwargs)
    assert float(ours(y_true, y_pred)) == pytest.approx(float(theirs(y_true, y_pred)), abs=1e-5)
    weighted = float(ours(y_true, y_pred, sample_weight=PIXEL_WEIGHTS))  # one weight per pixel
    assert weighted == pytest.approx(float(theirs(y_true, y_pred, sample_weight=PIXEL_WEIGHTS)), abs=1e-5)
    per_image = rng.uniform(size=6).astype("float32")  # one weight per image; Keras needs it as (N, 1, 1)
    assert float(ours(y_true, y_pred, sample_weight=per_image)) == pytest.approx(
        float(theirs(y_true, y_pred, sample_weight=per_image.reshape(6, 1, 1))), abs=1e-5)
    assert ours(y_true, y_pred).dtype == torch.float32
    assert ours(y_true, torch.as_tensor(y_pred, dtype=torch.bfloat16)).dtype == torch.float32


def test_loss_functions_reduce_the_last_axis_only():
    assert tuple(losses.binary_crossentropy(torch.tensor(IMAGES), torch.tensor(RECON)).shape) == (6, 5, 4)
    ours = losses.sparse_categorical_crossentropy(torch.tensor(MASKS), torch.tensor(PROBS)).numpy()
    np.testing.assert_allclose(ours, keras.losses.sparse_categorical_crossentropy(MASKS, PROBS).numpy(), atol=1e-5)


def test_a_sample_weight_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"sample_weight has shape \(5,\); expected \(6,\).*\(6, 5, 4\)"):
        losses.MeanSquaredError()(IMAGES, RECON, sample_weight=np.ones(5))


def twin_models(lib, layers_of):
    """The same architecture in Keras and convlens (``lib`` is either module)."""
    inputs = lib.Input(shape=IMAGES.shape[1:])
    x = inputs
    for layer in layers_of(lib):
        x = layer(x)
    return lib.Model(inputs, x)


def copy_weights(source, target):
    for theirs, ours in zip([l for l in source.layers if l.get_weights()], [l for l in target.layers
                                                                           if l.get_weights()]):
        ours.set_weights([np.asarray(w) for w in theirs.get_weights()])


def unnumbered(logs):
    """Keras numbers repeated metric instances ('mean_io_u_1', a global counter): drop the number."""
    return {re.sub(r"_\d+$", "", key): value for key, value in logs.items()}


def run_both(layers_of, loss, y, metrics_of=lambda lib: [], batch_size=3, keras_twin=None, **fit_kwargs):
    """fit and evaluate in both; ``keras_twin``: ``(loss, y, metrics_of)`` for Keras when its torch backend cannot
    run the same (its per-pixel sparse cross-entropy fails in backward: 'grad_input must be contiguous')."""
    keras.utils.set_random_seed(1)
    theirs = twin_models(keras, layers_of)
    ours = twin_models(convlens, layers_of)
    copy_weights(theirs, ours)
    results = []
    setups = [(theirs, keras, *(keras_twin or (loss, y, metrics_of))), (ours, convlens, loss, y, metrics_of)]
    for model, lib, loss, y, metrics_of in setups:
        model.compile(lib.optimizers.SGD(learning_rate=0.5), loss, metrics=metrics_of(lib))
        before = unnumbered(model.evaluate(IMAGES, y, verbose=0, return_dict=True))
        history = model.fit(IMAGES, y, batch_size=batch_size, epochs=2, shuffle=False, verbose=0, **fit_kwargs)
        results.append((before, unnumbered(history.history), [np.asarray(w) for w in model.get_weights()]))
    (k_before, k_history, k_weights), (c_before, c_history, c_weights) = results
    for key in k_before:
        assert c_before[key] == pytest.approx(k_before[key], abs=1e-5), key
    assert set(c_history) == set(k_history)
    for key in k_history:
        np.testing.assert_allclose(c_history[key], k_history[key], atol=1e-5, err_msg=key)
    for ours_w, theirs_w in zip(c_weights, k_weights):
        np.testing.assert_allclose(ours_w, theirs_w, atol=1e-5)
    return c_history


def autoencoder(lib):
    return [lib.layers.Conv2D(3, 3, padding="same", activation="relu"),
            lib.layers.Conv2D(2, 3, padding="same", activation="sigmoid")]


@pytest.mark.parametrize("loss", ["binary_crossentropy", "mse"])
def test_autoencoder_trains_like_keras(loss):
    run_both(autoencoder, loss, IMAGES, lambda lib: ["mae"])


@pytest.mark.parametrize("targets", [MASKS, MASKS[..., None]], ids=["(N,H,W)", "(N,H,W,1)"])
def test_per_pixel_segmentation_trains_like_keras(targets):
    def segmenter(lib):
        return [lib.layers.Conv2D(4, 3, padding="same", activation="relu"),
                lib.layers.Conv2D(3, 1, activation="softmax")]

    run_both(segmenter, "sparse_categorical_crossentropy", targets,
             lambda lib: ["accuracy", lib.metrics.MeanIoU(num_classes=3, sparse_y_pred=False)],
             keras_twin=("categorical_crossentropy", ONE_HOT,  # the same numbers: clip, log, pick the label's
                         lambda lib: ["accuracy", lib.metrics.MeanIoU(num_classes=3, sparse_y_true=False,
                                                                     sparse_y_pred=False)]))
    sparse_loss = keras.losses.SparseCategoricalCrossentropy()  # Keras evaluates the sparse loss itself fine
    ours = convlens.losses.SparseCategoricalCrossentropy()
    assert float(ours(targets, PROBS)) == pytest.approx(float(sparse_loss(targets, PROBS)), abs=1e-5)


def test_one_hot_segmentation_and_per_pixel_sample_weights_like_keras():
    def segmenter(lib):
        return [lib.layers.Conv2D(3, 3, padding="same", activation="softmax")]

    run_both(segmenter, "categorical_crossentropy", ONE_HOT,
             lambda lib: ["accuracy", lib.metrics.OneHotMeanIoU(num_classes=3)], sample_weight=PIXEL_WEIGHTS)


def test_sequence_outputs_train_like_keras():
    def per_step(lib):  # (N, 5, 4, 2) read as 6*5 sequences would need a reshape; use Dense on the last axis
        return [lib.layers.Reshape((20, 2)), lib.layers.Dense(3, activation="softmax")]

    run_both(per_step, "sparse_categorical_crossentropy", MASKS.reshape(6, 20), lambda lib: ["acc"],
             keras_twin=("categorical_crossentropy", ONE_HOT.reshape(6, 20, 3), lambda lib: ["acc"]))


def test_class_weights_weigh_each_pixel_by_its_label():
    model = twin_models(convlens, lambda lib: [lib.layers.Conv2D(3, 1, activation="softmax")])
    model.compile(convlens.optimizers.SGD(learning_rate=0.0), "sparse_categorical_crossentropy")
    plain = model.fit(IMAGES, MASKS, epochs=1, verbose=0).history["loss"][0]
    only_class_1 = model.fit(IMAGES, MASKS, epochs=1, verbose=0, class_weight={0: 0, 1: 1, 2: 0}).history["loss"]
    per_pixel = losses.SparseCategoricalCrossentropy()(MASKS, model.predict(IMAGES, verbose=0),
                                                       sample_weight=(MASKS == 1).astype("float32"))
    assert only_class_1[0] == pytest.approx(float(per_pixel), rel=1e-5) and only_class_1[0] < plain


@pytest.mark.parametrize("loss, out_shape, y, message", [
    ("mse", (3,), np.zeros((6, 1)), r"targets have width 1 .* output has width 3"),
    ("binary_crossentropy", (5, 4, 2), np.zeros((6, 40)), r"output has shape \(None, 5, 4, 2\).*targets have shape \(6, 40\).*\(N, 5, 4, …\)"),
    ("sparse_categorical_crossentropy", (5, 4, 3), np.zeros((6, 5, 3)),
     r"labels of shape \(N, 5, 4\) or \(N, 5, 4, 1\) .* got shape \(6, 5, 3\)"),
    ("categorical_crossentropy", (5, 4, 3), MASKS, r"one-hot targets of width 3, got labels of shape \(6, 5, 4\); .*to_categorical"),
])
@pytest.mark.filterwarnings("ignore:the model's outputs are:RuntimeWarning")  # untrained linear outputs
def test_targets_that_do_not_fit_the_output_get_a_clear_error(loss, out_shape, y, message):
    model = twin_models(convlens, lambda lib: [lib.layers.Flatten(), lib.layers.Dense(int(np.prod(out_shape))),
                                               lib.layers.Reshape(out_shape)] if len(out_shape) > 1 else
                        [lib.layers.Flatten(), lib.layers.Dense(out_shape[0])])
    model.compile("sgd", loss)
    with pytest.raises(ValueError, match=message):
        model.fit(IMAGES, y, verbose=0)
