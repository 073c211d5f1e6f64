"""Merging a colleague's database, reviewing conflicts and measuring agreement, in the window."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from annotator.core.services import Desk
from annotator.store.database import open_database
from annotator.ui.app import start_window
from annotator.ui.sharing import AgreementDialog, ConflictsDialog, MergePreviewDialog
from tests.ui_helpers import open_copy_of_seed, select_and_tag, when_dialog

SEED_TEXT = (open_copy_of_seed.__globals__["SEED_FILE"]).read_text("utf-8")


def tag_in_window(qtbot, window, phrase, key):
    i = SEED_TEXT.index(phrase)
    select_and_tag(qtbot, window, i, i + len(phrase), key, Qt.KeyboardModifier.AltModifier)
    return window.annotations.selected_ids()[0]


def test_merge_preview_conflict_review_and_agreement(qtbot, tmp_path):
    mine = tmp_path / "mine.db"
    win = start_window(mine)
    qtbot.addWidget(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    shared = tag_in_window(qtbot, win, "Palmyra", Qt.Key.Key_L)
    tag_in_window(qtbot, win, "Damascus", Qt.Key.Key_L)
    win.ctl.set_note(shared, "my note")

    # A colleague starts from a copy of my file, tags more and edits the same note later.
    theirs = tmp_path / "theirs.db"
    win.ctl.db.close()  # fold the WAL in so the copy is complete
    shutil.copy(mine, theirs)
    win.ctl.open_database(mine)
    win.open_document(win.ctl.document_summaries()[0].id)
    db = open_database(theirs)
    desk = Desk(db.repo, "colleague")
    doc_id = db.repo.document_ids()[0]
    labels = {lb.name: lb.id for lb in db.repo.labels()}
    i = SEED_TEXT.index("Damascus")
    desk.add_annotation(doc_id, labels["Location"], i, i + 8)  # same span, same label: agreeing
    j = SEED_TEXT.index("Baghdad")
    desk.add_annotation(doc_id, labels["Location"], j, j + 7)
    desk.update_annotation(shared, note="their note")
    db.close()

    def accept_preview(dialog):
        assert dialog.merge_button.isEnabled()
        dialog.accept()

    when_dialog(win, MergePreviewDialog, accept_preview)
    merges = []
    win.merged.connect(merges.append)
    win.sharing.merge_database(theirs, wait=True)
    qtbot.waitUntil(lambda: bool(merges), timeout=20_000)
    report = merges[0]
    assert report.counts["annotation"].added == 2 and report.total.conflicts == 1
    creators = {win.annotations.model.annotation(r).creator for r in range(win.annotations.model.rowCount())}
    assert creators == {"tester", "colleague"}
    assert win.ctl.annotation(shared).note == "their note"  # the newer version wins

    # Review the conflict and keep my version instead (undoable).
    def review(dialog):
        assert dialog.list.count() == 1
        dialog.reverse.click()
        dialog.reject()

    when_dialog(win, ConflictsDialog, review)
    win.act_conflicts.trigger()
    assert win.ctl.annotation(shared).note == "my note"
    win.act_undo.trigger()
    assert win.ctl.annotation(shared).note == "their note"

    # Agreement between the two analysts on this document.
    def agreement(dialog):
        report = dialog.report
        assert {report.analyst_a, report.analyst_b} == {"tester", "colleague"}
        assert report.agreeing, "the two Damascus tags agree"
        assert dialog.disagreements.count() >= 1
        dialog.reject()

    when_dialog(win, AgreementDialog, agreement)
    win.act_agreement.trigger()

    # Merging the same file again changes nothing.
    def nothing_to_do(dialog):
        assert not dialog.merge_button.isEnabled()
        dialog.reject()

    when_dialog(win, MergePreviewDialog, nothing_to_do)
    win.sharing.merge_database(theirs, wait=True)


def test_merge_refuses_a_hostile_file_with_a_clear_message(qtbot, tmp_path):
    win = start_window(tmp_path / "mine.db")
    qtbot.addWidget(win)
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    win.sharing.merge_database(bad, wait=True)
    qtbot.waitUntil(lambda: bool(win.prompter.errors), timeout=10_000)
    assert "bad.db" in win.prompter.last_error
