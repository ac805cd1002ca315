"""The run state in files: ``RunState`` ↔ ``(tensors, meta)`` keeps the layout convlens has always written, so older
saved models and checkpoints load and resume."""
import math

import numpy as np
import torch

from convlens import Sequential
from convlens.callbacks import EarlyStopping
from convlens.layers import Dense
from convlens.models import load_model
from convlens.saving import RunState, read_run_state, run_state_payload


def old_layout():
    """A run state exactly as the trainer wrote it before RunState existed (meta and tensor keys)."""
    tensors = {"optimizer/0/exp_avg": torch.ones(3), "optimizer/1/exp_avg": torch.zeros(2),
               "callbacks/Keep.0/history/0000": torch.arange(2.0), "callbacks/Keep.0/history/0001": torch.ones(1),
               "callbacks/Keep.0/mean": torch.full((2,), 0.5)}
    meta = {"optimizer_state": {"param_groups": [{"lr": 0.01, "params": [0, 1]}],
                                "scalars": {"0": {"step": 3}, "1": {"step": 3}}},
            "run": {"epoch": 1, "batch": 2, "shuffle_seed": 11, "sums": [1.5, 4.0], "data": {"seed": 7, "epoch": 1},
                    "world_size": 1},
            "scaler": {"scale": 1024.0, "growth_tracker": 0},
            "callbacks": {"EarlyStopping.0": {"wait": 1, "best": {"__float__": "inf"}},
                          "Keep.0": {"history": {"__arrays__": 2}, "mean": {"__array__": True}, "name": "k"}}}
    return tensors, meta


def test_the_old_layout_reads_into_a_run_state_and_writes_back_the_same():
    tensors, meta = old_layout()
    state = read_run_state(tensors, meta)
    assert (state.epoch, state.batch, state.shuffle_seed, state.sums, state.data, state.world_size) == \
        (1, 2, 11, [1.5, 4.0], {"seed": 7, "epoch": 1}, 1)
    assert state.optimizer["state"][0]["step"] == 3 and torch.equal(state.optimizer["state"][0]["exp_avg"],
                                                                       torch.ones(3))
    assert state.optimizer["param_groups"] == meta["optimizer_state"]["param_groups"]
    assert math.isinf(state.callbacks["EarlyStopping.0"]["best"])
    np.testing.assert_array_equal(state.callbacks["Keep.0"]["history"][0], [0.0, 1.0])
    again_tensors, again_meta = run_state_payload(state)
    listed = {**meta["optimizer_state"], "tensors": ["0/exp_avg", "1/exp_avg"]}  # files now list their tensors
    assert again_meta == {**meta, "optimizer_state": listed}
    assert sorted(again_tensors) == sorted(tensors)
    for key in tensors:
        torch.testing.assert_close(again_tensors[key], tensors[key])


def test_a_run_state_before_any_fit_stores_nothing_and_a_file_without_a_position_keeps_none():
    assert run_state_payload(RunState()) == ({}, None)
    state = read_run_state({}, {"scaler": {"scale": 2.0}})
    assert not state.started and state.scaler == {"scale": 2.0} and state.position() == {}


def test_a_saved_model_carries_the_position_and_the_callback_state(tmp_path):
    model = Sequential([Dense(2, activation="softmax", input_shape=(3,))])
    model.compile("adam", "sparse_categorical_crossentropy", precision="float32", device="cpu")
    x, y = np.random.default_rng(0).random((12, 3), dtype=np.float32), np.arange(12) % 2
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[EarlyStopping(monitor="loss", patience=5)])
    tensors, meta = model.run_state()
    assert sorted(meta) == ["callbacks", "optimizer_state", "run"]
    assert meta["run"]["epoch"] == 2 and meta["run"]["batch"] == 0 and "EarlyStopping.0" in meta["callbacks"]
    assert all(key.startswith("optimizer/") for key in tensors)
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    assert loaded.trainer.state.position() == RunState(**meta["run"]).position()
    assert set(loaded.trainer.state.callbacks) == {"EarlyStopping.0"}
    state = model.optimizer.torch_optimizer.state_dict()["state"]
    restored = loaded.optimizer.torch_optimizer.state_dict()["state"]
    torch.testing.assert_close(restored[0]["momentum"], state[0]["momentum"])
