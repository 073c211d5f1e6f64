"""The change log: a desk learns exactly what other writers committed, and only that."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer
from sqlalchemy import update

from annotator.cli import main as cli
from annotator.core.model import LabelKind
from annotator.core.operations import services_for
from annotator.store import change_log, merge
from annotator.store.database import open_database
from tests.ui_helpers import modal_dialog, select_and_tag, window_on_text

TEXT = "Syrian troops moved to the border near Al Bukamal, officials said.\n"
OTHER = "A second report: the PMF denied it.\n"


@pytest.fixture
def two(tmp_path):
    """Two writers on one file (two windows, or a window and the CLI), and a document."""
    path = tmp_path / "desk.db"
    a, b = open_database(path), open_database(path)
    desk = services_for(a.repo, "ana").desk
    desk.ensure_tagset()
    doc = desk.import_document(TEXT, "Report").document
    yield a, b, desk, doc
    a.close()
    b.close()


def _label(db, kind):
    return next(lb.id for lb in db.repo.labels() if lb.kind is kind)


def test_a_commit_is_news_to_the_other_writer_only(two):
    a, b, desk, doc = two
    start = b.repo.change_position()
    desk.add_annotation(doc.id, _label(a, LabelKind.ACTOR), 0, 13)
    seen = b.repo.changes_since(start)
    assert seen and "annotation" in seen.tables and seen.touches(doc.id)
    assert not a.repo.changes_since(start)  # its own edit is not news to the writer
    assert not b.repo.changes_since(seen.seq)  # and told once
    # A claim's grading names its document through its annotation.
    claim, _ = desk.add_annotation(doc.id, _label(a, LabelKind.CLAIM), 14, 40)
    pos = b.repo.change_position()
    services_for(a.repo, "ana").claims.set_details(claim.id, reliability="B", credibility="2")
    graded = b.repo.changes_since(pos)
    assert "claim" in graded.tables and graded.documents == frozenset({doc.id})


def test_reads_leave_no_trace(two, tmp_path, capsys):
    a, b, desk, doc = two
    pos = b.repo.change_position()
    list(a.repo.annotations(doc.id))
    a.repo.document_summaries()
    with a.repo.transaction():  # a transaction that only reads
        a.repo.labels()
    assert cli(["--db", str(a.path), "docs"]) == 0
    assert cli(["--db", str(a.path), "annotations", "export", str(doc.id), "-o", str(tmp_path / "out.json")]) == 0
    assert not b.repo.changes_since(pos)
    assert cli(["--db", str(a.path), "import", str(_file(tmp_path, "second.txt", OTHER))]) == 0
    imported = b.repo.changes_since(pos)
    assert "document" in imported.tables and not imported.touches(doc.id)
    capsys.readouterr()


def _file(folder, name, text):
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def test_a_merge_names_the_documents_it_wrote(two, tmp_path):
    a, b, desk, doc = two
    theirs_path = tmp_path / "colleague.db"
    theirs = open_database(theirs_path)
    try:
        their_desk = services_for(theirs.repo, "bo").desk
        their_desk.ensure_tagset()
        their_doc = their_desk.import_document(OTHER, "Their report").document
        their_desk.add_annotation(their_doc.id, _label(theirs, LabelKind.ACTOR), 27, 30)
    finally:
        theirs.close()
    pos = b.repo.change_position()
    merge.apply_merge(a, theirs_path, user="ana")
    merged = b.repo.changes_since(pos)
    assert {"document", "annotation"} <= merged.tables
    assert merged.touches(their_doc.id) and not merged.touches(doc.id)


def test_a_pruned_log_says_everything_may_have_changed(two):
    a, b, desk, doc = two
    pos = b.repo.change_position()
    for start in (0, 14, 27):
        desk.add_annotation(doc.id, _label(a, LabelKind.ACTOR), start, start + 5)
    with a.engine.begin() as conn:  # a month passes
        old = change_log.now() - change_log.KEPT_FOR - timedelta(days=1)
        conn.execute(update(change_log.CL).values(committed=old))
    open_database(a.path).close()  # any opening prunes
    with a.engine.connect() as conn:
        assert conn.execute(change_log.CL.select()).all()[-1].seq == b.repo.change_position()  # the last is kept
    changes = b.repo.changes_since(pos)
    assert changes.tables == {"*"} and changes.documents is None and changes.touches(doc.id)


# --- through the window -------------------------------------------------------------------


@pytest.fixture
def window(qtbot, tmp_path):
    return window_on_text(qtbot, tmp_path, TEXT * 3)


def test_the_desks_own_edits_and_a_read_only_cli_are_not_changes_elsewhere(qtbot, window, tmp_path, capsys):
    select_and_tag(qtbot, window, 0, 13)  # Actor: Syrian troops
    (entity_id,) = {a.entity_id for a in window.ctl.annotations()}

    def accept_all():
        modal_dialog().accept()

    QTimer.singleShot(0, accept_all)
    window.entity_tools.tag_all_occurrences(entity_id)  # a dialog of its own, and two more tags
    assert len(window.ctl.entities.mentions(entity_id)) == 3
    assert cli(["--db", str(window.db_path), "docs"]) == 0
    assert cli(["--db", str(window.db_path), "annotations", "export", str(window.ctl.document.id), "-o", str(tmp_path / "w3c.json")]) == 0
    capsys.readouterr()
    assert not window.databases.check_external_changes()
    assert "elsewhere" not in window.statusBar().currentMessage()


def test_a_change_to_another_document_leaves_the_open_one_alone(qtbot, window, tmp_path, capsys):
    doc = window.ctl.document
    assert cli(["--db", str(window.db_path), "import", str(_file(tmp_path, "second.txt", OTHER))]) == 0
    capsys.readouterr()
    with qtbot.assertNotEmitted(window.annotations.model.modelReset):
        assert window.databases.check_external_changes()
    assert window.ctl.document.id == doc.id
    assert window.documents.model.rowCount() == 2  # the list shows the new document
    # A tag in the open document by another writer: that document is re-read.
    other = open_database(window.db_path, create=False)
    try:
        services_for(other.repo, "bo").desk.add_annotation(doc.id, _label(other, LabelKind.LOCATION), 39, 49)
    finally:
        other.close()
    with qtbot.waitSignal(window.annotations.model.modelReset):
        assert window.databases.check_external_changes()
    assert any(window.annotations.model.annotation(r).exact == "Al Bukamal" for r in range(window.annotations.model.rowCount()))
    assert not window.databases.check_external_changes()


def test_f5_reloads_everything(qtbot, window):
    other = open_database(window.db_path, create=False)
    try:
        services_for(other.repo, "bo").desk.add_annotation(window.ctl.document.id, _label(other, LabelKind.LOCATION), 39, 49)
    finally:
        other.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.ctl.external_changes()  # (activation looked already; F5 must not need news to re-read)
    with qtbot.waitSignal(window.annotations.model.modelReset):
        qtbot.keyClick(window.reader, Qt.Key.Key_F5)
    assert any(window.annotations.model.annotation(r).exact == "Al Bukamal" for r in range(window.annotations.model.rowCount()))
