"""Griffe extension for the API reference: a docstring's ``>>>`` examples become fenced ``pycon`` code blocks, so
Markdown does not read them as nested quotes."""
from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wrap every run of ``>>>`` lines (with their ``...`` continuations and output, up to a blank line) in a fence.

    >>> print(fence_doctests("Add:\\n    >>> 1 + 1\\n    2\\n\\nDone."))
    Add:
        ```pycon
        >>> 1 + 1
        2
        ```
    <BLANKLINE>
    Done.
    """
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class FenceDoctests(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
