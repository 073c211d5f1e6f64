"""Annotation files in and out through the desk: File > Import annotations
(W3C, brat) as one undoable edit, File > Export annotations (W3C, CSV, brat)."""

import csv
import json
import shutil
from pathlib import Path

from annotator.ui.app import start_window
from tests.ui_helpers import is_filled, is_underlined, modal_dialog, rows

DATA = Path(__file__).parent / "data"


def open_mixed(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NO_SEED", "1")
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    shutil.copy(DATA / "mixed-crlf.txt", tmp_path / "mixed-crlf.txt")
    win.files.import_files([tmp_path / "mixed-crlf.txt"], wait=True)
    qtbot.waitUntil(lambda: win.ctl.document is not None)
    return win


def test_import_w3c_is_one_undoable_edit_and_shows_at_once(qtbot, tmp_path, monkeypatch):
    win = open_mixed(qtbot, tmp_path, monkeypatch)
    source = json.loads((DATA / "mixed-crlf.w3c.json").read_text("utf-8"))
    assert win.files.import_annotation_file(DATA / "mixed-crlf.w3c.json")
    live = [r for r in rows(tmp_path / "desk.db") if not r.deleted]
    assert len(live) == len(source) == 9
    claim = next(r for r in live if win.ctl.label(r.label_id).name == "Claim")
    actor = next(r for r in live if win.ctl.label(r.label_id).name == "Actor")
    assert is_underlined(win.reader, claim.start) and is_filled(win.reader, actor.start)
    assert win.annotations.model.rowCount() == 9
    assert "imported 9, unchanged 0, orphans 0" in win.statusBar().currentMessage()
    win.ctl.undo_stack.undo()  # the whole import, in one step
    assert [r for r in rows(tmp_path / "desk.db") if not r.deleted] == []
    assert not is_filled(win.reader, actor.start)
    win.ctl.undo_stack.redo()
    assert {r.id for r in rows(tmp_path / "desk.db") if not r.deleted} == {r.id for r in live}
    # the same file again changes nothing and leaves nothing to undo
    count = win.ctl.undo_stack.count()
    assert win.files.import_annotation_file(DATA / "mixed-crlf.w3c.json")
    assert win.ctl.undo_stack.count() == count
    assert "imported 0, unchanged 9" in win.statusBar().currentMessage()


def test_import_brat_reports_what_it_left_out(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NO_SEED", "1")
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    win.files.import_files([DATA / "brat" / "000-introduction.txt"], wait=True)
    qtbot.waitUntil(lambda: win.ctl.document is not None)
    assert win.files.import_annotation_file(DATA / "brat" / "000-introduction.ann")
    assert len([r for r in rows(tmp_path / "desk.db") if not r.deleted]) == 7
    assert {lb.name for lb in win.ctl.labels()} >= {"Person", "Organization", "Money"}  # new labels, shown at once
    assert any("E1: events cannot be held" in line for _title, _summary, lines in win.prompter.reports for line in lines)


def test_a_bad_file_is_one_clear_error_and_changes_nothing(qtbot, tmp_path, monkeypatch):
    win = open_mixed(qtbot, tmp_path, monkeypatch)
    bad = tmp_path / "bad.json"
    bad.write_text('[{"type": "Annotation",', encoding="utf-8")
    assert not win.files.import_annotation_file(bad)
    assert "bad.json: not valid JSON" in win.prompter.last_error
    assert rows(tmp_path / "desk.db") == [] and win.ctl.undo_stack.count() == 0


def test_export_w3c_csv_and_brat(qtbot, tmp_path, monkeypatch):
    win = open_mixed(qtbot, tmp_path, monkeypatch)
    win.files.import_annotation_file(DATA / "mixed-crlf.w3c.json")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("a.json", "a.csv", "a.ann"):
        win.files.export_annotation_file(out / name, wait=True)
    exported = json.loads((out / "a.json").read_text("utf-8"))
    assert {a["id"] for a in exported} == {a["id"] for a in json.loads((DATA / "mixed-crlf.w3c.json").read_text("utf-8"))}
    with (out / "a.csv").open(newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == 9
    assert (out / "a.txt").read_text("utf-8") == win.ctl.document.text  # brat's .txt beside the .ann
    assert len([line for line in (out / "a.ann").read_text("utf-8").splitlines() if line.startswith("T")]) == 9


def test_document_properties_are_one_undoable_edit(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QTimer

    from annotator.store.database import open_database
    from annotator.ui.document_dialog import DocumentDialog

    win = open_mixed(qtbot, tmp_path, monkeypatch)
    doc = win.ctl.document

    def fill():
        dialog = modal_dialog()
        assert isinstance(dialog, DocumentDialog)
        dialog.title_edit.setText("  Border  report ")
        dialog.source_edit.setText("The National")
        dialog.published_edit.setText("2025-06-21")
        dialog.accept()

    QTimer.singleShot(0, fill)
    win.edit_document_properties()
    db = open_database(tmp_path / "desk.db", create=False)
    try:
        stored = db.repo.get_document(doc.id)
    finally:
        db.close()
    assert (stored.title, stored.source, stored.published) == ("Border report", "The National", "2025-06-21")
    assert stored.text == doc.text and stored.sha256 == doc.sha256
    assert "Border report" in win.windowTitle() and "Border report" in win.pane.header.text() and "The National" in win.pane.header.text()
    win.ctl.undo_stack.undo()
    assert win.ctl.document.title == doc.title and win.ctl.document.source == ""
