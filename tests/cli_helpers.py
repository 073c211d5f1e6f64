"""Running the command line in a test as a user would, and reading what it printed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def cli_runner(db: Path | str, capsys) -> Callable[..., tuple[int, str, str]]:
    """``run(*args)``: ``annotator --db DB *args``; its exit status, stdout and stderr."""
    from annotator import cli

    def run(*args) -> tuple[int, str, str]:
        code = cli.main(["--db", str(db), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run
