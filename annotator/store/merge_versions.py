"""How a merge compares two versions of one row: the rules that pick the
winner, and versions as JSON (as conflict records keep them).

The winner is a function of the two versions alone, so merging A into B and
B into A keep the same content (see :mod:`annotator.store.merge`).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid
from sqlmodel import SQLModel

from ..core.matching import name_key
from .sqlite.untrusted import DATA_TABLE_NAMES
from .tables import UTCDateTime

TABLES = DATA_TABLE_NAMES
"""The tables merged, in the order they are written (references point backwards)."""
NATURAL_KEY_TABLES = ("document", "label")
"""Tables whose rows match by content, not UUID (the same row may have two ids)."""
_UNCOMPARED = {"id", "modified", "deleted"}
_UNCOMPARED_NATURAL = _UNCOMPARED | {"creator", "created"}


def table_of(name: str):
    return SQLModel.metadata.tables[name]


def columns_of(name: str) -> list[str]:
    return [c.name for c in table_of(name).columns]


def label_key(name: str, kind: str) -> tuple[str, str]:
    """How labels match: name ignoring case and spacing, and kind."""
    return name_key(name), str(kind)



def jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):  # StrEnum
        return value.value
    return value


def version_json(table: str, row: dict) -> dict:
    """A row as JSON-ready values (a document's text is left out)."""
    return {k: jsonable(v) for k, v in row.items() if not (table == "document" and k == "text")}


def canonical(table: str, row: dict) -> str:
    return json.dumps(version_json(table, row), sort_keys=True, ensure_ascii=False)


def from_json(table: str, data: dict) -> dict:
    """Back from :func:`version_json` to column values (unknown keys dropped)."""

    out = {}
    for column in table_of(table).columns:
        if column.name not in data:
            continue
        value = data[column.name]
        if value is not None and isinstance(column.type, Uuid):
            value = uuid.UUID(value)
        elif value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        out[column.name] = value
    return out


def body(table: str, row: dict) -> dict:
    skip = _UNCOMPARED_NATURAL if table in NATURAL_KEY_TABLES else _UNCOMPARED
    return {k: v for k, v in row.items() if k not in skip and not (table == "document" and k == "text")}


def filled(table: str, row: dict) -> int:
    return sum(1 for v in body(table, row).values() if v not in (None, "", []))


def winner(table: str, ours: dict, theirs: dict) -> str:
    """'ours' or 'theirs': which version a merge keeps (a function of the two
    versions only, so both merge directions agree)."""
    if table in NATURAL_KEY_TABLES and ours["deleted"] == theirs["deleted"] and body(table, ours) == body(table, theirs):
        if ours["created"] != theirs["created"]:
            return "ours" if ours["created"] < theirs["created"] else "theirs"
        return "ours" if canonical(table, ours) <= canonical(table, theirs) else "theirs"
    if ours["modified"] != theirs["modified"]:
        return "ours" if ours["modified"] > theirs["modified"] else "theirs"
    a = (filled(table, ours), canonical(table, ours))  # an exact tie in time: rare, so the slow path
    b = (filled(table, theirs), canonical(table, theirs))
    return "ours" if a >= b else "theirs"



def differences(table: str, kept: dict, other: dict) -> list[tuple[str, Any, Any]]:
    out = []
    for column in columns_of(table):
        if column in ("id", "modified") or (table == "document" and column == "text"):
            continue
        if kept.get(column) != other.get(column):
            out.append((column, kept.get(column), other.get(column)))
    return out
