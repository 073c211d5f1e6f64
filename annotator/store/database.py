"""Opening a database file: create, check, migrate.

Where data lives: ``--db PATH`` or ``$ANNOTATOR_DB``, else ``annotator.db``
in the user's data folder (platformdirs: ``~/.local/share/Annotator`` on
Linux, ``~/Library/Application Support/Annotator`` on macOS,
``%LOCALAPPDATA%\\Annotator`` on Windows).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DatabaseError, OperationalError

from ..core.errors import StoreError
from . import sqlite
from .migrations import CURRENT_VERSION, stored_version, upgrade
from .repository import SqlRepository
from .tables import DATA_TABLES

APP_NAME = "Annotator"


def default_db_path() -> Path:
    env = os.environ.get("ANNOTATOR_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "annotator.db"


@dataclass
class Database:
    path: Path
    engine: Engine
    repo: SqlRepository
    version: int

    def close(self) -> None:
        self.engine.dispose()

    def integrity_problems(self) -> list[str]:
        return sqlite.integrity_check(self.engine)

    def change_marker(self) -> tuple:
        """Changes whenever any writer (another window, the CLI, a merge)
        commits a change to the data: the row count and latest modification
        of every data table. Cheap enough to ask on each window activation."""
        with self.engine.connect() as conn:
            return tuple(
                tuple(conn.execute(select(func.count(), func.max(t.c.modified)).select_from(t)).one())
                for t in (m.__table__ for m in DATA_TABLES)
            )


def _describe(exc: Exception, path: Path) -> str:
    msg = str(getattr(exc, "orig", exc))
    if "readonly" in msg or "read-only" in msg:
        return f"{path}: the database is read-only (check the file's permissions)"
    if "not a database" in msg or "malformed" in msg or "disk image" in msg:
        return f"{path}: not a database or damaged ({msg})"
    if "unable to open" in msg:
        return f"{path}: cannot open the file ({msg})"
    if "disk is full" in msg or "full" in msg:
        return f"{path}: the disk is full"
    return f"{path}: {msg}"


def open_database(path: Path | str | None = None, *, create: bool = True) -> Database:
    """Open (creating if allowed) and migrate an Annotator database."""
    path = Path(path).expanduser() if path else default_db_path()
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if path.exists():
        if path.stat().st_size and not sqlite.is_sqlite_file(path):
            raise StoreError(f"{path}: not an Annotator database (not an SQLite file)")
    elif not create:
        raise StoreError(f"{path}: no such database")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = sqlite.make_engine(path)
    try:
        with engine.begin() as conn:
            version = upgrade(conn)
    except StoreError as exc:
        engine.dispose()
        raise StoreError(f"{path}: {exc}") from None
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        raise StoreError(_describe(exc, path)) from None
    return Database(path, engine, SqlRepository(engine), version)


def inspect_version(path: Path) -> int | None:
    """Schema version of a file without changing it (None if empty)."""
    engine = sqlite.make_engine(path, readonly=True)
    try:
        with engine.connect() as conn:
            return stored_version(conn)
    finally:
        engine.dispose()


__all__ = ["CURRENT_VERSION", "Database", "default_db_path", "inspect_version", "open_database"]
