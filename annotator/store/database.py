"""Opening a database file: create, check, migrate (where it lives: :mod:`.paths`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from ..core.errors import StoreError
from . import change_log
from .sqlite import engine as sqlite
from .sqlite import search_index
from .sqlite.file_header import is_sqlite
from .migrations import CURRENT_VERSION, stored_version, upgrade
from .paths import default_db_path
from .repository import SqlRepository
from .sqlite.schema_check import check_for_work


@dataclass
class Database:
    path: Path
    engine: Engine
    repo: SqlRepository
    version: int

    def close(self) -> None:
        self.engine.dispose()

    def integrity_problems(self) -> list[str]:
        try:
            return sqlite.integrity_check(self.engine)
        except DBAPIError as exc:
            raise StoreError(_describe(exc, self.path)) from None


def _describe(exc: Exception, path: Path) -> str:
    msg = str(getattr(exc, "orig", exc))
    if "readonly" in msg or "read-only" in msg:
        if path.exists() and not os.access(path.parent, os.W_OK):
            return f"{path}: the database is read-only (its folder {path.parent} cannot be written to)"
        return f"{path}: the database is read-only (check the file's permissions)"
    if "not a database" in msg or "malformed" in msg or "disk image" in msg:
        return f"{path}: not a database or damaged ({msg})"
    if "unable to open" in msg:
        folder = path.parent
        if path.exists() and not os.access(folder, os.W_OK):
            return (
                f"{path}: cannot open the database: its folder {folder} is read-only and SQLite must create "
                f"{path.name}-wal and {path.name}-shm beside it (copy the file to a folder you can write to)"
            )
        return f"{path}: cannot open the file ({msg})"
    if "disk is full" in msg or "full" in msg:
        return f"{path}: the disk is full"
    return f"{path}: {msg}"


def describe_error(exc: Exception, path: Path) -> str:
    """One line for the user about a database error on the file ``path``."""
    return _describe(exc, path)


def _damaged(path: Path, problems: list[str]) -> str:
    first = " ".join(problems[0].replace("*** in database main ***", "").split())
    return f"{path}: damaged database file (integrity check: {first[:200]}); `annotator check` lists the problems"


def open_database(path: Path | str | None = None, *, create: bool = True, verify: bool = True,
                  checked: Callable[[], list[str] | None] | None = None) -> Database:  # fmt: skip
    """Open (creating if allowed) and migrate an Annotator database.

    A file that is not ours, is newer, has a schema that is not exactly ours
    (a trigger, a view, another table, an altered CREATE statement: checked
    read-only before the file is opened for writing, see
    :mod:`.sqlite.schema_check`), or (unless ``verify`` is false) fails
    SQLite's quick check is refused with :class:`StoreError` and left exactly
    as it was (WAL mode is switched on only after these checks). ``checked``:
    the quick check's answer when it was started earlier on this file (see
    :mod:`.sqlite.early_check`); None from it, or none given: checked here."""
    path = Path(path).expanduser() if path else default_db_path()
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if path.exists():
        if path.stat().st_size and not is_sqlite(path):
            raise StoreError(f"{path}: not an Annotator database (not an SQLite file)")
    elif not create:
        raise StoreError(f"{path}: no such database")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size:
        try:  # before a read-write connection exists: a trigger in the file would run on our next write
            check_for_work(path)
        except StoreError as exc:
            message = str(exc)
            raise StoreError(message if message.startswith(f"{path}: ") else f"{path}: {message}") from None
        except (OperationalError, DatabaseError) as exc:
            raise StoreError(_describe(exc, path)) from None
    engine = sqlite.make_engine(path)
    try:
        with engine.begin() as conn:
            problems = checked() if verify and checked is not None else None
            if problems is None:
                problems = sqlite.quick_check(conn) if verify else []
            if problems:
                raise StoreError(_damaged(path, problems))
            version = upgrade(conn)
            if not search_index.is_current(conn):  # built by another format of the index
                search_index.rebuild(conn)
                search_index.mark_current(conn)
            change_log.prune(conn)
        sqlite.enable_wal(engine)
    except StoreError as exc:
        engine.dispose()
        message = str(exc)
        raise StoreError(message if message.startswith(f"{path}: ") else f"{path}: {message}") from None
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        raise StoreError(_describe(exc, path)) from None
    return Database(path, engine, SqlRepository(engine, lambda exc: _describe(exc, path), search_index.SqliteSearchIndex()), version)


def inspect_version(path: Path) -> int | None:
    """Schema version of a file without changing it (None if empty)."""
    engine = sqlite.make_engine(path, readonly=True)
    try:
        with engine.connect() as conn:
            return stored_version(conn)
    except DBAPIError as exc:
        raise StoreError(_describe(exc, path)) from None
    finally:
        engine.dispose()


__all__ = ["CURRENT_VERSION", "Database", "default_db_path", "describe_error", "inspect_version", "open_database"]
