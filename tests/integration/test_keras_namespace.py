"""Every public name of the Keras 3 modules a CNN user touches exists in convlens, or is listed with a reason in
tests/keras_exclusions.txt. A new Keras name that is neither fails, and so does a stale exclusion."""
import importlib
import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402, F401  (the modules below are imported by name)

MODULES = ["layers", "losses", "metrics", "optimizers", "optimizers.schedules", "callbacks", "applications", "utils",
           "ops", "random", "config", "mixed_precision", "preprocessing.image", "datasets"]
EXCLUSIONS = Path(__file__).resolve().parents[1] / "keras_exclusions.txt"


def exclusions() -> dict[str, str]:
    table = {}
    for number, line in enumerate(EXCLUSIONS.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, _, reason = line.partition(": ")
        assert reason.strip(), f"keras_exclusions.txt line {number}: {line!r} has no reason"
        assert name not in table, f"keras_exclusions.txt line {number}: {name} is listed twice"
        table[name] = reason
    return table


def public_names(module: str) -> list[str]:
    return sorted(n for n in dir(importlib.import_module(f"keras.{module}")) if not n.startswith("_"))


def convlens_module(module: str):
    try:
        return importlib.import_module(f"convlens.{module}")
    except ModuleNotFoundError:
        return None


@pytest.mark.parametrize("module", MODULES)
def test_every_keras_name_exists_or_is_excluded_with_a_reason(module):
    ours, excluded = convlens_module(module), exclusions()
    missing = [n for n in public_names(module)
               if (ours is None or not hasattr(ours, n)) and f"{module}.{n}" not in excluded]
    assert not missing, (f"keras.{module} names neither in convlens.{module} nor in {EXCLUSIONS.name}: {missing}; "
                         f"add them, or list them there with a one-line reason")


def test_exclusions_are_current():
    stale = []
    for name in exclusions():
        module, _, attribute = name.rpartition(".")
        assert module in MODULES, f"{name}: {module} is not one of the checked modules"
        ours = convlens_module(module)
        if attribute not in public_names(module):
            stale.append(f"{name} (Keras no longer has it)")
        elif ours is not None and hasattr(ours, attribute):
            stale.append(f"{name} (convlens has it now)")
    assert not stale, f"delete these lines from {EXCLUSIONS.name}: {stale}"
