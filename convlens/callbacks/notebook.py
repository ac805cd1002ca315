"""Is this code running in a Jupyter kernel? And IPython's ``display`` there, without importing IPython.

convlens does not depend on IPython, and importing it costs a noticeable fraction of a second, so nothing here
imports it: inside a Jupyter kernel IPython is already imported (the kernel is built on it), so the modules are
looked up in ``sys.modules``; outside one the answer is simply "no".

Example:
    >>> kernel_display() is None  # plain Python (doctest): no kernel, so no rich display
    True
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def kernel_shell() -> Any | None:
    """The running IPython shell when it is a Jupyter kernel's (it has a ``kernel``), else None."""
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules or "IPython.display" not in sys.modules:
        return None
    shell = ipython.get_ipython()
    return shell if getattr(shell, "kernel", None) is not None else None


def kernel_display() -> Callable[..., Any] | None:
    """``IPython.display.display`` when running in a Jupyter kernel, else None.

    Call it as ``display({"text/plain": text}, raw=True, display_id=True)`` to get a handle whose ``update``
    replaces that output in place (frontends and nbclient apply ``update_display_data`` to the saved notebook).
    """
    if kernel_shell() is None:
        return None
    return sys.modules["IPython.display"].display
