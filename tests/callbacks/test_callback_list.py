import pytest

from convlens.callbacks import Callback, CallbackList, EarlyStopping, History, ProgbarLogger

from .fakes import FakeModel


class Recorder(Callback):
    def __init__(self, name, calls):
        super().__init__()
        self.name, self.calls = name, calls

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append((self.name, epoch, dict(logs)))

    def on_batch_end(self, batch, logs=None):
        self.calls.append((self.name, "batch", batch))


def test_base_hooks_are_no_ops_and_train_batch_forwards_to_old_name():
    calls = []
    cb = Recorder("a", calls)
    for hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
                 "on_predict_end"):
        assert getattr(Callback(), hook)({"loss": 1.0}) is None
    cb.on_train_batch_end(4, {"loss": 1.0})
    assert calls == [("a", "batch", 4)]


def test_dispatches_in_order_and_adds_history_last():
    calls = []
    model = FakeModel()
    cbs = CallbackList([Recorder("a", calls), Recorder("b", calls)], model=model, epochs=3, steps=7, verbose=0)
    assert isinstance(cbs.history, History) and list(cbs)[-1] is cbs.history
    cbs.on_epoch_end(0, {"loss": 0.5})
    assert [c[0] for c in calls] == ["a", "b"]
    for cb in cbs:
        assert cb.model is model
        assert cb.params == {"verbose": 0, "epochs": 3, "steps": 7}


def test_progbar_first_only_when_asked_and_verbose():
    assert not any(isinstance(cb, ProgbarLogger) for cb in CallbackList([], add_progbar=True, verbose=0))
    assert not any(isinstance(cb, ProgbarLogger) for cb in CallbackList([], add_progbar=False, verbose=1))
    cbs = CallbackList([EarlyStopping()], add_progbar=True, verbose=2, epochs=1, steps=1)
    assert isinstance(list(cbs)[0], ProgbarLogger) and cbs.progbar is list(cbs)[0]
    assert len(cbs) == 3


def test_reuses_user_history_and_no_history_when_not_asked():
    mine = History()
    cbs = CallbackList([mine])
    assert cbs.history is mine and len(cbs) == 1
    assert CallbackList([], add_history=False).history is None


def test_rejects_non_callbacks():
    with pytest.raises(ValueError, match="Callback instances"):
        CallbackList([lambda epoch, logs: None])


def test_history_records_logs_and_sets_model_history():
    model = FakeModel()
    cbs = CallbackList([], model=model)
    cbs.on_train_begin()
    for epoch, loss in enumerate([0.9, 0.4, 0.2]):
        cbs.on_epoch_end(epoch, {"loss": loss, "val_loss": loss + 0.1})
    assert cbs.history.epoch == [0, 1, 2]
    assert cbs.history.history["loss"] == [0.9, 0.4, 0.2]
    assert cbs.history.history["val_loss"] == pytest.approx([1.0, 0.5, 0.3])
    assert model.history is cbs.history


def test_append_gives_params_and_model():
    model = FakeModel()
    cbs = CallbackList([], model=model, epochs=2, steps=5)
    extra = Callback()
    cbs.append(extra)
    assert extra.model is model and extra.params["steps"] == 5
