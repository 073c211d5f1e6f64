"""Names from outside (file names above all) made safe to store and to show.

A POSIX file name is bytes: Python hands one that is not UTF-8 over as a str
with lone surrogates (``surrogateescape``), which SQLite, Qt and the terminal
all refuse. A name may also hold control characters (an ANSI escape clears a
terminal or retitles its window) or bidi overrides (which reorder what is
shown). :func:`printable` writes each such character as a Python-style escape,
so ``b"caf\\xe9.txt"`` becomes the text ``caf\\xe9.txt``.
"""

from __future__ import annotations

import os
import re
import unicodedata

_BIDI = "\u202a-\u202e\u2066-\u2069"  # embeddings, overrides and isolates
_REST = f"\x0b-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff"  # C0 from VT on, DEL, C1, bidi, lone surrogates
_UNSAFE = re.compile(f"[\x00-\x0a{_REST}]")
_UNSAFE_KEEPING_LINES = re.compile(f"[\x00-\x08{_REST}]")  # tab (09) and newline (0a) kept


def _escape(m: re.Match[str]) -> str:
    char = m.group()
    if unicodedata.category(char) == "Cs":  # a lone surrogate
        try:  # a byte that was not UTF-8, as surrogateescape carries it: shown as that byte
            return f"\\x{char.encode('utf-8', 'surrogateescape')[0]:02x}"
        except UnicodeEncodeError:  # any other: its code point
            pass
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with control characters, bidi controls and lone surrogates
    escaped (tab and newline kept when ``keep_lines``)."""
    pattern = _UNSAFE_KEEPING_LINES if keep_lines else _UNSAFE
    return pattern.sub(_escape, text)


def display_name(path_or_str: os.PathLike[str] | str | bytes) -> str:
    """A file name (or path) as valid text, safe to store and to print."""
    return printable(os.fsdecode(path_or_str))


def printable_json(text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with the same characters
    escaped the JSON way (``\\u009b``): still valid JSON, decoding to the same strings."""
    return _UNSAFE_KEEPING_LINES.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
