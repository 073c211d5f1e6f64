"""The desk's start: the last document drawn before the store is loaded
(see annotator.store.sqlite.first_look), then the database opened properly
before any input; a file the proper open refuses closes the window."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from annotator.ui import controller as controller_module
from annotator.ui.app import start_window
from annotator.ui.main_window import MainWindow
from tests.test_first_look import TEXTS, _database, _set
from tests.ui_helpers import format_at


def _remember(qtbot, path, doc_id) -> None:
    """A session that ends on ``doc_id``."""
    win = start_window(path)
    qtbot.addWidget(win)
    win.open_document(doc_id)
    win.close()


def test_the_last_document_is_drawn_before_the_database_is_opened(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "desk.db"
    docs = _database(path)
    _remember(qtbot, path, docs[1].id)
    seen = []
    real = controller_module.DeskController.open_database

    def watched(ctl, db_path, *rest):
        reader = ctl.parent().reader
        seen.append((ctl.parent().isVisible(), reader.text, format_at(reader, TEXTS[1].index("Palmyra")) is not None))
        return real(ctl, db_path, *rest)

    monkeypatch.setattr(controller_module.DeskController, "open_database", watched)
    win = start_window(path)
    qtbot.addWidget(win)
    assert seen == [(True, TEXTS[1], True)]  # on screen, with its highlights, before the store was opened
    assert win.ctl.document.id == docs[1].id and win.reader.text == TEXTS[1]
    assert format_at(win.reader, TEXTS[1].index("Palmyra")) is not None
    assert win.windowTitle() == f"Report 2 — {path.name} — Annotator"


def test_the_first_look_takes_no_edit(qtbot, tmp_path):
    """Drawn, but nothing is open: every edit goes through the database the
    proper open opens (there is none yet)."""
    path = tmp_path / "desk.db"
    docs = _database(path)
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.databases.show_first_look(path)
    assert win.reader.text == TEXTS[0] and win.ctl.db is None and win.ctl.document is None
    assert win.statusBar().currentMessage() == f"Opening {path}…"
    assert win.databases.open_database(path)
    assert win.ctl.document.id == docs[0].id


def test_a_file_drawn_but_refused_by_the_open_closes_the_window(qtbot, tmp_path, prompter):
    path = tmp_path / "desk.db"
    _database(path)
    _set(path, "CREATE TABLE evil (x)")  # read by the first look (it reads only its tables), refused by the open
    assert start_window(path) is None
    assert "evil" in prompter.last_error  # the first window's
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()] == []
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.databases.show_first_look(path)  # it was drawn
