"""What a label name read from a file may not hold: a control character.

A label is shown in lists, menus, the brief and on the terminal, and matched
by name with its white space collapsed; a NUL, an escape or a C1 control in
one is never meant (a tab or line break neither: a label is one line). The
W3C and brat readers refuse such a name, naming the annotation that gives it,
and a merge refuses a colleague's database holding one.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0 (tab and line breaks too), DEL, C1
_SHOWN = 60


def _escaped(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def first_control(name: str) -> str | None:
    """The first control character in ``name``, or None."""
    found = _CONTROL.search(name)
    return None if found is None else found.group()


def control_problem(name: str, what: str = "label") -> str:
    """Why ``name`` cannot be a label (``what``: how the file calls it), or ""."""
    found = first_control(name)
    if found is None:
        return ""
    shown = name if len(name) <= _SHOWN else name[: _SHOWN - 1] + "…"
    return (
        f"the {what} '{_CONTROL.sub(_escaped, shown)}' holds a control character (U+{ord(found):04X}), "
        "which a label name cannot hold"
    )
