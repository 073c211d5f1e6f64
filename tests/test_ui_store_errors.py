"""A disk that fills up or a file that turns read-only mid-session: the edit
is refused with a clear message, nothing half-written, nothing on the undo
stack, and the window keeps working."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from sqlalchemy.exc import OperationalError

from annotator.ui.app import start_window
from tests.ui_helpers import is_filled, open_copy_of_seed, rows, select_and_tag


@pytest.mark.parametrize(
    "message, shown",
    [("database or disk is full", "the disk is full"), ("attempt to write a readonly database", "read-only")],
)  # fmt: skip
def test_failed_write_is_reported_and_leaves_nothing(qtbot, tmp_path, monkeypatch, message, shown):
    db = tmp_path / "desk.db"
    win = start_window(db)
    qtbot.addWidget(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    repo = win.ctl.repo
    real = repo.add_annotations

    def failing(anns):
        real(anns)  # written inside the transaction, then the disk says no
        raise OperationalError("INSERT", {}, sqlite3.OperationalError(message))

    monkeypatch.setattr(repo, "add_annotations", failing)
    start = win.reader.text.index("Palmyra")
    select_and_tag(qtbot, win, start, start + 7, Qt.Key.Key_L)
    error = win.prompter.last_error
    assert error.startswith("the edit could not be saved: ") and shown in error, error
    assert rows(db) == []  # rolled back
    assert win.ctl.undo_stack.count() == 0
    assert not is_filled(win.reader, start)
    monkeypatch.setattr(repo, "add_annotations", real)  # the disk has room again
    select_and_tag(qtbot, win, start, start + 7, Qt.Key.Key_L)
    assert [r.exact for r in rows(db)] == ["Palmyra"]
    assert is_filled(win.reader, start)
