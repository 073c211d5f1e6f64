"""Size limits on input from outside, shared by the importers (``io``) and
the store (a colleague's database), which must not import each other."""

from __future__ import annotations

MAX_TEXT_BYTES = 64 * 1024 * 1024
"""Largest text-like file read, and largest document text (UTF-8) a merge takes."""

MAX_DATABASE_BYTES = 1024 * 1024 * 1024
"""Largest database file (with its ``-wal``) merged: a merge holds all of it in memory."""
