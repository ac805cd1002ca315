"""How the ``convlens`` command reports an exception: a user's mistake in one line (exit 2), a bug in one line that
says so and how to report it (exit 1), and with ``--debug`` / ``CONVLENS_DEBUG=1`` the full traceback as well.

A mistake is an ``OSError`` (a missing or unreadable file, a download that failed: the user's files and network),
or a ``ValueError`` / ``TypeError`` that a ``raise`` statement wrote on purpose in convlens's own checks (or in the
user's own code, such as a ``--model my_model.py``), naming the value it refused. Anything else is a bug: another
exception class (``RuntimeError``, ``KeyError``, ``AttributeError`` …), or a ``ValueError`` thrown from inside
NumPy, torch, Pillow or the standard library, which means convlens handed them something it should have checked.

Example:
    >>> def check(epochs):
    ...     if epochs < 1:
    ...         raise ValueError(f"epochs must be >= 1, got {epochs}")
    >>> try:
    ...     check(0)
    ... except ValueError as err:
    ...     is_user_mistake(err)
    True
    >>> import numpy as np
    >>> try:
    ...     np.zeros(3).reshape(2, 2)
    ... except ValueError as err:
    ...     is_user_mistake(err)
    False
"""
from __future__ import annotations

import dis
import os
import sys
import sysconfig
import traceback
from pathlib import Path
from types import TracebackType

PACKAGE = Path(__file__).resolve().parents[1]
# where the interpreter and installed libraries live; convlens itself may be installed there too
_LIBRARIES = {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib", "purelib", "platlib")}


def debug_requested(flag: bool = False) -> bool:
    """``--debug`` was given, or ``CONVLENS_DEBUG`` is set to anything but ``''``/``'0'``."""
    return flag or os.environ.get("CONVLENS_DEBUG", "") not in ("", "0")


def _innermost(err: BaseException) -> TracebackType | None:
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb


def _library_file(filename: str) -> bool:
    if filename.startswith("<frozen "):  # the interpreter's own frozen modules (importlib, …)
        return True
    path = Path(filename).resolve()
    return not path.is_relative_to(PACKAGE) and any(path.is_relative_to(root) for root in _LIBRARIES)


def _raise_statement(tb: TracebackType) -> bool:
    """Whether the frame stopped at a ``raise`` statement (not at a call that raised inside)."""
    code = tb.tb_frame.f_code
    return any(ins.offset == tb.tb_lasti and ins.opname == "RAISE_VARARGS" for ins in dis.get_instructions(code))


def is_user_mistake(err: BaseException) -> bool:
    """See the module docstring: OSError, or a ValueError/TypeError raised on purpose outside the libraries."""
    if isinstance(err, OSError):
        return True
    if not isinstance(err, (ValueError, TypeError)):
        return False
    tb = _innermost(err)
    return tb is not None and not _library_file(tb.tb_frame.f_code.co_filename) and _raise_statement(tb)


def _where(err: BaseException) -> str:
    tb = _innermost(err)
    if tb is None:
        return "an unknown place"
    path = Path(tb.tb_frame.f_code.co_filename)
    shown = path.resolve().relative_to(PACKAGE.parent) if path.resolve().is_relative_to(PACKAGE) else path
    return f"{shown}:{tb.tb_lineno}"


def report(err: Exception, command: str, debug: bool) -> int:
    """Print ``err`` for the user of ``convlens COMMAND`` and return the exit code: 2 for a mistake, 1 for a bug."""
    if debug:
        traceback.print_exception(err, file=sys.stderr)
    message = str(err).splitlines()[0] if str(err).strip() else type(err).__name__
    if is_user_mistake(err):
        print(f"convlens {command}: error: {message}", file=sys.stderr)
        return 2
    print(f"convlens {command}: internal error (a bug in convlens, not your mistake): {type(err).__name__}: "
          f"{message} at {_where(err)}. Please report it on the convlens issue tracker with the command and the "
          f"output of `convlens --debug {command} …`.", file=sys.stderr)
    return 1
