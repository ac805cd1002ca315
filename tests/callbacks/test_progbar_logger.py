import io

import pytest

from convlens.callbacks import CallbackList, ProgbarLogger

from .fakes import FakeModel


class StepClock:
    """Each reading advances the time by `step` seconds."""

    def __init__(self, step):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def fit_like(logger, epochs, steps, verbose, validate=True):
    cbs = CallbackList([logger], model=FakeModel(), add_history=True, epochs=epochs, steps=steps, verbose=verbose)
    cbs.on_train_begin()
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            cbs.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1), "accuracy": 0.5, "size": 8})
        logs = {"loss": 0.25, "accuracy": 0.5}
        if validate:
            cbs.on_test_begin()
            cbs.on_test_batch_end(0, {"loss": 0.3, "size": 8})
            cbs.on_test_end({"loss": 0.3})
            logs["val_loss"] = 0.3
        cbs.on_epoch_end(epoch, logs)
    cbs.on_train_end()


def test_verbose1_on_a_pipe_prints_epoch_headers_and_final_lines():
    out = io.StringIO()
    fit_like(ProgbarLogger(stream=out, interactive=False, clock=StepClock(0.5)), epochs=2, steps=4, verbose=1)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    # clock read at the bar's creation and at the final line: 0.5 s for 4 steps
    assert lines[1] == f"4/4 [{'=' * 30}] - 0s 125ms/step - 64 img/s - loss: 0.2500 - accuracy: 0.5000 - val_loss: 0.3000"


def test_verbose1_on_a_terminal_draws_batches_then_final_line():
    out = io.StringIO()
    fit_like(ProgbarLogger(stream=out, interactive=True, clock=StepClock(1.0)), epochs=1, steps=3, verbose=1,
             validate=False)
    text = out.getvalue()
    assert "Epoch" not in text  # Keras prints no header for a single epoch
    frames = text.split("\r")
    assert len(frames) == 4 and frames[0].startswith("1/3 [") and "img/s" in frames[1]
    assert frames[-1].startswith(f"3/3 [{'=' * 30}] - ") and frames[-1].endswith("\n")


def test_verbose2_prints_one_line_per_epoch():
    out = io.StringIO()
    fit_like(ProgbarLogger(stream=out, interactive=True, clock=StepClock(1.0)), epochs=3, steps=5, verbose=2)
    lines = out.getvalue().splitlines()
    assert lines[0::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    assert all(line.startswith("5/5 - ") and line.endswith("val_loss: 0.3000") for line in lines[1::2])
    assert "\r" not in out.getvalue()


def test_verbose0_prints_nothing():
    out = io.StringIO()
    fit_like(ProgbarLogger(stream=out, interactive=True), epochs=2, steps=3, verbose=0)
    assert out.getvalue() == ""


def test_evaluate_outside_fit_gets_its_own_bar():
    out = io.StringIO()
    cbs = CallbackList([ProgbarLogger(stream=out, interactive=False, clock=StepClock(1.0))], steps=2, verbose=1)
    cbs.on_test_begin()
    for batch in range(2):
        cbs.on_test_batch_end(batch, {"loss": 0.1, "size": 4})
    cbs.on_test_end({"loss": 0.0357, "accuracy": 0.9883})
    assert out.getvalue() == f"2/2 [{'=' * 30}] - 1s 500ms/step - 8 img/s - loss: 0.0357 - accuracy: 0.9883\n"


def test_predict_bar_ignores_outputs():
    out = io.StringIO()
    cbs = CallbackList([ProgbarLogger(stream=out, interactive=False, clock=StepClock(1.0))], steps=1, verbose=1)
    cbs.on_predict_begin()
    cbs.on_predict_batch_end(0, {"outputs": [1, 2, 3], "size": 3})
    cbs.on_predict_end()
    assert out.getvalue() == f"1/1 [{'=' * 30}] - 1s 1s/step - 3 img/s\n"


def test_default_stream_is_stdout(capsys):
    fit_like(ProgbarLogger(interactive=False), epochs=2, steps=1, verbose=2, validate=False)
    assert capsys.readouterr().out.splitlines()[0] == "Epoch 1/2"


def test_tensor_batch_logs_are_accepted():
    torch = pytest.importorskip("torch")
    out = io.StringIO()
    logger = ProgbarLogger(stream=out, interactive=True, clock=StepClock(1.0))
    logger.set_params({"epochs": 1, "steps": 2, "verbose": 1})
    logger.on_epoch_begin(0)
    logger.on_train_batch_end(0, {"loss": torch.tensor(0.75), "size": torch.tensor(16)})
    assert "loss: 0.7500" in out.getvalue() and "img/s" in out.getvalue()


def test_auto_verbose_means_1_and_bad_verbose_is_rejected():
    out = io.StringIO()
    fit_like(ProgbarLogger(stream=out, interactive=False, clock=StepClock(1.0)), epochs=2, steps=2, verbose="auto",
             validate=False)
    assert out.getvalue().splitlines()[1].startswith(f"2/2 [{'=' * 30}]")
    logger = ProgbarLogger(stream=io.StringIO())
    logger.set_params({"epochs": 2, "steps": 2, "verbose": "loud"})
    with pytest.raises(ValueError, match="'loud'"):
        logger.on_epoch_begin(0)
