"""The terms of brat standoff shared by its reader and writer (see :mod:`.brat`)."""

import re

SCHEME = "brat"
"""The name of the ``source_id`` extra that keeps a ``T`` line's brat id."""
NOTE_TYPE = "AnnotatorNotes"
BRAT_ID = re.compile(r"^(?:[TRAMNE]\w*|#\w*|\*)$")
"""An annotation id: ``T1``, ``R2``, ``#3``, ``*``, …"""
TYPE_NAME = re.compile(r"^[^\s]+$")
"""A type as brat writes it: no white space."""


def flat(s: str) -> str:
    """A text on one line of a ``.ann`` (its line breaks and tabs as spaces)."""
    return s.replace("\n", " ").replace("\t", " ")
