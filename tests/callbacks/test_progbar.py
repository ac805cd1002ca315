import io

import pytest

from convlens.callbacks import Progbar


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class CountingValue:
    """Stands for a 0-dim tensor: counts how often it is converted."""

    def __init__(self, value):
        self.value, self.conversions = value, 0

    def __float__(self):
        self.conversions += 1
        return self.value


def expected_bar(current, target, width=30):
    filled = width * current // target
    head = ">" if current < target else "="
    return "=" * (filled - 1) + head + "." * (width - filled)


def make(target=10, **kwargs):
    out, clock = io.StringIO(), FakeClock()
    bar = Progbar(target, stream=out, clock=clock, **kwargs)
    return bar, out, clock


def test_verbose1_terminal_redraws_in_place_with_eta_and_rate():
    bar, out, clock = make(interactive=True)
    for step, t in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (5, 0.7)]:
        clock.now = t
        bar.add_samples(10)
        bar.update(step, {"loss": 0.5, "accuracy": 0.9012})
    frames = out.getvalue().split("\r")
    assert len(frames) == 3  # steps 1, 3 and 5: step 2 and 4 came within 0.25 s of the last draw
    eta = 0.4 / 3 * 7
    assert frames[1].rstrip(" ") == f" 3/10 [{expected_bar(3, 10)}] - ETA: {eta:.0f}s - loss: 0.5000 - accuracy: 0.9012 - 75 img/s"
    clock.now = 2.0
    bar.update(10, {"loss": 0.25, "val_loss": 0.3}, finalize=True)
    last = out.getvalue().split("\r")[-1]
    assert last.rstrip(" \n") == f"10/10 [{'=' * 30}] - 2s 200ms/step - 25 img/s - loss: 0.2500 - val_loss: 0.3000"
    assert last.endswith("\n") and len(last.rstrip("\n")) >= len(frames[2])  # padded over the longer old line


def test_last_step_is_drawn_even_inside_the_interval():
    bar, out, clock = make(target=2, interactive=True)
    bar.update(1, {"loss": 1.0})
    clock.now = 0.01
    bar.update(2, {"loss": 0.5})
    assert out.getvalue().split("\r")[-1].startswith(f"2/2 [{'=' * 30}] - ETA: 0s - loss: 0.5000")


def test_values_are_converted_only_when_drawn():
    bar, out, clock = make(target=100, interactive=True)
    loss = CountingValue(0.5)
    for step in range(1, 51):
        clock.now = step * 0.01
        bar.update(step, {"loss": loss})
    assert loss.conversions == 2  # at t=0.01 and t=0.26; the other 48 updates draw nothing


def test_verbose1_on_a_pipe_prints_only_the_final_line():
    bar, out, clock = make(interactive=False)
    for step in range(1, 10):
        clock.now += 1.0
        bar.update(step, {"loss": 0.5})
    assert out.getvalue() == ""
    clock.now = 10.0
    bar.update(10, {"loss": 0.5}, finalize=True)
    bar.update(10, {"loss": 0.1}, finalize=True)  # a finished bar ignores later updates
    assert out.getvalue() == f"10/10 [{'=' * 30}] - 10s 1s/step - loss: 0.5000\n"


def test_verbose2_prints_one_short_line():
    bar, out, clock = make(target=938, verbose=2, interactive=True)
    for step in range(1, 938):
        clock.now = step * 0.037
        bar.update(step, {"loss": 0.2})
    clock.now = 35.0
    bar.update(938, {"loss": 0.1542, "accuracy": 0.9514, "val_loss": 0.0729, "val_accuracy": 0.9753}, finalize=True)
    assert out.getvalue() == ("938/938 - 35s - loss: 0.1542 - accuracy: 0.9514 - val_loss: 0.0729 "
                              "- val_accuracy: 0.9753\n")


def test_verbose0_is_silent():
    bar, out, clock = make(verbose=0, interactive=True)
    bar.update(5, {"loss": 1.0})
    bar.update(10, {"loss": 1.0}, finalize=True)
    assert out.getvalue() == ""


@pytest.mark.parametrize("elapsed, steps, expected", [(0.00254, 10, "254us/step"), (5.0, 1, "5s/step"),
                                                      (0.5, 10, "50ms/step")])
def test_step_time_units(elapsed, steps, expected):
    bar, out, clock = make(target=steps, interactive=False)
    clock.now = elapsed
    bar.update(steps, {}, finalize=True)
    assert out.getvalue().rstrip("\n").endswith(expected)


@pytest.mark.parametrize("elapsed, expected", [(61.0, "1:01"), (3700.0, "1:01:40")])
def test_long_eta_format(elapsed, expected):
    bar, out, clock = make(target=2, interactive=True)
    clock.now = elapsed
    bar.update(1)
    assert f"ETA: {expected}" in out.getvalue()


def test_small_values_use_scientific_notation_and_hidden_keys():
    bar, out, clock = make(target=1, interactive=False)
    clock.now = 1.0
    bar.update(1, {"loss": 0.00012, "size": 32, "batch": 0, "note": "x"}, finalize=True)
    assert out.getvalue().rstrip("\n").endswith("- loss: 1.2000e-04 - note: x")


def test_unknown_target():
    bar, out, clock = make(target=None, interactive=True)
    clock.now = 1.0
    bar.update(5, {"loss": 0.5})
    bar.update(8, {"loss": 0.4}, finalize=True)
    assert out.getvalue().split("\r")[-1] == "      8/Unknown - 1s 125ms/step - loss: 0.4000\n"


@pytest.mark.parametrize("kwargs, match", [({"target": -1}, "-1"), ({"target": 5, "verbose": 3}, "3")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Progbar(**kwargs)
