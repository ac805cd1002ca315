"""A user's mistake is one line and exit 2; a bug says it is one, in one line, exit 1; ``--debug`` and
``CONVLENS_DEBUG=1`` add the full traceback to either."""
import os
import subprocess
import sys

import numpy as np
import pytest

import convlens.explain
from convlens.cli._errors import is_user_mistake
from convlens.cli.main import main
from convlens.kernels import list_kernels

UNKNOWN_KERNEL = ["explain", "conv2d", "--image", "1 2; 3 4", "--kernel", "nope"]
POOL = ["explain", "pool2d", "--image", "1 2; 3 4"]


def _stderr_lines(capsys) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_a_mistake_is_one_line_and_exit_2_without_debug(capsys, monkeypatch):
    monkeypatch.delenv("CONVLENS_DEBUG", raising=False)
    assert main(UNKNOWN_KERNEL) == 2
    assert _stderr_lines(capsys) == ["convlens explain conv2d: error: unknown kernel 'nope'; valid names: "
                                     + ", ".join(list_kernels(include_aliases=True))]


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_debug_adds_the_traceback_and_keeps_the_exit_code(how, capsys, monkeypatch):
    monkeypatch.delenv("CONVLENS_DEBUG", raising=False)
    if how == "environment":
        monkeypatch.setenv("CONVLENS_DEBUG", "1")
    argv = ["--debug", *UNKNOWN_KERNEL] if how == "flag" else UNKNOWN_KERNEL
    assert main(argv) == 2
    lines = _stderr_lines(capsys)
    assert lines[0] == "Traceback (most recent call last):"
    assert any("convlens/kernels.py" in line for line in lines)  # where the check raised it
    assert lines[-1].startswith("convlens explain conv2d: error: unknown kernel 'nope'")


def test_convlens_debug_0_is_off(capsys, monkeypatch):
    monkeypatch.setenv("CONVLENS_DEBUG", "0")
    assert main(UNKNOWN_KERNEL) == 2
    assert len(_stderr_lines(capsys)) == 1


def _key_error(*args, **kwargs):
    return {}["pool"]


def _numpy_value_error(*args, **kwargs):
    return np.zeros(3).reshape(2, 2)  # NumPy refuses with a ValueError: its caller passed a bad shape


@pytest.mark.parametrize("broken, kind, where", [(_key_error, "KeyError", "test_debug_and_bugs.py:"),
                                                (_numpy_value_error, "ValueError", "test_debug_and_bugs.py:")])
def test_a_bug_says_so_in_one_line_with_where_to_report_it(broken, kind, where, capsys, monkeypatch):
    monkeypatch.delenv("CONVLENS_DEBUG", raising=False)
    monkeypatch.setattr(convlens.explain, "pool2d", broken)
    assert main(POOL) == 1
    lines = _stderr_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"convlens explain pool2d: internal error (a bug in convlens, not your mistake): {kind}")
    assert "issue tracker" in lines[0] and "`convlens --debug explain pool2d …`" in lines[0]
    assert " at " in lines[0] and where in lines[0].split(" at ")[-1]  # where it was raised


def test_a_bug_with_debug_shows_the_traceback(capsys, monkeypatch):
    monkeypatch.setattr(convlens.explain, "pool2d", _key_error)
    assert main(["--debug", *POOL]) == 1
    lines = _stderr_lines(capsys)
    assert lines[0] == "Traceback (most recent call last):" and "KeyError: 'pool'" in lines
    assert "internal error" in lines[-1]


def test_mistakes_and_bugs_are_told_apart_by_who_raised_what():
    def check(value):
        if value < 1:
            raise ValueError(f"expected >= 1, got {value}")

    def reraised():
        try:
            check(0)
        except ValueError as err:
            raise ValueError(f"while checking: {err}") from None

    def caught(fn):
        try:
            fn()
        except Exception as err:  # noqa: BLE001
            return err

    assert is_user_mistake(caught(lambda: check(0)))
    assert is_user_mistake(caught(reraised))
    assert is_user_mistake(caught(lambda: open("/no/such/file")))  # the user's files: OSError
    assert not is_user_mistake(caught(lambda: int("x")))  # a call that failed, not a check
    assert not is_user_mistake(caught(lambda: np.stack([np.zeros(2), np.zeros(3)])))  # raised inside NumPy
    assert not is_user_mistake(caught(lambda: [][1]))
    assert not is_user_mistake(RuntimeError("never raised"))


def test_the_console_script_prints_one_line_and_no_traceback():
    run = [sys.executable, "-m", "convlens.cli.main", *UNKNOWN_KERNEL]
    env = {k: v for k, v in os.environ.items() if k != "CONVLENS_DEBUG"}
    quiet = subprocess.run(run, capture_output=True, text=True, timeout=120, env=env)
    assert quiet.returncode == 2 and len(quiet.stderr.strip().splitlines()) == 1, quiet.stderr
    loud = subprocess.run(run, capture_output=True, text=True, timeout=120, env={**env, "CONVLENS_DEBUG": "1"})
    assert loud.returncode == 2 and "Traceback" in loud.stderr
