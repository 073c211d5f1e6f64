"""Suggestions in the desk, driven as an analyst drives them: a name tagged
in one report is outlined in another, Enter accepts, Backspace rejects, F8
moves on, one edit accepts a whole document or the corpus, and Ctrl+Z
takes each back; checked against the rows in the database and the
outlines drawn over the right characters (an emoji before them)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor

from annotator import cli
from annotator.core.operations import services_for
from annotator.store.database import open_database
from annotator.ui.controller import DeskController
from annotator.ui.main_window import MainWindow
from annotator.ui.suggestion_marks import line_rects

SECOND = "😀 Later, Assad went to Damascus. Assad left; Assad returned."
ASSADS = [(9, 14), (33, 38), (45, 50)]  # code points (the emoji is one)


@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "desk.db"
    for name, text in [("first.txt", "Assad spoke."), ("second.txt", SECOND), ("third.txt", "Assad, again.")]:
        (tmp_path / name).write_text(text, "utf-8")
        assert cli.main(["--db", str(path), "import", str(tmp_path / name)]) == 0
    capsys.readouterr()
    database = open_database(path)
    services = services_for(database.repo, "tester", gazetteer=None)
    services.desk.ensure_tagset()
    ids = {d.title: d.id for d in database.repo.document_summaries()}
    actor = next(lb for lb in database.repo.labels() if lb.name == "Actor")
    services.desk.add_annotation(ids["First"], actor.id, 0, 5)  # "Assad": a new actor
    database.close()
    return path, ids


@pytest.fixture
def window(qtbot, db):
    path, ids = db
    win = MainWindow(DeskController(places=None))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.databases.open_database(path)
    win.open_document(ids["Second"])
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.waitUntil(lambda: len(win.suggestion_tools.shown) == 3, timeout=10_000)
    win.ids, win.path = ids, path
    return win


def annotations(path, doc_id):
    database = open_database(path)
    try:
        return sorted((a.start, a.end, a.exact) for a in database.repo.annotations(doc_id))
    finally:
        database.close()


def rejections(path, doc_id):
    database = open_database(path)
    try:
        return [(r.start, r.end, r.exact) for r in database.repo.rejections(doc_id)]
    finally:
        database.close()


def test_outlined_over_the_right_characters(window):
    tools, reader = window.suggestion_tools, window.reader
    assert [(s.start, s.end, s.exact) for s in tools.shown] == [(a, b, "Assad") for a, b in ASSADS]
    for start, _end in ASSADS:
        rect = line_rects(reader, start, start + 5)[0]
        cur = QTextCursor(reader.document())
        cur.setPosition(reader.text_map.to_utf16(start))
        assert abs(rect.left() - reader.cursorRect(cur).left()) <= 2  # drawn where the word is, not an emoji's width off
    image = reader.viewport().grab().toImage()
    rect = line_rects(reader, *ASSADS[0])[0]
    want = QColor(window.ctl.label(tools.shown[0].label_id).color)
    y = round(rect.top() + 1)  # the outline's top edge
    near = [x for x in range(int(rect.left()), int(rect.right()))
            if sum(abs(a - b) for a, b in zip(image.pixelColor(x, y).getRgb()[:3], want.getRgb()[:3])) < 90]
    assert near, "no outline in the label's colour over the suggestion"
    assert len(near) < rect.width() - 2  # dashed, not a solid line


def test_enter_accepts_backspace_rejects_and_undo_takes_back(qtbot, window):
    tools, reader, second = window.suggestion_tools, window.reader, window.ids["Second"]
    reader.setFocus()
    qtbot.keyClick(reader, Qt.Key.Key_F8)
    assert reader.selected_span() == ASSADS[0] and tools.act_accept.isEnabled()
    assert "Assad" in window.statusBar().currentMessage()
    qtbot.keyClick(reader, Qt.Key.Key_Return)
    assert annotations(window.path, second) == [(9, 14, "Assad")]
    assert [(s.start, s.end) for s in tools.shown] == ASSADS[1:]  # its outline gone at once
    assert reader.selected_span() == ASSADS[1]  # on to the next, ready for the next key
    qtbot.keyClick(reader, Qt.Key.Key_Backspace)
    assert rejections(window.path, second) == [(33, 38, "Assad")]
    assert [(s.start, s.end) for s in tools.shown] == ASSADS[2:]
    window.ctl.undo_stack.undo()  # the rejection
    assert rejections(window.path, second) == []
    qtbot.waitUntil(lambda: len(tools.shown) == 2)
    window.ctl.undo_stack.undo()  # the accept
    assert annotations(window.path, second) == []
    qtbot.waitUntil(lambda: len(tools.shown) == 3)


def test_accept_the_document_then_the_corpus_each_one_edit(qtbot, window):
    tools, second, third = window.suggestion_tools, window.ids["Second"], window.ids["Third"]
    tools.act_accept_doc.trigger()
    assert annotations(window.path, second) == [(a, b, "Assad") for a, b in ASSADS]
    assert tools.shown == []
    assert all(window.reader.highlighter.spans_at(a) for a, _b in ASSADS)  # drawn as tags now
    window.ctl.undo_stack.undo()
    assert annotations(window.path, second) == []
    tools.act_accept_all.trigger()
    qtbot.waitUntil(lambda: annotations(window.path, third) == [(0, 5, "Assad")], timeout=10_000)
    assert annotations(window.path, second) == [(a, b, "Assad") for a, b in ASSADS]
    assert "Accept all suggestions" in window.prompter.asked
    window.ctl.undo_stack.undo()
    assert annotations(window.path, third) == [] and annotations(window.path, second) == []


def test_turned_off_shows_none_and_is_remembered(qtbot, window):
    tools = window.suggestion_tools
    tools.act_show.trigger()
    assert tools.shown == [] and not tools.act_accept_doc.isEnabled()
    assert window.settings.value("show_suggestions", type=bool) is False
    tools.act_show.trigger()
    qtbot.waitUntil(lambda: len(tools.shown) == 3)


def test_hovering_a_suggestion_says_why(qtbot, window):
    from PySide6.QtCore import QEvent, QPoint
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    reader = window.reader
    rect = line_rects(reader, *ASSADS[1])[0]
    pos = QPoint(int(rect.center().x()), int(rect.center().y()))
    QApplication.sendEvent(reader.viewport(), QHelpEvent(QEvent.Type.ToolTip, pos, reader.viewport().mapToGlobal(pos)))
    assert "Suggested: Actor" in QToolTip.text() and "tagged Actor once" in QToolTip.text()
