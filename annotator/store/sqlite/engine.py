"""The SQLite engine and its settings (listed in :mod:`annotator.store.sqlite`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import OperationalError

from .early_check import QUICK_CHECK, problems_of

BUSY_TIMEOUT_MS = 15_000
READS_ONLY = "annotator_reads_only"
"""Execution option naming a connection that only reads (portable: another
backend ignores it)."""


def make_engine(path: Path, *, readonly: bool = False) -> Engine:
    if readonly:
        url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
    else:
        url = f"sqlite:///{path.as_posix()}"
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA trusted_schema=OFF")
        if not readonly:
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        reads_only = readonly or conn.get_execution_options().get(READS_ONLY, False)
        conn.exec_driver_sql("BEGIN" if reads_only else "BEGIN IMMEDIATE")

    return engine


def enable_wal(engine: Engine) -> None:
    """Put the file in WAL mode (it stays so). Called only once the file is
    known to be ours: switching rewrites the file's header, and a file we
    refuse (foreign, newer, damaged) must be left exactly as it was."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc):  # a read-only file keeps its mode: it reads, and a write says why not
                raise OperationalError("PRAGMA journal_mode=WAL", None, exc) from None
        finally:
            cur.close()
    finally:
        raw.close()


def quick_check(conn: Connection) -> list[str]:
    """Problems reported by ``PRAGMA quick_check`` (pages and b-trees, not
    the indexes' content: a few ms per MB); empty when the file is sound."""
    return problems_of([r[0] for r in conn.execute(text(QUICK_CHECK)).fetchall()])


def integrity_check(engine: Engine) -> list[str]:
    """Problems reported by ``PRAGMA integrity_check``; empty when the file is sound."""
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check")).fetchall()]
    return [] if rows == ["ok"] else rows


def checkpoint(engine: Engine) -> None:
    """Fold the WAL into the main file (before copying or sharing it)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def read_only_copy_engine(path: Path) -> Engine:
    return make_engine(path, readonly=True)
