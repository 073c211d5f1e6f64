"""The keyboard, pressed as an analyst presses it: standard bindings in
full, 1–9 for the extra labels, Delete, undo and redo as keys, and
shortcuts that stay in the widget they belong to."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QTextCursor

from annotator.core.model import Label, LabelKind
from annotator.core.services import Desk
from annotator.store.database import open_database
from tests.ui_helpers import active_window_on_seed, rows, select_and_tag

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "syria-troops-iraq-border.txt").read_text("utf-8").replace("\r\n", "\n")
SK = QKeySequence.StandardKey
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
EXTRA = [("Event", "#b07aa1"), ("Equipment", "#9c755f")]  # labels beyond the tagset's three


@pytest.fixture
def db_path(tmp_path) -> Path:
    """A database with the default tagset and two labels of kind "other"
    (resources/tagset.json has only Actor, Claim and Location, keyed A, C, L)."""
    path = tmp_path / "desk.db"
    db = open_database(path)
    desk = Desk(db.repo, "tester")
    labels = desk.ensure_tagset()
    assert {lb.name for lb in labels} == {"Actor", "Claim", "Location"}
    with db.repo.transaction():
        for i, (name, colour) in enumerate(EXTRA):
            db.repo.add_label(Label(name=name, kind=LabelKind.OTHER, color=colour, position=len(labels) + i, creator="tester"))
    db.close()
    return path


@pytest.fixture
def window(qtbot, db_path, tmp_path):
    return active_window_on_seed(qtbot, db_path, tmp_path)


def names(sequences) -> set[str]:
    return {QKeySequence(s).toString(QKeySequence.SequenceFormat.PortableText) for s in sequences}


def label_name(window, label_id) -> str:
    return window.ctl.label(label_id).name


def live(db_path):
    return [r for r in rows(db_path) if not r.deleted]


# --- 5. standard shortcuts in full ----------------------------------------------------------------


def test_standard_keys_bind_every_platform_binding(window):
    for act, key in (
        (window.act_undo, SK.Undo), (window.act_redo, SK.Redo), (window.act_zoom_in, SK.ZoomIn),
        (window.act_zoom_out, SK.ZoomOut), (window.act_find, SK.Find), (window.act_find_next, SK.FindNext),
        (window.act_find_prev, SK.FindPrevious), (window.act_delete, SK.Delete), (window.act_reload, SK.Refresh),
        (window.act_new_db, SK.New), (window.act_open_db, SK.Open), (window.act_quit, SK.Quit),
        (window.act_legend, SK.HelpContents),
    ):  # fmt: skip
        platform = names(QKeySequence.keyBindings(key))
        assert act.shortcuts() and platform <= names(act.shortcuts()), (act.text(), platform, names(act.shortcuts()))
    assert "Ctrl+Shift+Z" in names(window.act_redo.shortcuts())  # as the README says; Ctrl+Y too on Linux and Windows
    assert {"Ctrl++", "Ctrl+="} <= names(window.act_zoom_in.shortcuts())
    assert "F1" in names(window.act_legend.shortcuts())
    assert "Ctrl+Q" in names(window.act_quit.shortcuts()) or names(QKeySequence.keyBindings(SK.Quit))


def test_zoom_in_with_ctrl_equals(qtbot, window):
    before = window.reader.font().pointSizeF()
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Equal, CTRL)
    assert window.reader.font().pointSizeF() == before + 1


# --- 8. keys: 1–9, Delete, Ctrl+Z / Ctrl+Shift+Z -------------------------------------------------------


def test_number_keys_tag_with_the_extra_labels(qtbot, window, db_path):
    keys = {label_name(window, lid): act.shortcut().toString() for lid, act in window.tag_actions.items()}
    assert keys == {"Actor": "A", "Claim": "C", "Location": "L", "Event": "1", "Equipment": "2"}
    word = "skirmished"
    s = SEED.index(word)
    select_and_tag(qtbot, window, s, s + len(word), Qt.Key.Key_1)
    [row] = live(db_path)
    assert (row.exact, label_name(window, row.label_id)) == (word, "Event")
    assert row.entity_id is None, "an 'other' label names no entity"
    d = SEED.index("drone units")
    select_and_tag(qtbot, window, d, d + len("drone units"), Qt.Key.Key_2)
    assert {label_name(window, r.label_id) for r in live(db_path)} == {"Event", "Equipment"}
    assert window.annotations.model.rowCount() == 2


def test_delete_key_deletes_in_the_reader_but_edits_text_in_the_note(qtbot, window, db_path):
    s = SEED.index("Palmyra")
    select_and_tag(qtbot, window, s, s + 7, Qt.Key.Key_L)
    [row] = live(db_path)
    assert window.details.ann.id == row.id
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Delete)
    [gone] = rows(db_path)
    assert gone.id == row.id and gone.deleted, "kept as a tombstone"
    assert window.annotations.model.rowCount() == 0
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL)
    assert [r.id for r in live(db_path)] == [row.id]

    # In the note field Delete deletes a character, never the annotation.
    window.selection.select(row.id)
    note = window.details.note
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClicks(note, "xcentral")
    cur = note.textCursor()
    cur.setPosition(0)
    note.setTextCursor(cur)
    qtbot.keyClick(note, Qt.Key.Key_Delete)
    assert note.toPlainText() == "central"
    assert [r.id for r in live(db_path)] == [row.id]
    qtbot.keyClick(note, Qt.Key.Key_Return, CTRL)
    assert live(db_path)[0].note == "central"


def test_undo_and_redo_as_keys(qtbot, window, db_path):
    s = SEED.index("Damascus")
    select_and_tag(qtbot, window, s, s + 8, Qt.Key.Key_L)
    [row] = live(db_path)
    reader = window.reader
    reader.setFocus()
    qtbot.keyClick(reader, Qt.Key.Key_Z, CTRL)
    assert live(db_path) == [] and window.annotations.model.rowCount() == 0
    qtbot.keyClick(reader, Qt.Key.Key_Z, CTRL | SHIFT)
    assert [r.id for r in live(db_path)] == [row.id] and window.annotations.model.rowCount() == 1
    if "Ctrl+Y" in names(QKeySequence.keyBindings(SK.Redo)):  # Linux and Windows
        qtbot.keyClick(reader, Qt.Key.Key_Z, CTRL)
        assert live(db_path) == []
        qtbot.keyClick(reader, Qt.Key.Key_Y, CTRL)
        assert [r.id for r in live(db_path)] == [row.id]


# --- 6. shortcuts stay in their widget ----------------------------------------------------------------


def test_ctrl_enter_in_the_reader_does_not_save_a_note(qtbot, window, db_path):
    s = SEED.index("Palmyra")
    select_and_tag(qtbot, window, s, s + 7, Qt.Key.Key_L)
    note = window.details.note
    note.setPlainText("typed, not saved yet")  # the note field never had the focus
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Return, CTRL)
    qtbot.keyClick(window.reader, Qt.Key.Key_Enter, CTRL | Qt.KeyboardModifier.KeypadModifier)
    assert live(db_path)[0].note == ""
    assert window.ctl.undo_stack.count() == 1, "only the tag"
    # In the note, Ctrl+Enter saves it.
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClick(note, Qt.Key.Key_Return, CTRL)
    assert live(db_path)[0].note == "typed, not saved yet"


def test_esc_closes_only_the_find_bar_and_leaves_the_note_alone(qtbot, window, db_path):
    s = SEED.index("Palmyra")
    select_and_tag(qtbot, window, s, s + 7, Qt.Key.Key_L)
    bar = window.pane.find_bar
    assert not bar.isVisible()
    note = window.details.note
    note.setPlainText("draft")
    # Esc in the reader with the find bar closed: nothing happens to the note.
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Escape)
    assert note.toPlainText() == "draft" and live(db_path)[0].note == ""
    # With the find bar open, Esc while typing the note leaves both alone:
    # the bar's Esc used to be window-wide, closed it and took the focus to
    # the reader (saving the draft on the way out).
    window.act_find.trigger()
    assert bar.isVisible()
    note.setFocus()
    qtbot.waitUntil(note.hasFocus)
    note.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(note, " more")
    qtbot.keyClick(note, Qt.Key.Key_Escape)
    assert note.hasFocus() and bar.isVisible()
    assert note.toPlainText() == "draft more" and live(db_path)[0].note == ""
    # In the find bar Esc still closes it and returns to the reader.
    bar.edit.setFocus()
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible() and window.reader.hasFocus()


def test_every_qshortcut_has_its_context_set(window):
    from PySide6.QtGui import QShortcut

    found = window.findChildren(QShortcut)
    assert len(found) >= 5
    for shortcut in found:
        assert shortcut.context() != Qt.ShortcutContext.WindowShortcut, shortcut.key().toString()
