import math

import pytest

from convlens.callbacks import MonitorCallback
from convlens.callbacks.monitor import resolve_mode


@pytest.mark.parametrize("monitor, mode, expected", [
    ("val_loss", "auto", "min"), ("loss", "auto", "min"), ("val_accuracy", "auto", "max"), ("acc", "auto", "max"),
    ("val_auc", "auto", "max"), ("fmeasure", "auto", "max"), ("val_mae", "auto", "min"),
    ("val_accuracy", "min", "min"), ("val_loss", "max", "max"),
])
def test_resolve_mode(monitor, mode, expected):
    assert resolve_mode(monitor, mode) == expected


def test_bad_mode_and_monitor_are_rejected():
    with pytest.raises(ValueError, match="'minimum'"):
        MonitorCallback(mode="minimum")
    with pytest.raises(ValueError, match="monitor"):
        MonitorCallback(monitor="")


def test_is_improvement_respects_min_delta_and_direction():
    low = MonitorCallback("val_loss", min_delta=0.1)
    assert low.best == math.inf
    assert low.is_improvement(0.85, 1.0) and not low.is_improvement(0.95, 1.0)
    high = MonitorCallback("val_accuracy", min_delta=-0.1)  # sign ignored, as Keras
    assert high.best == -math.inf and high.min_delta == 0.1
    assert high.is_improvement(0.85, 0.7) and not high.is_improvement(0.75, 0.7)
    assert high.is_improvement(0.1, None)


def test_missing_monitor_warns_with_available_keys():
    cb = MonitorCallback("val_loss")
    with pytest.warns(UserWarning, match="val_loss.*Available metrics are: loss"):
        assert cb.get_monitor_value({"loss": 0.3}) is None
    torch = pytest.importorskip("torch")
    assert cb.get_monitor_value({"val_loss": torch.tensor(0.25)}) == 0.25
