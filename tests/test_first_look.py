"""The first look (annotator.store.sqlite.first_look): the document the desk
draws before its store is loaded. It must be exactly what the store reads,
read only from a file the desk has already accepted, and leave every other
file as it was; the window then opens the database properly, or closes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.services import AnnotationDraft, Desk
from annotator.store.database import open_database
from annotator.store.sqlite.first_look import first_look

TEXTS = ("First report: Syria and Iraq.", "Second report 😀: Palmyra, دمشق, and the border.\nA second paragraph.")


def _database(path: Path) -> list:
    """Two documents; the second has a plain span, a discontinuous one and a deleted one."""
    db = open_database(path)
    try:
        desk = Desk(db.repo, "tester")
        desk.ensure_tagset()
        docs = [desk.import_document(t, f"Report {i + 1}").document for i, t in enumerate(TEXTS)]
        text = TEXTS[1]
        palmyra, border = text.index("Palmyra"), text.index("border")
        report = desk.import_annotations(
            docs[1].id,
            [
                AnnotationDraft(label="Location", start=palmyra, end=palmyra + 7),
                AnnotationDraft(label="Actor", fragments=[(0, 6), (border, border + 6)]),
                AnnotationDraft(label="Actor", start=text.index("دمشق"), end=text.index("دمشق") + 4),
            ],
        )
        desk.delete_annotations([report.added[2]])
        return docs
    finally:
        db.close()


def test_it_reads_what_the_store_reads(tmp_path):
    path = tmp_path / "desk.db"
    docs = _database(path)
    look = first_look(path, str(docs[1].id))
    db = open_database(path)
    try:
        table, fragments = db.repo.document_spans(docs[1].id)
        stored = db.repo.get_document(docs[1].id)
        labels = {lb.id: (lb.name, lb.kind, lb.color) for lb in db.repo.labels()}
    finally:
        db.close()
    assert look is not None
    assert (look.document.id, look.document.text, look.document.title, look.document.direction) == (
        stored.id, stored.text, stored.title, stored.direction,
    )  # fmt: skip
    assert (look.spans.ids, look.spans.label_ids, look.spans.starts, look.spans.ends) == (
        table.ids, table.label_ids, table.starts, table.ends,
    )  # fmt: skip
    assert len(look.spans.ids) == 2  # the deleted one is not drawn
    assert look.fragments == fragments and len(fragments) == 1
    assert {lb.id: (lb.name, lb.kind, lb.color) for lb in look.labels} == labels


def test_the_preferred_document_else_the_first(tmp_path):
    path = tmp_path / "desk.db"
    docs = _database(path)
    assert first_look(path, str(docs[1].id)).document.id == docs[1].id
    assert first_look(path, None).document.id == docs[0].id
    assert first_look(path, "9b2f7c1e-0000-4000-8000-000000000000").document.id == docs[0].id  # gone: the first


def _set(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    try:
        for sql in statements:
            con.execute(sql)
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize(
    "statements",
    [
        ["UPDATE schema_info SET value = '4' WHERE key = 'schema_version'"],  # older: the open migrates it first
        ["UPDATE schema_info SET value = '99' WHERE key = 'schema_version'"],  # newer: the open refuses it
        ["UPDATE schema_info SET value = 'other' WHERE key = 'application'"],
        ["ALTER TABLE annotation RENAME TO kept", "CREATE VIEW annotation AS SELECT * FROM kept"],
        ["UPDATE document SET deleted = 1"],
    ],
    ids=["older", "newer", "foreign", "view", "no-documents"],
)
def test_nothing_from_a_file_it_does_not_read(tmp_path, statements):
    path = tmp_path / "desk.db"
    _database(path)
    _set(path, *statements)
    assert first_look(path, None) is None


def test_a_file_the_desk_never_accepted_is_not_read_and_stays_as_it_was(tmp_path):
    path = tmp_path / "foreign.db"
    _database(path)
    _set(path, "PRAGMA journal_mode=DELETE")  # as any file is until the desk has checked it
    before = path.read_bytes()
    assert first_look(path, None) is None
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foreign.db"]  # no -wal, no -shm
    for missing in (tmp_path / "none.db", tmp_path):
        assert first_look(missing, None) is None
    (tmp_path / "text.db").write_text("not a database")
    assert first_look(tmp_path / "text.db", None) is None


def test_the_window_and_the_cli_start_without_the_store():
    """What makes the desk draw early and ``--help`` answer at once: neither
    imports SQLAlchemy (nor SQLModel, pydantic) before a database is opened."""
    code = (
        "import sys\n"
        "import annotator.ui.app, annotator.cli\n"
        "loaded = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'docx') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
