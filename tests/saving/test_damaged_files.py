"""Damaged .convlens files: each is refused with one convlens ValueError naming the file and what is wrong — never a
raw RecursionError / KeyError / torch error, never a silent change such as an optimizer slot restarted from zeros
(issue 23)."""
import copy
import json

import numpy as np
import pytest
import torch
from safetensors.torch import save as st_save

from convlens import Sequential, models
from convlens.callbacks import BackupAndRestore
from convlens.layers import Dense
from convlens.saving.file_format import encode, read_file
from convlens.saving.files import atomic_write_bytes
from convlens.saving.optimizer_state import pack, unpack

X = np.random.default_rng(0).random((8, 4)).astype("float32")
Y = np.arange(8) % 2


def trained(optimizer="adam"):
    m = Sequential([Dense(3, activation="relu", input_shape=(4,)), Dense(2, activation="softmax")])
    m.compile(optimizer, "sparse_categorical_crossentropy")
    m.fit(X, Y, epochs=2, verbose=0)
    return m


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "m.convlens"
    trained().save(path)
    tensors, meta = read_file(path)
    meta.pop("_version")
    return tensors, meta


def write(path, tensors, meta):
    atomic_write_bytes(path, encode(tensors, meta))
    return path


def refused(path, message, **kwargs):
    with pytest.raises(ValueError, match=message) as info:
        models.load_model(path, **kwargs)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
    return str(info.value)


def test_deeply_nested_metadata_names_the_file_and_the_entry(tmp_path, saved):
    tensors, meta = saved
    metadata = {"format": "convlens", "version": "2", **{k: json.dumps(v) for k, v in meta.items()}}
    metadata["class_names"] = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.convlens"
    path.write_bytes(st_save({k: v.contiguous() for k, v in tensors.items()}, metadata=metadata))
    refused(path, r"damaged convlens file \(its metadata 'class_names' is nested too deeply\)")


def test_metadata_that_is_not_json_names_the_entry(tmp_path, saved):
    tensors, meta = saved
    metadata = {"format": "convlens", "version": "2", **{k: json.dumps(v) for k, v in meta.items()}}
    metadata["compile"] = "{not json"
    path = tmp_path / "bad.convlens"
    path.write_bytes(st_save({k: v.contiguous() for k, v in tensors.items()}, metadata=metadata))
    refused(path, r"its metadata 'compile' is not JSON")


@pytest.mark.parametrize("damage, message", [
    (lambda m: m["model"]["config"].pop("layers"),
     r"model description of class 'convlens>Sequential' .* not valid \(KeyError: 'layers'\)"),
    (lambda m: m["model"]["config"]["layers"][1].pop("config"),
     r"class 'convlens>Sequential' .* a layer entry must be \{'class_name': …, 'config'"),
    (lambda m: m["model"].update(class_name="Nonexistent"), r"of class 'Nonexistent' .* unknown class"),
    (lambda m: m.update(model=["not", "an", "entry"]), r"of class \(none given\)"),
])
def test_a_wrong_model_body_names_the_file_and_the_class(tmp_path, saved, damage, message):
    tensors, meta = saved
    meta = copy.deepcopy(meta)
    damage(meta)
    refused(write(tmp_path / "m.convlens", tensors, meta), message)


def _groups(meta):
    return meta["run"]["optimizer_state"]["param_groups"]


@pytest.mark.parametrize("damage, message", [
    (lambda t, m: _groups(m).append(copy.deepcopy(_groups(m)[0])), r"has 2 parameter groups, but .* has 1"),
    (lambda t, m: m["run"]["optimizer_state"].update(param_groups="garbage"), r"has malformed param_groups"),
    (lambda t, m: _groups(m)[0]["params"].pop(), r"has 3 weights in parameter group 0, but the model has 4"),
    (lambda t, m: _groups(m)[0].update(lr="fast"), r"has lr='fast' in parameter group 0, where a number"),
    (lambda t, m: t.pop("run/optimizer/1/velocity"), r"lacks its tensor 'optimizer/1/velocity'.*from zeros"),
    (lambda t, m: [t.pop(k) for k in list(t) if k.startswith("run/optimizer/2/")],
     r"lacks its tensor 'optimizer/2/momentum'"),
    (lambda t, m: t.update({"run/optimizer/0/velocity": torch.zeros(7)}),
     r"has 'optimizer/0/velocity' of shape \(7,\)"),
    (lambda t, m: t.update({"run/optimizer/9/velocity": torch.zeros(2)}),
     r"has a tensor 'optimizer/9/velocity' for no "),
])
def test_damaged_optimizer_state_is_refused_by_name(tmp_path, saved, damage, message):
    tensors, meta = saved
    tensors, meta = dict(tensors), copy.deepcopy(meta)
    damage(tensors, meta)
    path = write(tmp_path / "m.convlens", tensors, meta)
    text = refused(path, rf"the stored optimizer state {message}")
    assert "compile=False" in text
    model = models.load_model(path, compile=False)  # the weights are still there, as the message says
    np.testing.assert_array_equal(model.predict(X, verbose=0), models.load_model(path, compile=False).predict(X))


def test_files_from_before_the_tensor_list_refuse_a_partly_missing_slot(tmp_path, saved):
    tensors, meta = saved
    tensors, meta = dict(tensors), copy.deepcopy(meta)
    del meta["run"]["optimizer_state"]["tensors"]
    models.load_model(write(tmp_path / "old.convlens", tensors, meta))  # complete: loads
    del tensors["run/optimizer/3/momentum"]
    refused(write(tmp_path / "old.convlens", tensors, meta), r"lacks its tensor 'optimizer/3/momentum'")


def test_class_names_that_are_not_strings_are_refused(tmp_path, saved):
    tensors, meta = saved
    meta = {**meta, "class_names": {"a": 1}}
    refused(write(tmp_path / "m.convlens", tensors, meta), r"class_names must be a list of strings")


def test_a_damaged_backup_refuses_to_resume_by_name(tmp_path):
    model = trained()
    path = tmp_path / "backup.convlens"
    model.trainer.save_checkpoint(path)
    tensors, meta = read_file(path)
    meta.pop("_version")
    del tensors["run/optimizer/0/momentum"]
    write(path, tensors, meta)
    with pytest.raises(ValueError, match=rf"^{path}: the stored optimizer state lacks its tensor 'optimizer/0/"):
        trained().fit(X, Y, epochs=3, verbose=0, callbacks=[BackupAndRestore(str(tmp_path))])


def test_pack_lists_its_tensors_and_unpack_restores_them_exactly():
    model = trained("rmsprop")
    opt = model.optimizer.torch_optimizer
    tensors, meta = pack(opt)
    assert meta["tensors"] == sorted(k.split("/", 1)[1] for k in tensors)
    fresh = model.optimizer.build(model)
    unpack(fresh, tensors, json.loads(json.dumps(meta)))
    again, _ = pack(fresh)
    assert all(torch.equal(again[k], tensors[k]) for k in tensors) and set(again) == set(tensors)


@pytest.mark.parametrize("damage, message", [
    (lambda r: r["run"].update(epoch="x"), r"epoch='x'; expected a whole number >= 0"),
    (lambda r: r["run"].update(epoch=-3), r"epoch=-3"),
    (lambda r: r["run"].pop("shuffle_seed"), r"has no shuffle_seed"),
    (lambda r: r["run"].update(batch=1, sums=["a"]), r"sums=\['a'\]; expected a list of numbers"),
    (lambda r: r.update(run=[1]), r"run of type list"),
    (lambda r: r.update(callbacks=[1, 2]), r"callbacks of type list"),
    (lambda r: r.update(callbacks={"EarlyStopping": 3}), r"callback states that are not objects"),
])
def test_a_damaged_run_position_is_refused_by_name_and_compile_false_still_loads(tmp_path, saved, damage, message):
    tensors, meta = saved
    meta = copy.deepcopy(meta)
    damage(meta["run"])
    path = write(tmp_path / "m.convlens", tensors, meta)
    refused(path, rf"the stored run state (has )?{message}.*compile=False")
    model = models.load_model(path, compile=False)
    assert model.optimizer is None or model.optimizer.torch_optimizer is None


@pytest.mark.parametrize("damage", [lambda c: c.update(optimizer=5), lambda c: c.update(loss="no_such_loss")])
def test_damaged_compile_settings_name_the_file(tmp_path, saved, damage):
    tensors, meta = saved
    meta = copy.deepcopy(meta)
    damage(meta["compile"])
    refused(write(tmp_path / "m.convlens", tensors, meta), r"the stored compile settings are not valid")


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_weights_of_a_wrong_dtype_are_refused_not_cast(tmp_path, saved, dtype):
    tensors, meta = saved
    tensors = {**tensors, "weights/dense_1/kernel": torch.ones(4, 3, dtype=dtype)}
    path = write(tmp_path / "m.convlens", tensors, meta)
    with pytest.raises(ValueError, match=rf"dense_1/kernel: the file stores dtype {str(dtype).split('.')[1]}, the "
                                         rf"model float32") as info:
        models.load_model(path)
    assert str(info.value).startswith(str(path))
    model = Sequential([Dense(3, activation="relu", input_shape=(4,)), Dense(2, activation="softmax")])
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"stores dtype"):
        model.load_weights(path)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), before))  # nothing was loaded


@pytest.mark.parametrize("damage, message", [
    (lambda t, m: t.update({"run/optimizer/0/velocity": torch.ones(3, 4, dtype=torch.int64)}),
     r"'optimizer/0/velocity' of dtype torch.int64; expected floating point"),
    (lambda t, m: m["run"]["optimizer_state"].update(scalars={"0": {"step": "x"}}),
     r"the setting step='x' for weight 0; expected a number"),
])
def test_optimizer_tensors_and_settings_of_a_wrong_type_are_refused(tmp_path, saved, damage, message):
    tensors, meta = saved
    tensors, meta = dict(tensors), copy.deepcopy(meta)
    damage(tensors, meta)
    refused(write(tmp_path / "m.convlens", tensors, meta), message)


@pytest.mark.parametrize("names, ok", [(["a"], False), (["a", "b", "c"], False), (["a", "b"], True), (None, True)])
def test_class_names_must_fit_the_outputs(tmp_path, saved, names, ok):
    tensors, meta = saved
    path = write(tmp_path / "m.convlens", tensors, {**meta, "class_names": names})
    if ok:
        assert models.load_model(path).class_names == names
    else:
        refused(path, rf"class_names has {len(names)} names, but the model has 2 outputs")


def test_a_binary_model_keeps_its_two_class_names(tmp_path):
    model = Sequential([Dense(1, activation="sigmoid", input_shape=(4,))])
    model.class_names = ["cat", "dog"]
    model.save(tmp_path / "b.convlens")
    assert models.load_model(tmp_path / "b.convlens").class_names == ["cat", "dog"]
