"""The quick check started at the first look, while the store loads: the
open takes its answer, and a damaged file the first look could still read
is refused all the same, by the store and by the desk."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from annotator.core.errors import StoreError
from annotator.core.services import Desk
from annotator.store.database import open_database
from annotator.store.sqlite.early_check import start_quick_check
from annotator.store.sqlite.first_look import first_look
from tests.merge_helpers import sql


@pytest.fixture
def database(tmp_path) -> Path:
    """A database the desk has accepted (WAL mode) with a document and an actor."""
    path = tmp_path / "desk.db"
    db = open_database(path)
    desk = Desk(db.repo, "tester")
    labels = {lb.name: lb for lb in desk.ensure_tagset()}
    doc = desk.import_document("Assad spoke in Damascus.", "Report").document
    desk.add_annotation(doc.id, labels["Actor"].id, 0, 5)
    db.close()
    return path


def _scribble_entities(db: Path) -> None:
    """Random bytes over the entity table's page: the first look, which reads
    documents, labels and annotations, never touches it."""
    [(root,)] = sql(db, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'entity'")
    [(size,)] = sql(db, "PRAGMA page_size")
    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    rnd = random.Random(5)
    at = (root - 1) * size
    data[at + 8 : at + size] = bytes(rnd.randrange(256) for _ in range(size - 8))
    db.write_bytes(bytes(data))


def test_a_sound_file_passes_and_the_open_takes_the_answer(database, monkeypatch):
    from annotator.store.sqlite import engine

    checked = start_quick_check(database)
    assert checked() == []
    ran = []
    monkeypatch.setattr(engine, "quick_check", lambda conn: ran.append(1) or [])
    open_database(database, checked=checked).close()
    assert ran == []  # not checked twice
    open_database(database, checked=lambda: None).close()
    assert ran == [1]  # no answer (the early check could not run): checked here


def test_a_damaged_file_the_first_look_reads_is_refused(database):
    _scribble_entities(database)
    assert first_look(database) is not None  # drawn before the store loads
    checked = start_quick_check(database)
    assert checked()
    with pytest.raises(StoreError, match="damaged database file"):
        open_database(database, checked=checked)


def test_the_desk_refuses_it_too(qtbot, database, prompter):
    from annotator.ui.app import start_window

    _scribble_entities(database)
    assert start_window(database) is None
    assert "damaged database file" in prompter.last_error
