"""SQLite's quick check of a database file, run on a thread while the desk
is still loading the store.

Opening a database runs ``PRAGMA quick_check`` before anything is read
through the store (see :func:`annotator.store.database.open_database`): on a
corpus of 250 MB that is 0.4 s, and importing the store (SQLAlchemy,
pydantic) takes 0.5 s more. SQLite runs the check without holding Python's
interpreter lock, so the desk starts it here, with the standard library's
``sqlite3``, read-only, as soon as it has drawn the first look (a file it
has accepted before, see :mod:`.first_look`), and the proper open takes its
answer instead of checking again. The check is the same; only when it runs
changes, and the open still waits for it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from .first_look import connect_read_only


QUICK_CHECK = "PRAGMA quick_check(5)"  # (pages and b-trees, not the indexes' content: a few ms per MB)


def problems_of(rows: list[str]) -> list[str]:
    """What ``QUICK_CHECK``'s rows report; empty when the file is sound."""
    return [] if rows == ["ok"] else rows


def start_quick_check(path: Path) -> Callable[[], list[str] | None]:
    """Start the check of ``path``; the returned function waits for its
    problems ([] when the file is sound; None when it could not run: the
    proper open then checks the file itself)."""
    result: list[list[str] | None] = [None]

    def run() -> None:
        try:
            conn = connect_read_only(path)
            try:
                conn.execute("PRAGMA trusted_schema=OFF")
                rows = [r[0] for r in conn.execute(QUICK_CHECK).fetchall()]
            finally:
                conn.close()
        except (sqlite3.Error, OSError):
            return
        result[0] = problems_of(rows)

    thread = threading.Thread(target=run, name="annotator-quick-check", daemon=True)
    thread.start()

    def answer() -> list[str] | None:
        thread.join()
        return result[0]

    return answer
