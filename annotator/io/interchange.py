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
from .w3c_terms import URN_UUID

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
    problems: list[str] = field(default_factory=list)  # what was left out, one line each
    elsewhere: list[uuid.UUID] = field(default_factory=list)  # W3C ids another document's annotations have

    def summary(self) -> str:
        line = f"imported {len(self.report.added)}, unchanged {self.unchanged}, orphans {len(self.report.orphans)}"
        if self.elsewhere:
            line += f", in other documents {len(self.elsewhere)}"
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
    result = FileImport(report, len(report.unchanged))
    if report.unchanged:
        _find_elsewhere(desk.repo, doc_id, drafts, result)
    return result


def _find_elsewhere(repo: Repository, doc_id: uuid.UUID, drafts: list, result: FileImport) -> None:
    """Name the annotations left unchanged because their id is another
    document's annotation's: nothing of them lands here, and that is said."""
    here = {row.id for row in repo.annotation_spans(doc_id)}
    where = {d.id: d.source_line for d in drafts if d.id is not None}
    docs: dict[uuid.UUID, Document] = {}
    for ann_id in result.report.unchanged:
        if ann_id in here:
            continue
        ann = repo.get_annotation(ann_id)  # deleted here, or another document's
        if ann.document_id == doc_id:
            continue
        doc = docs.get(ann.document_id)
        if doc is None:
            doc = docs[ann.document_id] = repo.get_document(ann.document_id)
        what = f"{where.get(ann_id) or URN_UUID + str(ann_id)}: not imported: it already belongs to document {doc.id} {doc.title!r}"
        if ann.deleted:
            result.problems.append(f"{what} (deleted there); remove its id to import it here as new")
        else:
            result.problems.append(f"{what}; import it there, or remove its id to import it here as new")
        result.elsewhere.append(ann_id)
    result.unchanged -= len(result.elsewhere)


def export_annotation_file(repo: Repository, doc: Document, path: Path | str, fmt: str | None = None) -> tuple[list[Path], list[str]]:
    """Write the document's annotations to ``path`` (atomically); returns the
    files written and what could not be written, one line each."""
    path = Path(path)
    fmt = format_for(path, fmt, writing=True)
    if fmt == "brat":
        from .brat_write import write_brat

        ann_path, txt_path, problems = write_brat(repo, doc, path)
        return [ann_path, txt_path], problems
    if fmt == "csv":
        from .csv_io import export_csv

        with atomic_write(path, newline="") as fh:
            export_csv(repo, doc, fh)
    else:
        from .w3c import write_w3c

        with atomic_write(path) as fh:
            write_w3c(repo, doc, fh)
    return [path], []
