"""Undo around a merge: marking a conflict reviewed is an undoable edit; a
merge clears the undo history (older commands would write stale values over
merged rows) and says so."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from annotator.core.services import Desk
from annotator.store import merge
from annotator.store.database import open_database
from annotator.ui.app import start_window
from annotator.ui.sharing import ConflictsDialog, MergePreviewDialog
from tests.ui_helpers import open_copy_of_seed, select_and_tag, when_dialog

SEED_TEXT = (open_copy_of_seed.__globals__["SEED_FILE"]).read_text("utf-8")


def tag(qtbot, window, phrase, key):
    i = SEED_TEXT.index(phrase)
    select_and_tag(qtbot, window, i, i + len(phrase), key, Qt.KeyboardModifier.AltModifier)
    return window.annotations.selected_ids()[0]


@pytest.fixture
def merged(qtbot, tmp_path):
    """My window after merging a colleague's copy whose note on the same
    annotation is newer: one conflict. Returns (window, annotation id)."""
    mine = tmp_path / "mine.db"
    win = start_window(mine)
    qtbot.addWidget(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    shared = tag(qtbot, win, "Palmyra", Qt.Key.Key_L)
    win.ctl.set_note(shared, "my note")
    theirs = tmp_path / "theirs.db"
    win.ctl.db.close()  # fold the WAL in so the copy is complete
    shutil.copy(mine, theirs)
    assert win.databases.open_database(mine)
    win.open_document(win.ctl.document_summaries()[0].id)
    # Edits made before the merge, still on the undo stack: one of them on the
    # annotation the colleague edits after it.
    other = tag(qtbot, win, "Damascus", Qt.Key.Key_L)
    win.ctl.set_note(shared, "my later note")
    win.ctl.set_note(other, "a note")
    assert win.ctl.undo_stack.count() >= 3
    db = open_database(theirs)
    Desk(db.repo, "colleague").update_annotation(shared, note="their newest note")  # newer than all of mine
    db.close()

    when_dialog(win, MergePreviewDialog, lambda dialog: dialog.accept())
    merges = []
    win.merged.connect(merges.append)
    win.sharing.merge_database(theirs, wait=True)
    qtbot.waitUntil(lambda: bool(merges), timeout=20_000)
    assert merges[0].total.conflicts == 1
    return win, shared


def test_a_merge_clears_the_undo_history_and_says_so(merged):
    win, shared = merged
    assert win.ctl.annotation(shared).note == "their newest note"
    assert win.ctl.undo_stack.count() == 0
    assert not win.act_undo.isEnabled()
    assert "earlier edits can no longer be undone" in win.statusBar().currentMessage()
    win.act_undo.trigger()  # nothing to undo: the merged note stays
    assert win.ctl.annotation(shared).note == "their newest note"


def test_marking_a_conflict_reviewed_is_undoable(qtbot, merged):
    win, _shared = merged
    [conflict] = merge.conflicts(win.ctl.db)
    assert not conflict.resolved
    seen = {}

    def review(dialog):
        assert dialog.list.count() == 1 and dialog.reviewed.text() == "Mark reviewed"
        dialog.reviewed.click()
        seen["text"] = dialog.reviewed.text()
        dialog.reject()

    when_dialog(win, ConflictsDialog, review)
    win.act_conflicts.trigger()
    assert seen["text"] == "Mark not reviewed"
    assert merge.get_conflict(win.ctl.db, conflict.id).resolved
    assert win.ctl.undo_stack.count() == 1 and win.act_undo.text().endswith("Mark conflict reviewed")
    win.act_undo.trigger()
    assert not merge.get_conflict(win.ctl.db, conflict.id).resolved
    win.act_redo.trigger()
    assert merge.get_conflict(win.ctl.db, conflict.id).resolved
    # Marking it not reviewed undoes back to reviewed.
    assert win.ctl.set_conflict_reviewed(conflict.id, False)
    assert not merge.get_conflict(win.ctl.db, conflict.id).resolved
    win.act_undo.trigger()
    assert merge.get_conflict(win.ctl.db, conflict.id).resolved
