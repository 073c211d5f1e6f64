"""The document an analyst left open, read before the store is loaded.

Loading the store (SQLModel: SQLAlchemy and pydantic) takes longer than Qt
takes to show a window. So the desk first draws the document it showed last
from what this module reads with the standard library's ``sqlite3``,
read-only, and only then opens the database properly (checked, migrated,
see :func:`annotator.store.database.open_database`) before it takes any
input. Nothing read here is kept or written back: the proper open replaces it.

It reads only a file the desk has already accepted: one in WAL mode (the
desk switches a file to WAL only after every check passed; a new, foreign or
refused file is in rollback mode and is not read here at all), naming our
application at this module's schema version, with our tables as tables. For
anything else, or any error, it returns None and the proper open says what
is wrong.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ...core.errors import StoreError
from ...core.limits import MAX_TEXT_BYTES
from ...core.model import Direction, Document, Label, LabelKind, SpanTable
from ..paths import APPLICATION, SCHEMA_VERSION
from ..rows import span_columns
from .file_header import read_header

_TABLES = ("schema_info", "document", "label", "annotation")
_SPANS = """
SELECT count(*), group_concat(id, ' '), group_concat(label_id, ' '), group_concat(start, ' '),
       group_concat("end", ' '), group_concat(CASE WHEN fragments IS NOT NULL THEN id || ':' || fragments END, char(30))
FROM annotation WHERE document_id = ? AND deleted = 0
"""


@dataclass(frozen=True)
class FirstLook:
    """What the reader draws of a document: its text, spans and labels.
    ``document`` carries the columns drawing needs (its id, title, text,
    direction, digest), not the rest."""

    document: Document
    spans: SpanTable
    fragments: dict[uuid.UUID, list[tuple[int, int]]]
    labels: list[Label]


def connect_read_only(path: Path) -> sqlite3.Connection:
    """The standard library's connection to ``path``, read-only (what is read before the store loads)."""
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, timeout=1.0)


def first_look(path: Path, preferred: str | None = None) -> FirstLook | None:
    """The document ``preferred`` (its id as text), else the database's first
    (as the document list orders them), of the database at ``path``; None
    when there is none, or the file is not one this module reads (see the
    module's doc)."""
    try:
        if not read_header(path, path.stat().st_size).wal:
            return None
    except (OSError, StoreError):  # missing, a folder, unreadable, not SQLite: the proper open says
        return None
    try:
        conn = connect_read_only(path)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, preferred)
    except (sqlite3.Error, ValueError, KeyError, TypeError, RuntimeError):
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, preferred: str | None) -> FirstLook | None:
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA query_only=ON")
    kinds = dict(conn.execute(f"SELECT name, type FROM sqlite_master WHERE name IN ({','.join('?' * len(_TABLES))})", _TABLES))
    if any(kinds.get(name) != "table" for name in _TABLES):
        return None
    info = dict(conn.execute("SELECT key, value FROM schema_info WHERE key IN ('application', 'schema_version')"))
    if info.get("application") != APPLICATION or info.get("schema_version") != str(SCHEMA_VERSION):
        return None
    found = None
    if preferred:
        wanted = uuid.UUID(preferred).hex
        found = conn.execute("SELECT id FROM document WHERE id = ? AND deleted = 0", (wanted,)).fetchone()
    if found is None:
        found = conn.execute("SELECT id FROM document WHERE deleted = 0 ORDER BY created LIMIT 1").fetchone()
    if found is None:
        return None
    doc_key = found[0]
    title, sha, direction, size = conn.execute(
        "SELECT title, sha256, direction, length(CAST(text AS BLOB)) FROM document WHERE id = ?", (doc_key,)
    ).fetchone()
    if size > MAX_TEXT_BYTES:
        return None
    (text,) = conn.execute("SELECT text FROM document WHERE id = ?", (doc_key,)).fetchone()
    doc = Document(id=uuid.UUID(doc_key), title=title, text=text, sha256=sha, direction=Direction(direction))
    spans, fragments = span_columns(conn.execute(_SPANS, (doc_key,)).fetchone())
    labels = [
        Label(id=uuid.UUID(i), name=name, kind=LabelKind(kind), color=color, description=description, shortcut=shortcut, position=position)
        for i, name, kind, color, description, shortcut, position in conn.execute(
            "SELECT id, name, kind, color, description, shortcut, position FROM label WHERE deleted = 0 ORDER BY position"
        )
    ]
    return FirstLook(doc, spans, fragments, labels)
