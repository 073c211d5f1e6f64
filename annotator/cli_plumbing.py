"""The plumbing every ``annotator`` command uses: printing what came from
outside safely, and opening the desk on the database asked for."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .core.names import printable, printable_json
from .core.user import current_user

if TYPE_CHECKING:
    from .core.services import Desk
    from .store.database import Database


def _print(*values: object, file=None) -> None:
    """``print``, with every control character but tab and newline, every
    bidi override and every lone surrogate escaped: a file name, a title or
    a label may hold an ANSI escape that would clear or retitle the terminal."""
    print(printable(" ".join(map(str, values)), keep_lines=True), file=file or sys.stdout)


def _print_json(value: object) -> None:
    print(printable_json(json.dumps(value, ensure_ascii=False, indent=2)))


@contextmanager
def _desk(args: argparse.Namespace, *, create: bool, verify: bool = True) -> Iterator[tuple[Desk, Database]]:
    from .core.services import Desk
    from .store.database import open_database

    db = open_database(args.db, create=create, verify=verify)
    try:
        yield Desk(db.repo, args.user or current_user()), db
    finally:
        db.close()
