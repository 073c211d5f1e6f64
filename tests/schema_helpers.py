"""A database file as an older Annotator left it, for the migration tests."""

from __future__ import annotations

from pathlib import Path

from annotator.store.migrations import MIGRATIONS, _set_version
from annotator.store.sqlite import engine as store_sqlite


def file_at_version(path: Path, version: int) -> None:
    """Create ``path`` with the schema the first ``version`` migrations build, and that version set."""
    engine = store_sqlite.make_engine(path)
    with engine.begin() as conn:
        for target, _what, step in MIGRATIONS:
            if target <= version:
                step(conn)
        _set_version(conn, version)
    engine.dispose()
