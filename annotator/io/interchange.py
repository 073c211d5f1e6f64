"""Annotation files in and out, by format: the one entry point the command
line and the desk share, so both read and write exactly the same way.

Formats: W3C Web Annotation JSON (in and out), brat standoff ``.ann`` (in and
out; writing puts the canonical ``.txt`` beside it) and CSV (out). Without an
explicit format the file's suffix decides: ``.ann`` is brat, ``.csv`` is CSV,
anything else W3C.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import InputError
from ..core.model import Document
from ..core.ports import Repository
from ..core.services import AnnotationImport, Desk
from .atomic import atomic_write

FORMATS_IN = ("w3c", "brat")
FORMATS_OUT = ("w3c", "csv", "brat")
_BY_SUFFIX = {".ann": "brat", ".csv": "csv"}


def format_for(path: Path | str, given: str | None = None, *, writing: bool = False) -> str:
    """The format to use for ``path``: ``given`` if set, else by its suffix."""
    fmt = given or _BY_SUFFIX.get(Path(path).suffix.lower(), "w3c")
    allowed = FORMATS_OUT if writing else FORMATS_IN
    if fmt not in allowed:
        raise InputError(f"{path}: cannot {'write' if writing else 'read'} {fmt} annotations (formats: {', '.join(allowed)})")
    return fmt


@dataclass
class FileImport:
    """What importing one annotation file did."""

    report: AnnotationImport
    unchanged: int = 0  # annotations already in the document
    extras: int | None = None  # brat relations, attributes and normalisations stored (None: not brat)
    problems: list[str] = field(default_factory=list)  # lines left out, one each (brat)

    def summary(self) -> str:
        line = f"imported {len(self.report.added)}, unchanged {self.unchanged}, orphans {len(self.report.orphans)}"
        if self.extras is not None:
            line += f", relations/attributes/normalisations {self.extras}"
        return line


def import_annotation_file(desk: Desk, doc_id: uuid.UUID, path: Path | str, fmt: str | None = None) -> FileImport:
    """Read ``path`` and anchor its annotations in the document, in one
    transaction (the default tagset with them): all of it or nothing."""
    fmt = format_for(path, fmt)
    if fmt == "brat":
        from .brat import import_brat, read_brat_file

        parsed = read_brat_file(path)  # the .txt beside it, if any, maps brat's offsets
        result = import_brat(desk, doc_id, parsed)
        return FileImport(result.report, result.unchanged, result.extras_added, list(result.problems))
    from .w3c import read_w3c_file

    drafts = read_w3c_file(path)  # the whole file is read and checked before the database is touched
    with desk.repo.transaction():
        desk.ensure_tagset()
        report = desk.import_annotations(doc_id, drafts)
    return FileImport(report, len(report.unchanged))


def export_annotation_file(repo: Repository, doc: Document, path: Path | str, fmt: str | None = None) -> tuple[list[Path], list[str]]:
    """Write the document's annotations to ``path`` (atomically); returns the
    files written and what could not be written, one line each."""
    path = Path(path)
    fmt = format_for(path, fmt, writing=True)
    if fmt == "brat":
        from .brat import write_brat

        ann_path, txt_path, problems = write_brat(repo, doc, path)
        return [ann_path, txt_path], problems
    if fmt == "csv":
        from .csv_io import export_csv

        with atomic_write(path, newline="") as fh:
            export_csv(repo, doc, fh)
    else:
        from .w3c import w3c_json

        text = w3c_json(repo, doc)
        with atomic_write(path) as fh:
            fh.write(text)
    return [path], []
