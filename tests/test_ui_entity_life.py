"""No orphans, through the real window: deleting or undoing a tag, or
replacing a claim's source, takes along the entity nothing refers to any
more (out of the Entities view, the Source completer and the database), and
Ctrl+Z brings it back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from tests.ui_helpers import active_window_on_seed, modal_dialog, name_source, select_and_tag

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "syria-troops-iraq-border.txt").read_text("utf-8").replace("\r\n", "\n")
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(qtbot, tmp_path):
    return active_window_on_seed(qtbot, tmp_path / "desk.db", tmp_path)


def entity_rows(db_path: Path, name: str) -> list[tuple[int]]:
    """The deleted flag of every entity row called ``name``."""
    con = sqlite3.connect(db_path)
    try:
        return con.execute("SELECT deleted FROM entity WHERE name = ?", (name,)).fetchall()
    finally:
        con.close()


def listed(window) -> set[str]:
    """The names the Entities view lists."""
    window.tabs.setCurrentWidget(window.entities)
    model = window.entities.model
    names = {model.entity(r).name for r in range(model.rowCount())}
    window.tabs.setCurrentWidget(window.annotations)
    return names


def tag(qtbot, window, phrase: str, key) -> None:
    start = SEED.index(phrase)
    select_and_tag(qtbot, window, start, start + len(phrase), key, ALT)


def test_deleting_the_last_mention_removes_its_entity_and_ctrl_z_brings_it_back(qtbot, window, tmp_path):
    db = tmp_path / "desk.db"
    tag(qtbot, window, "Bukamal border", Qt.Key.Key_L)
    assert "Bukamal border" in listed(window) and entity_rows(db, "Bukamal border") == [(0,)]
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Delete)
    assert entity_rows(db, "Bukamal border") == [(1,)], "tombstoned with its last mention, in the same edit"
    assert "Bukamal border" not in listed(window)
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL)
    assert entity_rows(db, "Bukamal border") == [(0,)] and "Bukamal border" in listed(window)


def test_undoing_a_tag_leaves_no_zero_mention_entity(qtbot, window, tmp_path):
    db = tmp_path / "desk.db"
    tag(qtbot, window, "two security officials", Qt.Key.Key_A)
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL)
    assert entity_rows(db, "two security officials") == [(1,)]
    assert "two security officials" not in listed(window)
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # redo: the same row again
    assert entity_rows(db, "two security officials") == [(0,)] and "two security officials" in listed(window)


def test_a_replaced_claim_source_leaves_the_completer(qtbot, window, tmp_path):
    db = tmp_path / "desk.db"
    tag(qtbot, window, "Syria has sent 3,000 troops", Qt.Key.Key_C)
    editor = window.details.claim
    for name in ("two security officials", "two security officials in Damascus"):
        name_source(qtbot, editor, name)
    names = set(editor._names.stringList())
    assert "two security officials in Damascus" in names and "two security officials" not in names
    assert entity_rows(db, "two security officials") == [(1,)]
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL)
    assert entity_rows(db, "two security officials") == [(0,)] and entity_rows(db, "two security officials in Damascus") == [(1,)]


def test_an_entity_kept_in_its_editor_stays_without_mentions(qtbot, window, tmp_path):
    db = tmp_path / "desk.db"
    tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    entity_id = window.details.ann.entity_id

    def keep():
        dialog = modal_dialog()
        dialog.kept.setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, keep)
    window.entity_tools.edit_entity(entity_id)
    assert window.ctl.entity(entity_id).kept
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Delete)
    assert entity_rows(db, "Palmyra") == [(0,)] and "Palmyra" in listed(window)


def test_merging_entities_keeps_the_one_the_analyst_picks_with_the_fields_chosen(qtbot, window, tmp_path):
    tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)
    pmf_id = window.details.ann.entity_id
    tag(qtbot, window, "Hashd Al Shaabi", Qt.Key.Key_A)
    hashd_id = window.details.ann.entity_id
    window.ctl.edit_entity(hashd_id, {"type": "armed_group", "note": "Iraq's state-sanctioned militias"})
    window.ctl.edit_entity(pmf_id, {"note": "umbrella of Iraqi militias"})
    seen = {}

    def choose():
        dialog = modal_dialog()
        seen["rows"] = sorted(dialog.fields)
        dialog.keep.button(1).setChecked(True)  # keep the second one: Popular Mobilisation Forces
        note = dialog.fields["note"]
        note.setCurrentIndex(note.findData("Iraq's state-sanctioned militias"))
        dialog.accept()

    QTimer.singleShot(0, choose)
    window.entity_tools.merge_entities([hashd_id, pmf_id])
    assert seen["rows"] == ["name", "note"]  # the type is set in one only: no choice to make
    kept = window.ctl.repo.get_entity(pmf_id)
    assert kept.name == "Popular Mobilisation Forces" and kept.note == "Iraq's state-sanctioned militias"
    assert kept.type == "armed_group", "set in one only: it is kept"
    assert "Hashd Al Shaabi" in kept.aliases and window.ctl.repo.get_entity(hashd_id).merged_into == pmf_id
    assert listed(window) >= {"Popular Mobilisation Forces"} and "Hashd Al Shaabi" not in listed(window)
    window.activateWindow()  # back from the dialog
    qtbot.waitUntil(window.isActiveWindow)
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL)
    back = window.ctl.repo.get_entity(pmf_id)
    assert (back.note, back.type, back.aliases) == ("umbrella of Iraqi militias", "", [])
    assert not window.ctl.repo.get_entity(hashd_id).deleted


def test_the_entities_view_is_read_once_per_edit(qtbot, window, monkeypatch):
    window.tabs.setCurrentWidget(window.entities)
    calls, real = [], window.ctl.entities.mention_counts
    monkeypatch.setattr(window.ctl.entities, "mention_counts", lambda: calls.append(1) or real())
    tag(qtbot, window, "Bukamal border", Qt.Key.Key_L)  # a new entity
    assert len(calls) == 1 and "Bukamal border" in {window.entities.model.entity(r).name for r in range(window.entities.model.rowCount())}
    calls.clear()
    tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    assert len(calls) == 1
