"""Schema versions and migrations: a small ordered list, not Alembic.

Why not Alembic: migrations here run inside the desktop app on the user's own
file (and on a colleague's file before a merge), with no migration scripts
folder or command-line step; an ordered list of Python functions, each
using portable SQLAlchemy DDL, is enough and keeps the dependency list short.
If teams move to a PostgreSQL server, each step can be wrapped in Alembic's
``Operations`` without changing its meaning.

The version lives in the ``schema_info`` table (portable), not in SQLite's
``user_version``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, inspect, select
from sqlmodel import SQLModel

from ..core.errors import StoreError
from .tables import DATA_TABLES, SchemaInfo

APPLICATION = "annotator"


def _v1_initial(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[SchemaInfo.__table__, *(t.__table__ for t in DATA_TABLES)])


MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "documents, labels, entities, annotations, claims", _v1_initial),
]
CURRENT_VERSION = MIGRATIONS[-1][0]


def stored_version(conn: Connection) -> int | None:
    """Schema version of the database; None for an empty file. Raises for a foreign one."""
    names = set(inspect(conn).get_table_names())
    if not names:
        return None
    if "schema_info" not in names:
        raise StoreError("not an Annotator database (it has other tables and no schema_info)")
    info = dict(conn.execute(select(SchemaInfo.key, SchemaInfo.value)).all())
    if info.get("application") != APPLICATION:
        raise StoreError("not an Annotator database (schema_info names another application)")
    try:
        return int(info["schema_version"])
    except (KeyError, ValueError):
        raise StoreError("damaged Annotator database: schema version missing or unreadable") from None


def _set_version(conn: Connection, version: int) -> None:
    table = SchemaInfo.__table__
    conn.execute(table.delete().where(table.c.key.in_(["application", "schema_version"])))
    conn.execute(table.insert(), [{"key": "application", "value": APPLICATION}, {"key": "schema_version", "value": str(version)}])


def upgrade(conn: Connection) -> int:
    """Bring the schema to :data:`CURRENT_VERSION` inside the caller's transaction."""
    start = version = stored_version(conn) or 0
    if version > CURRENT_VERSION:
        raise StoreError(
            f"this database was written by a newer Annotator (schema {version}; this version reads up to {CURRENT_VERSION})"
        )
    for target, _what, step in MIGRATIONS:
        if target > version:
            step(conn)
            version = target
    if version != start:
        _set_version(conn, version)
    return version
