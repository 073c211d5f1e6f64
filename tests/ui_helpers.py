"""Helpers for driving the real window in tests."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCharFormat



def format_at(reader, cp: int) -> QTextCharFormat | None:
    """The highlighter's format on the character at code point ``cp`` (None: plain)."""
    u16 = reader.text_map.to_utf16(cp)
    block = reader.document().findBlock(u16)
    rel = u16 - block.position()
    ranges = block.layout().formats()
    for rng in ranges:
        if rng.start <= rel < rng.start + rng.length:
            return QTextCharFormat(rng.format)  # a copy that outlives the range list
    return None


def is_filled(reader, cp: int) -> bool:
    fmt = format_at(reader, cp)
    return fmt is not None and fmt.background().style() != Qt.BrushStyle.NoBrush


def is_underlined(reader, cp: int) -> bool:
    """Underlined in any style (a single line, or a wave where claims overlap)."""
    fmt = format_at(reader, cp)
    return fmt is not None and fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline


def rows(db_path: Path):
    """All annotation rows (deleted too) straight from the database file."""
    from annotator.store.database import open_database  # not at import: the launch bench draws before the store loads

    db = open_database(db_path, create=False)
    try:
        docs = db.repo.document_ids()
        return [a for d in docs for a in db.repo.annotations(d, include_deleted=True)]
    finally:
        db.close()


def select_and_tag(qtbot, window, start: int, end: int, key=Qt.Key.Key_A, modifier=Qt.KeyboardModifier.NoModifier):
    window.reader.setFocus()
    window.reader.select_span(start, end)
    qtbot.keyClick(window.reader, key, modifier)


SEED_FILE = Path(__file__).resolve().parents[1] / "seeds" / "syria-troops-iraq-border.txt"


def active_window_on_seed(qtbot, db_path, tmp_path):
    """A desk on ``db_path``, shown and active (window shortcuts need the
    active window), with the seed article's text open."""
    from annotator.ui.app import start_window

    win = start_window(db_path)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def open_copy_of_seed(qtbot, window, tmp_path) -> None:
    """Import the seed article's text as a plain document (no demo annotations) and open it."""
    path = tmp_path / "syria-troops-iraq-border.txt"
    path.write_bytes(SEED_FILE.read_bytes())
    import_and_open(qtbot, window, path)


def import_and_open(qtbot, window, path: Path) -> None:
    """Import ``path`` through the window and wait until it is the open document."""
    window.files.import_files([path], wait=True)
    qtbot.waitUntil(lambda: window.ctl.document is not None and window.ctl.document.filename == path.name)


def window_on_text(qtbot, tmp_path, text: str, name: str = "report.txt"):
    """A desk on a new database in ``tmp_path`` (its path in ``db_path``),
    shown, with ``text`` imported as the file ``name`` and open."""
    from annotator.ui.app import start_window

    db = tmp_path / "desk.db"
    win = start_window(db)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    path = tmp_path / name
    path.write_text(text, "utf-8")
    import_and_open(qtbot, win, path)
    win.db_path = db
    return win


def modal_dialog():
    """The dialog the analyst is being asked to answer (None: none)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.activeModalWidget()


def when_dialog(window, cls, action, timeout_ms: int = 20_000) -> None:
    """Run ``action(dialog)`` once the window shows a dialog of class ``cls``
    (the modal one shown); for dialogs opened later, e.g. after background work."""
    from PySide6.QtCore import QTimer

    timer = QTimer(window)
    timer.setInterval(20)
    waited = [0]

    def poll():
        waited[0] += 20
        dialog = modal_dialog()
        if isinstance(dialog, cls) and dialog.isVisible():
            timer.stop()
            action(dialog)
        elif waited[0] > timeout_ms:
            timer.stop()

    timer.timeout.connect(poll)
    timer.start()


def name_source(qtbot, editor, name: str) -> None:
    """Give a claim its source as an analyst does: type the name, then Enter
    for an actor's name, or click the *New actor “…”* button for a new one."""
    field = editor.source_field
    field.edit.setFocus()
    field.edit.selectAll()
    qtbot.keyClicks(field.edit, name)
    if field.new_button.isVisible():
        qtbot.mouseClick(field.new_button, Qt.MouseButton.LeftButton)
    else:
        qtbot.keyClick(field.edit, Qt.Key.Key_Return)


def tag_phrase(qtbot, window, text: str, phrase: str, key, nth: int = 0):
    """Tag the ``nth`` occurrence of ``phrase`` in ``text`` (the open
    document's) with the label's key, exactly (Alt), and return the new
    annotation's id."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    select_and_tag(qtbot, window, start, start + len(phrase), key, Qt.KeyboardModifier.AltModifier)
    [ann_id] = window.annotations.selected_ids()
    return ann_id
