"""Inputs that cannot be tensors, a Dense head left on a 4-D tensor, and class_weight naming a missing class: one
convlens ValueError naming the argument and the fix (issue 23)."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402  (the test extra installs it)

from convlens import Sequential  # noqa: E402
from convlens.layers import Conv1D, Conv2D, Dense, Flatten, GlobalAveragePooling2D, Input  # noqa: E402
from convlens.training.checks import class_weight_table  # noqa: E402
from convlens.utils import Sequence, set_random_seed  # noqa: E402

X = np.random.default_rng(0).random((6, 4)).astype("float32")
Y = np.array([0, 1, 2, 0, 1, 2])


def classifier(loss="sparse_categorical_crossentropy", width=3, activation="softmax"):
    m = Sequential([Dense(width, activation=activation, input_shape=(4,))])
    m.compile("adam", loss)
    return m


NAMES = np.array(["cat", "dog", "cow", "cat", "dog", "cow"])


@pytest.mark.parametrize("call", [
    lambda m: m.fit(X, NAMES, verbose=0),
    lambda m: m.evaluate(X, NAMES, verbose=0),
    lambda m: m.train_on_batch(X, NAMES),
    lambda m: m.test_on_batch(X, NAMES),
    lambda m: m.fit(X, NAMES.astype("S3"), verbose=0),
    lambda m: m.fit(X, NAMES.astype(object), verbose=0),
    lambda m: m.fit(X, list(NAMES), verbose=0),
    lambda m: m.fit(X, Y, validation_data=(X, NAMES), verbose=0),
])
def test_text_labels_name_y_its_dtype_and_the_fix(call):
    with pytest.raises(ValueError, match=r"^y holds text \(dtype \S+\), which cannot be a tensor; map the class "
                                         r"names to integers.*np\.unique\(y, return_inverse=True\)$"):
        call(classifier())


def test_the_suggested_fix_works():
    names, y = np.unique(NAMES, return_inverse=True)
    history = classifier().fit(X, y, verbose=0)
    assert list(names) == ["cat", "cow", "dog"] and np.isfinite(history.history["loss"][0])


@pytest.mark.parametrize("call", [
    lambda m: m.predict(np.array([["a"] * 4] * 6)),
    lambda m: m.predict_on_batch(np.array([["a"] * 4] * 6)),
    lambda m: m.fit(np.array(["img1.png", "img2.png"]), np.array([0, 1]), verbose=0),
])
def test_text_images_name_x_and_say_decode_first(call):
    with pytest.raises(ValueError, match=r"^x holds text \(dtype <U\d+\).*decode image files first"):
        call(classifier())


def test_text_labels_from_a_sequence_name_the_batch():
    class Batches(Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return X[:3], NAMES[:3]

    with pytest.raises(ValueError, match=r"^y batch holds text \(dtype <U3\).*map the class names to integers"):
        classifier().fit(Batches(), verbose=0)


def test_dates_and_mixed_objects_are_named():
    with pytest.raises(ValueError, match=r"y holds values \(dtype datetime64\[D\]\).*convert it to numbers"):
        classifier().fit(X, np.array(["2020-01-01"] * 6, dtype="datetime64[D]"), verbose=0)
    with pytest.raises(ValueError, match=r"y must be a numeric array.*dtype object"):
        classifier().fit(X, np.array(["a", 1, 2, 3, 4, 5], dtype=object), verbose=0)


# --- a Dense head on a 4-D tensor --------------------------------------------------------------------------------
def dense_on_maps(loss):
    m = Sequential([Input((8, 8, 1)), Conv2D(4, 3, padding="same"), Dense(3, activation="softmax")])
    m.compile("adam", loss)
    return m


IMAGES = np.random.default_rng(1).random((4, 8, 8, 1)).astype("float32")


@pytest.mark.parametrize("loss, y", [
    ("sparse_categorical_crossentropy", np.array([0, 1, 2, 0])),
    ("sparse_categorical_crossentropy", np.array([[0], [1], [2], [0]])),
    ("categorical_crossentropy", np.eye(3)[[0, 1, 2, 0]]),
    ("mse", np.random.default_rng(2).random((4, 3))),
])
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_dense_head_without_flatten_names_the_output_shape_and_the_fix(loss, y, method):
    m = dense_on_maps(loss)
    call = {"fit": lambda: m.fit(IMAGES, y, verbose=0), "evaluate": lambda: m.evaluate(IMAGES, y, verbose=0),
            "train_on_batch": lambda: m.train_on_batch(IMAGES, y)}[method]
    with pytest.raises(ValueError, match=rf"^{method}: the model's output has shape \(None, 8, 8, 3\).*targets have "
                                         rf"shape \(4,?.*Flatten\(\) or GlobalAveragePooling2D\(\)"):
        call()


def test_a_sequence_head_suggests_1d_pooling():
    m = Sequential([Input((8, 2)), Conv1D(4, 3, padding="same"), Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"\(None, 8, 3\).*GlobalAveragePooling1D\(\)"):
        m.fit(np.zeros((4, 8, 2), "float32"), np.array([0, 1, 2, 0]), verbose=0)


@pytest.mark.parametrize("head", [Flatten, GlobalAveragePooling2D])
def test_the_suggested_heads_train(head):
    m = Sequential([Input((8, 8, 1)), Conv2D(4, 3, padding="same"), head(), Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    assert np.isfinite(m.fit(IMAGES, np.array([0, 1, 2, 0]), verbose=0).history["loss"][0])


def test_keras_also_refuses_the_dense_head_on_maps():
    """Keras applies Dense to the last axis and then refuses the (N,) targets too."""
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, padding="same"),
                          keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy")
    assert m.output_shape == (None, 8, 8, 3)
    with pytest.raises(Exception):
        m.fit(IMAGES, np.array([0, 1, 2, 0]), verbose=0)


# --- class_weight --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("weights, named", [({0: 1, 1: 1, 7: 5}, "7"), ({-1: 5}, "-1"), ({"cat": 2}, "'cat'"),
                                            ({1.5: 2}, "1.5"), ({True: 2}, "True")])
def test_class_weight_naming_a_missing_class_is_refused(weights, named):
    with pytest.raises(ValueError, match=rf"class_weight names class {named}, but the model has 3 classes \(0…2\)"):
        classifier().fit(X, Y, class_weight=weights, verbose=0)
    with pytest.raises(ValueError, match=rf"class_weight names class {named}"):
        classifier().train_on_batch(X, Y, class_weight=weights)


@pytest.mark.parametrize("weight", [-1.0, float("nan"), float("inf"), "high"])
def test_class_weight_values_must_be_finite_and_not_negative(weight):
    with pytest.raises(ValueError, match=r"class_weight\[1\] must be a finite number >= 0"):
        classifier().fit(X, Y, class_weight={1: weight}, verbose=0)


def test_binary_outputs_have_two_classes():
    m = classifier("binary_crossentropy", 1, "sigmoid")
    m.fit(X, Y % 2, class_weight={0: 1.0, 1: 3.0}, verbose=0)
    with pytest.raises(ValueError, match=r"class 2, but the model has 2 classes"):
        m.fit(X, Y % 2, class_weight={2: 1.0}, verbose=0)


def test_class_weight_table_weighs_missing_classes_one():
    assert class_weight_table({np.int64(2): 4}, 3).tolist() == [1.0, 1.0, 4.0]


# --- neighbours: other dtypes torch cannot take as they are --------------------------------------------------------
@pytest.mark.parametrize("dtype", ["uint16", "uint32", "uint64"])
def test_wide_unsigned_labels_train_like_int64(dtype):
    set_random_seed(0)
    a = classifier().fit(X, Y, verbose=0, shuffle=False).history["loss"]
    set_random_seed(0)
    b = classifier().fit(X, Y.astype(dtype), verbose=0, shuffle=False).history["loss"]
    assert a == b


@pytest.mark.parametrize("name, call", [
    ("x", lambda m: m.fit(X.astype("complex64"), Y, verbose=0)),
    ("y", lambda m: m.fit(X, Y.astype("complex64"), verbose=0)),
    ("x", lambda m: m.predict(X.astype("complex128"))),
])
def test_complex_arrays_are_refused_not_silently_cut_to_their_real_part(name, call):
    with pytest.raises(ValueError, match=rf"^{name} holds complex numbers \(dtype complex\d+\).*np\.real\({name}\)"):
        call(classifier())


def test_sample_weight_text_is_told_to_become_numbers():
    with pytest.raises(ValueError, match=r"^sample_weight holds text .*convert it to numbers"):
        classifier().fit(X, Y, sample_weight=np.array(["a"] * 6), verbose=0)


def test_ragged_labels_are_named():
    with pytest.raises(ValueError, match=r"^y is ragged \(rows of different lengths"):
        classifier().fit(X, [[0], [1, 2], [0], [1], [2], [0]], verbose=0)


def test_extended_precision_floats_are_accepted():
    expected = classifier()
    out = expected.predict(X.astype(np.longdouble), verbose=0)
    np.testing.assert_allclose(out, expected.predict(X, verbose=0), rtol=1e-6)


# --- neighbours: sample weights ---------------------------------------------------------------------------------
@pytest.mark.parametrize("weights, message", [
    (np.array([1, np.nan, 1, 1, 1, 1]), r"sample_weight holds 1 NaN or infinite weights"),
    (-np.ones(6), r"sample_weight holds 6 negative weights"),
    (np.ones((6, 3)), r"sample_weight has shape \(6, 3\); expected one weight per sample \(6,\) or the shape of y"),
])
@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch"])
def test_bad_sample_weights_are_named_before_training(weights, message, method):
    m = classifier()
    call = {"fit": lambda: m.fit(X, Y, sample_weight=weights, verbose=0),
            "evaluate": lambda: m.evaluate(X, Y, sample_weight=weights, verbose=0),
            "train_on_batch": lambda: m.train_on_batch(X, Y, sample_weight=weights)}[method]
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_sample_weights_from_a_generator_are_named():
    def batches():
        while True:
            yield X, Y, np.full(6, np.nan)

    with pytest.raises(ValueError, match=r"sample_weight batch holds 6 NaN"):
        classifier().fit(batches(), steps_per_epoch=1, verbose=0)


def test_weights_per_sample_as_a_column_and_zero_weights_train():
    history = classifier().fit(X, Y, sample_weight=np.array([[1.0], [0.0], [2.0], [1.0], [0.0], [1.0]]), verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_one_output_unit_has_two_classes_whatever_the_loss():
    m = classifier("mse", 1, "sigmoid")
    m.fit(X, (Y % 2).astype("float32"), class_weight={0: 1.0, 1: 2.0}, verbose=0)
    with pytest.raises(ValueError, match=r"class 3, but the model has 2 classes"):
        m.fit(X, (Y % 2).astype("float32"), class_weight={3: 1.0}, verbose=0)
