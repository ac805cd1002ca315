import pytest

from convlens.callbacks import LambdaCallback

from .fakes import FakeModel, replay


def test_given_functions_run_with_hook_arguments():
    events = []
    cb = LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                        on_epoch_end=lambda epoch, logs: events.append((epoch, logs["loss"])),
                        on_train_batch_end=lambda batch, logs: events.append(f"b{batch}"),
                        on_train_end=lambda logs: events.append("end"))
    replay([cb], FakeModel(), [{"loss": 0.5}, {"loss": 0.25}], steps=2)
    assert events == ["begin", "b0", "b1", (0, 0.5), "b0", "b1", (1, 0.25), "end"]


def test_other_hooks_by_keyword_and_errors():
    seen = []
    cb = LambdaCallback(on_test_end=lambda logs: seen.append(logs))
    cb.on_test_end({"loss": 1.0})
    cb.on_epoch_begin(0)  # not given: stays a no-op
    assert seen == [{"loss": 1.0}]
    with pytest.raises(ValueError, match="on_epoch_finish"):
        LambdaCallback(on_epoch_finish=print)
    with pytest.raises(ValueError, match="on_epoch_end must be a function"):
        LambdaCallback(on_epoch_end="print")
