"""In a Jupyter kernel the progress bar is one display output updated in place; a History renders as HTML."""
import sys
import types

import numpy as np

from convlens.callbacks import History, Progbar
from convlens.callbacks.history_display import history_html
from convlens.callbacks.notebook import kernel_display, kernel_shell


class FakeDisplay:
    """Records what IPython's display / DisplayHandle.update would send."""

    def __init__(self):
        self.calls = []

    def __call__(self, data, raw=False, display_id=None):
        assert raw and display_id is True
        self.calls.append(("display", data["text/plain"]))
        return self

    def update(self, data, raw=False):
        assert raw
        self.calls.append(("update", data["text/plain"]))


def in_a_kernel(monkeypatch, display) -> None:
    """Make this process look like a Jupyter kernel: IPython's shell has a kernel, and display is ``display``."""
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: types.SimpleNamespace(kernel=object())
    ipython_display = types.ModuleType("IPython.display")
    ipython_display.display = display
    for name, module in [("IPython", ipython), ("IPython.display", ipython_display),
                         ("ipykernel", types.ModuleType("ipykernel"))]:
        monkeypatch.setitem(sys.modules, name, module)


def test_progbar_in_a_kernel_updates_one_output_and_writes_no_stream(monkeypatch, capsys):
    fake = FakeDisplay()
    in_a_kernel(monkeypatch, fake)
    assert kernel_display() is fake
    now = [0.0]
    bar = Progbar(4, clock=lambda: now[0])  # stream sys.stdout, interactive left to the bar: notebook mode
    for step in range(1, 4):
        now[0] += 1.0
        bar.update(step, {"loss": 1.0 / step})
    bar.update(4, {"loss": 0.2}, finalize=True)
    assert capsys.readouterr().out == ""
    kinds = [kind for kind, _ in fake.calls]
    assert kinds == ["display", "update", "update", "update"]
    assert fake.calls[0][1].startswith("1/4 [") and "ETA" in fake.calls[0][1]
    assert fake.calls[-1][1].startswith("4/4 [==============================] - 3s") and "ETA" not in fake.calls[-1][1]


def test_progbar_given_a_stream_or_interactive_never_uses_the_display(monkeypatch, capsys):
    fake = FakeDisplay()
    in_a_kernel(monkeypatch, fake)
    Progbar(2, interactive=False).update(2, {"loss": 0.5}, finalize=True)
    assert capsys.readouterr().out.startswith("2/2 [") and fake.calls == []


def test_outside_a_kernel_there_is_no_display(monkeypatch):
    assert kernel_shell() is None and kernel_display() is None
    in_a_kernel(monkeypatch, FakeDisplay())
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: types.SimpleNamespace())  # a terminal IPython
    assert kernel_shell() is None and kernel_display() is None


def test_history_html_has_curves_and_one_row_per_epoch():
    history = History()
    history.on_train_begin()
    for epoch, (loss, val) in enumerate([(0.9, 1.0), (0.5, 0.7), (0.3, np.float32(0.65))]):
        history.on_epoch_end(epoch, {"loss": loss, "val_loss": val, "accuracy": 1 - loss})
    page = history._repr_html_()
    assert page.count("<svg") == 2  # loss with val_loss, accuracy alone
    assert page.count("<polyline") == 3
    assert page.count("<tr>") == 1 + 3 and "<td>3</td><td>0.3000</td><td>0.6500</td><td>0.7000</td>" in page
    assert history_html({}, []) == "<p>History: no epoch recorded yet</p>"
