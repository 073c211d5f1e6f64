"""Nothing typed is lost (issue 10): a note or a claim's rationale is saved as
it is typed, and one editing session of a field is one undo step.

The kill tests run the real desk in a subprocess (tests/crash_driver.py
``type``): it selects an annotation, types into the field, lets the event loop
run 1.5 s without Ctrl+Enter and without leaving the field, then kills itself
with SIGKILL; the text must be in the database file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from annotator.core.services import Desk
from annotator.store.database import open_database
from annotator.ui.app import start_window
from tests.ui_helpers import open_copy_of_seed, select_and_tag

DRIVER = Path(__file__).with_name("crash_driver.py")
TEXT = "Syria has sent troops to the Iraqi border, officials said on Monday.\n"
CTRL = Qt.KeyboardModifier.ControlModifier


def prepared_db(path: Path):
    """A database with one document, an actor mention and a claim."""
    db = open_database(path)
    try:
        desk = Desk(db.repo, "tester")
        labels = {lb.name: lb for lb in desk.ensure_tagset()}
        doc = desk.import_document(TEXT, "Troops").document
        actor, _ = desk.add_annotation(doc.id, labels["Actor"].id, 0, 5)
        claim, _ = desk.add_annotation(doc.id, labels["Claim"].id, 0, 41)
    finally:
        db.close()
    return actor.id, claim.id


def type_and_kill(tmp_path: Path, field: str, ann_id, text: str) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ANNOTATOR_DB": str(tmp_path / "desk.db"),
           "ANNOTATOR_USER": "tester", "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip
    proc = subprocess.run([sys.executable, str(DRIVER), "type", field, str(ann_id), text],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, f"the desk did not die by SIGKILL: {proc.returncode}\n{proc.stderr[-2000:]}"
    assert proc.stdout.strip() == "focus kept", proc.stdout  # no focus-out saved it
    return proc.stdout


@pytest.mark.timeout(180)
def test_a_note_typed_is_in_the_file_after_kill_9(tmp_path):
    actor, _claim = prepared_db(tmp_path / "desk.db")
    type_and_kill(tmp_path, "note", actor, "Named by two officials")
    db = open_database(tmp_path / "desk.db", create=False)
    try:
        assert db.repo.get_annotation(actor).note == "Named by two officials"
    finally:
        db.close()


@pytest.mark.timeout(180)
def test_a_rationale_typed_is_in_the_file_after_kill_9(tmp_path):
    _actor, claim = prepared_db(tmp_path / "desk.db")
    type_and_kill(tmp_path, "rationale", claim, "Two officials, one outlet")
    db = open_database(tmp_path / "desk.db", create=False)
    try:
        row = db.repo.claim_for(claim)
        assert row is not None and row.likelihood_note == "Two officials, one outlet"
    finally:
        db.close()


# --- in the window: saved while typing, one undo step per session ----------------------------


@pytest.fixture
def window(qtbot, tmp_path):
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def tag(qtbot, window, phrase: str, key):
    text = window.reader.text
    i = text.index(phrase)
    select_and_tag(qtbot, window, i, i + len(phrase), key, Qt.KeyboardModifier.AltModifier)
    return window.annotations.selected_ids()[0]


def focus(qtbot, edit) -> None:
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)


def test_note_saved_while_typing_one_undo_step_per_session(qtbot, window):
    ann_id = tag(qtbot, window, "Damascus", Qt.Key.Key_L)
    window.selection.select(ann_id)
    note, stack = window.details.note, window.ctl.undo_stack
    before = stack.count()
    focus(qtbot, note)
    qtbot.keyClicks(note, "seen ")
    qtbot.waitUntil(lambda: window.ctl.annotation(ann_id).note == "seen ", timeout=3000)
    assert note.toPlainText() == "seen " and note.hasFocus()  # the space typed stays, the cursor too
    qtbot.keyClicks(note, "from the road")
    qtbot.waitUntil(lambda: window.ctl.annotation(ann_id).note == "seen from the road", timeout=3000)
    assert stack.count() == before + 1  # the saves of one session merged
    window.reader.setFocus()  # the session ends
    focus(qtbot, note)
    qtbot.keyClicks(note, ", twice")
    qtbot.keyClick(note, Qt.Key.Key_Return, CTRL)  # saved at once, the session ends
    assert window.ctl.annotation(ann_id).note == "seen from the road, twice"
    assert stack.count() == before + 2
    window.reader.setFocus()
    window.act_undo.trigger()
    assert window.ctl.annotation(ann_id).note == "seen from the road" == note.toPlainText()
    window.act_undo.trigger()
    assert window.ctl.annotation(ann_id).note == "" == note.toPlainText()


def test_undo_while_typing_undoes_the_whole_session(qtbot, window):
    """The toolbar's Undo leaves the focus in the note: what is pending is
    saved into the session's step first, then that step is undone."""
    ann_id = tag(qtbot, window, "Damascus", Qt.Key.Key_L)
    window.selection.select(ann_id)
    note = window.details.note
    focus(qtbot, note)
    qtbot.keyClicks(note, "draft")
    qtbot.waitUntil(lambda: window.ctl.annotation(ann_id).note == "draft", timeout=3000)
    qtbot.keyClicks(note, " two")  # pending
    window.act_undo.trigger()
    assert window.ctl.annotation(ann_id).note == "" == note.toPlainText()
    qtbot.wait(1000)  # nothing saved back afterwards
    assert window.ctl.annotation(ann_id).note == ""
    assert window.ctl.annotation(ann_id).deleted is False  # the tag itself is the next step


def test_switching_annotation_saves_the_note_to_the_one_left(qtbot, window):
    first = tag(qtbot, window, "Damascus", Qt.Key.Key_L)
    second = tag(qtbot, window, "Syria", Qt.Key.Key_A)
    window.selection.select(first)
    note = window.details.note
    focus(qtbot, note)
    qtbot.keyClicks(note, "capital")
    window.selection.select(second)  # at once, not after the pause
    assert window.ctl.annotation(first).note == "capital"
    assert window.ctl.annotation(second).note == "" == note.toPlainText()


def test_closing_the_window_saves_the_note(qtbot, window, tmp_path):
    ann_id = tag(qtbot, window, "Damascus", Qt.Key.Key_L)
    window.selection.select(ann_id)
    note = window.details.note
    focus(qtbot, note)
    qtbot.keyClicks(note, "closing now")
    window.close()
    db = open_database(tmp_path / "desk.db", create=False)
    try:
        assert db.repo.get_annotation(ann_id).note == "closing now"
    finally:
        db.close()


def test_rationale_saved_while_typing_one_undo_step_per_session(qtbot, window):
    claim = tag(qtbot, window, "Syria has sent 3,000 troops", Qt.Key.Key_C)
    window.selection.select(claim)
    edit, stack = window.details.claim.likelihood_note, window.ctl.undo_stack
    before = stack.count()
    focus(qtbot, edit)
    qtbot.keyClicks(edit, "Two officials ")
    qtbot.waitUntil(lambda: window.ctl.claims.details(claim).claim.likelihood_note == "Two officials", timeout=3000)
    assert edit.toPlainText() == "Two officials " and edit.hasFocus()  # saved stripped, the space typed stays
    qtbot.keyClicks(edit, "unnamed")
    qtbot.waitUntil(lambda: window.ctl.claims.details(claim).claim.likelihood_note == "Two officials unnamed", timeout=3000)
    assert edit.toPlainText() == "Two officials unnamed"
    assert stack.count() == before + 1
    window.reader.setFocus()
    focus(qtbot, edit)
    qtbot.keyClicks(edit, ", one outlet")
    window.reader.setFocus()  # leaving the field saves at once
    assert window.ctl.claims.details(claim).claim.likelihood_note == "Two officials unnamed, one outlet"
    assert stack.count() == before + 2
    window.act_undo.trigger()
    assert window.ctl.claims.details(claim).claim.likelihood_note == "Two officials unnamed" == edit.toPlainText()
    window.act_undo.trigger()
    assert window.ctl.claims.details(claim).claim.likelihood_note == "" == edit.toPlainText()
