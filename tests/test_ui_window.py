"""The main window, driven as an analyst would: select, press a key, look."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication, QMenu

from annotator.core.model import Direction
from annotator.ui.app import start_window
from tests.ui_helpers import format_at, is_filled, is_underlined, open_copy_of_seed, rows, select_and_tag

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "syria-troops-iraq-border.txt").read_text("utf-8")


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "desk.db"


@pytest.fixture
def window(qtbot, db_path, tmp_path):
    win = start_window(db_path)
    assert win is not None
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    return win


def label_id(window, name):
    return next(lb.id for lb in window.ctl.labels() if lb.name == name)


def open_text(qtbot, window, tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    window.files.import_files([path], wait=True)
    qtbot.waitUntil(lambda: window.ctl.document is not None and window.ctl.document.filename == name)
    return window.ctl.document


def test_first_start_imports_and_opens_the_annotated_seed(qtbot, db_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_NO_SEED")
    win = start_window(db_path)
    qtbot.addWidget(win)
    assert win.ctl.document is not None
    assert win.reader.toPlainText() == SEED.replace("\r\n", "\n")
    assert win.documents.model.rowCount() == 1
    assert "Syria sends 3,000 troops" in win.windowTitle() and "desk.db" in win.windowTitle()
    assert "The National" in win.pane.header.text()
    # The demonstration set is there and drawn: actors, claims and locations.
    kinds = {win.ctl.label(a.label_id).kind.value for a in win.ctl.annotations()}
    assert kinds == {"actor", "claim", "location"}
    assert win.annotations.model.rowCount() == len(win.ctl.annotations()) > 20
    first = SEED.index("Syria")
    assert is_filled(win.reader, first) and is_underlined(win.reader, first)


def test_tag_actor_with_key_a_commits_and_highlights(qtbot, window, db_path):
    start = SEED.index("Syria")
    select_and_tag(qtbot, window, start, start + 5, Qt.Key.Key_A)
    [row] = [r for r in rows(db_path) if not r.deleted]
    assert (row.start, row.end, row.exact) == (start, start + 5, "Syria")
    assert row.label_id == label_id(window, "Actor")
    assert row.entity_id is not None
    assert is_filled(window.reader, start) and is_filled(window.reader, start + 4)
    assert not is_filled(window.reader, start + 5)
    assert window.annotations.model.rowCount() == 1


def test_selection_snaps_to_words_unless_alt(qtbot, window, db_path):
    i = SEED.index("Damascus")
    select_and_tag(qtbot, window, i + 2, i + 5, Qt.Key.Key_L)  # "mas" -> "Damascus"
    select_and_tag(qtbot, window, i + 2, i + 5, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    live = sorted((r.exact, r.start) for r in rows(db_path) if not r.deleted)
    assert live == [("Damascus", i), ("mas", i + 2)]


def test_claim_is_underlined_and_nested_actor_filled(qtbot, window):
    sentence = "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria."
    s = SEED.index(sentence)
    select_and_tag(qtbot, window, s, s + len(sentence), Qt.Key.Key_C)
    iraq = SEED.index("Iraq and Syria", s)
    select_and_tag(qtbot, window, iraq, iraq + 4, Qt.Key.Key_L)
    assert is_underlined(window.reader, s) and not is_filled(window.reader, s)
    assert is_underlined(window.reader, iraq) and is_filled(window.reader, iraq)
    assert is_underlined(window.reader, iraq + 5) and not is_filled(window.reader, iraq + 5)


def test_emoji_arabic_crlf_offsets_are_code_points(qtbot, window, tmp_path, db_path):
    text = "Report 🇸🇾👨‍👩‍👧 line one\r\nقوات سوريا الديمقراطية 𝐀𝐁 e\u0301 SDF\r\nend"
    doc = open_text(qtbot, window, tmp_path, "mixed.txt", text.encode("utf-8"))
    canonical = text.replace("\r\n", "\n")
    assert doc.text == canonical
    i = canonical.index("سوريا")
    select_and_tag(qtbot, window, i, i + len("سوريا"), Qt.Key.Key_L)
    j = canonical.index("SDF")
    select_and_tag(qtbot, window, j, j + 3, Qt.Key.Key_A)
    live = {r.exact: (r.start, r.end) for r in rows(db_path) if not r.deleted and r.document_id == doc.id}
    assert live == {"سوريا": (i, i + 5), "SDF": (j, j + 3)}
    # The highlight sits on the same characters in Qt's UTF-16 positions.
    assert is_filled(window.reader, j) and is_filled(window.reader, j + 2)
    assert not is_filled(window.reader, j - 1) and not is_filled(window.reader, j + 3)
    assert is_filled(window.reader, i) and not is_filled(window.reader, i - 1)


def test_selection_never_splits_a_grapheme(qtbot, window, tmp_path, db_path):
    text = "Flag 🇸🇾 and family 👨‍👩‍👧 here"
    doc = open_text(qtbot, window, tmp_path, "flags.txt", text.encode("utf-8"))
    f = text.index("🇸🇾")
    # Select only the first regional indicator, exact (Alt): the whole flag is tagged.
    select_and_tag(qtbot, window, f, f + 1, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    [row] = [r for r in rows(db_path) if not r.deleted and r.document_id == doc.id]
    assert row.exact == "🇸🇾"


def test_undo_redo_round_trip_keeps_the_same_row(qtbot, window, db_path):
    s = SEED.index("Iraq")
    select_and_tag(qtbot, window, s, s + 4, Qt.Key.Key_L)
    [row] = rows(db_path)
    window.act_undo.trigger()
    [undone] = rows(db_path)
    assert undone.id == row.id and undone.deleted
    assert not is_filled(window.reader, s)
    assert window.annotations.model.rowCount() == 0
    window.act_redo.trigger()
    [redone] = rows(db_path)
    assert redone.id == row.id and not redone.deleted
    assert is_filled(window.reader, s)


def test_delete_label_change_and_note_are_undoable(qtbot, window, db_path):
    s = SEED.index("Palmyra")
    select_and_tag(qtbot, window, s, s + 7, Qt.Key.Key_A)
    [row] = rows(db_path)
    # Change the label in the details pane: Actor -> Location.
    combo = window.details.label
    combo.setCurrentIndex(combo.findText("Location"))
    combo.activated.emit(combo.currentIndex())
    assert rows(db_path)[0].label_id == label_id(window, "Location")
    # Edit the note in place and save with Ctrl+Enter.
    window.details.note.setFocus()
    window.details.note.setPlainText("Central Syria; troops came from here.")
    qtbot.keyClick(window.details.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert rows(db_path)[0].note == "Central Syria; troops came from here."
    # Delete from the panel with the Delete key.
    window.annotations.select(row.id)
    window.annotations.view.setFocus()
    window.act_delete.trigger()
    assert rows(db_path)[0].deleted
    window.act_undo.trigger()  # undelete
    window.act_undo.trigger()  # note
    window.act_undo.trigger()  # label
    back = rows(db_path)[0]
    assert not back.deleted and back.note == "" and back.label_id == label_id(window, "Actor")


def test_undo_covers_edits_in_another_document(qtbot, window, tmp_path, db_path):
    seed_doc = window.ctl.document
    s = SEED.index("Syria")
    select_and_tag(qtbot, window, s, s + 5, Qt.Key.Key_A)
    other = open_text(qtbot, window, tmp_path, "other.txt", b"Baghdad and Damascus talk.")
    select_and_tag(qtbot, window, 0, 7, Qt.Key.Key_L)
    window.act_undo.trigger()
    window.act_undo.trigger()  # the Syria tag, made in the seed document
    assert window.ctl.document.id == seed_doc.id
    assert all(r.deleted for r in rows(db_path))
    assert other.id != seed_doc.id


def test_click_on_span_selects_it_and_overlaps_offer_a_choice(qtbot, window):
    s = SEED.index("two security officials in Damascus")
    select_and_tag(qtbot, window, s, s + len("two security officials in Damascus"), Qt.Key.Key_A)
    d = SEED.index("Damascus", s)
    select_and_tag(qtbot, window, d, d + 8, Qt.Key.Key_L)
    reader = window.reader
    reader.scroll_to_cp(s)

    def click_at(cp):
        cur = reader.textCursor()
        cur.setPosition(reader.text_map.to_utf16(cp))
        rect = reader.cursorRect(cur)
        qtbot.mouseClick(reader.viewport(), Qt.MouseButton.LeftButton, pos=rect.center() + QPoint(2, 0))

    click_at(s + 1)
    ids = window.annotations.selected_ids()
    assert len(ids) == 1 and window.ctl.annotation(ids[0]).exact.startswith("two security")
    click_at(d + 2)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    assert len(menu.actions()) == 2
    menu.actions()[0].trigger()  # innermost first: Damascus
    [chosen] = window.annotations.selected_ids()
    assert window.ctl.annotation(chosen).exact == "Damascus"
    menu.close()


def test_panel_selection_scrolls_and_flashes(qtbot, window):
    last = SEED.rindex("militias")
    select_and_tag(qtbot, window, last, last + 8, Qt.Key.Key_A)
    window.reader.scroll_to_cp(0, top=True)
    window.annotations.select(None)
    view = window.annotations.view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(view.model().index(0, 0)).center())
    assert window.reader.extraSelections(), "the span flashes"
    assert window.reader.first_visible_cp() > 0


def test_find_marks_every_match_and_steps(qtbot, window):
    window.reader.setFocus()
    window.act_find.trigger()
    bar = window.pane.find_bar
    assert bar.isVisible()
    qtbot.keyClicks(bar.edit, "iraq")
    n = SEED.lower().count("iraq")
    assert len(bar.matches) == n and bar.count.text().endswith(f"of {n}")
    first = bar.current
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return)
    assert bar.current == (first + 1) % n
    qtbot.keyClick(bar.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert bar.current == first
    assert len(window.reader.extraSelections()) == n
    qtbot.keyClick(bar.edit, Qt.Key.Key_Escape)
    assert not bar.isVisible() and not window.reader.extraSelections()


def test_right_to_left_detected_and_switchable(qtbot, window, tmp_path, db_path):
    doc = open_text(qtbot, window, tmp_path, "ar.txt", "أرسلت سوريا ثلاثة آلاف جندي إلى الحدود مع العراق.".encode())
    assert doc.direction == Direction.RTL
    option = window.reader.document().defaultTextOption()
    assert option.textDirection() == Qt.LayoutDirection.RightToLeft
    assert window.act_rtl.isChecked()
    window.act_rtl.trigger()  # switch to LTR, undoable
    assert window.ctl.document.direction == Direction.LTR
    assert window.reader.document().defaultTextOption().textDirection() == Qt.LayoutDirection.LeftToRight
    window.act_undo.trigger()
    assert window.ctl.document.direction == Direction.RTL


def test_drop_files_imports_them(qtbot, window, tmp_path):
    path = tmp_path / "dropped.txt"
    path.write_text("A dropped report about Mosul.", "utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(ev)
    qtbot.waitUntil(lambda: window.documents.model.rowCount() == 2)
    qtbot.waitUntil(lambda: window.ctl.document.filename == "dropped.txt")


def test_bad_file_gives_a_clear_error_and_imports_nothing(qtbot, window, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00garbage\x00")
    good = tmp_path / "good.txt"
    good.write_text("fine", "utf-8")
    window.files.import_files([good, bad], wait=True)
    qtbot.waitUntil(lambda: bool(window.prompter.errors))
    assert "bad.txt" in window.prompter.last_error
    assert window.documents.model.rowCount() == 1


def test_zoom_changes_reader_font(qtbot, window):
    before = window.reader.font().pointSizeF()
    window.act_zoom_in.trigger()
    assert window.reader.font().pointSizeF() == before + 1
    window.act_zoom_out.trigger()
    window.act_zoom_out.trigger()
    assert window.reader.font().pointSizeF() == before - 1


def test_restart_restores_window_document_and_scroll(qtbot, db_path, tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_DB")
    win = start_window(db_path)
    qtbot.addWidget(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    doc = win.ctl.document
    long_doc = tmp_path / "long.txt"
    long_doc.write_text("\n".join(f"Paragraph {i} about the border." for i in range(400)), "utf-8")
    win.files.import_files([long_doc], wait=True)
    qtbot.waitUntil(lambda: win.ctl.document.id != doc.id)
    target = win.ctl.document.text.index("Paragraph 200")
    win.reader.scroll_to_cp(target, top=True)
    win.resize(777, 555)  # fits the 800×800 offscreen screen
    size = win.size()
    win.splitter.setSizes([200, 600, 300])
    sizes = win.splitter.sizes()
    scrolled = win.reader.first_visible_cp()
    assert scrolled > 0
    win.close()

    again = start_window(None)  # no path: the last database comes back
    qtbot.addWidget(again)
    assert again.ctl.db.path == db_path
    assert again.ctl.document.filename == "long.txt"
    qtbot.waitUntil(lambda: abs(again.reader.first_visible_cp() - scrolled) < 40)
    assert again.size() == size
    assert again.splitter.sizes() == sizes
    again.close()


def test_item_models_pass_qabstractitemmodeltester(qtmodeltester, qtbot, window):
    s = SEED.index("Syria")
    select_and_tag(qtbot, window, s, s + 5, Qt.Key.Key_A)
    qtmodeltester.check(window.annotations.model)
    qtmodeltester.check(window.annotations.kind_proxy)
    qtmodeltester.check(window.annotations.proxy)
    qtmodeltester.check(window.documents.model)
    qtmodeltester.check(window.documents.proxy)


def test_annotation_panel_tabs_filter_by_kind(qtbot, window):
    s = SEED.index("Syria")
    select_and_tag(qtbot, window, s, s + 5, Qt.Key.Key_A)
    p = SEED.index("Palmyra")
    select_and_tag(qtbot, window, p, p + 7, Qt.Key.Key_L)
    panel = window.annotations
    assert panel.proxy.rowCount() == 2
    panel.tabs.setCurrentIndex(3)  # Locations
    assert panel.proxy.rowCount() == 1
    panel.tabs.setCurrentIndex(0)
    qtbot.keyClicks(panel.filter, "palm")
    assert panel.proxy.rowCount() == 1
    assert QApplication.instance() is not None
    assert format_at(window.reader, p) is not None


def test_a_narrow_window_keeps_the_reader_readable(qtbot, window):
    """On a laptop screen narrower than the remembered layout the side columns
    give way, not the text (it was squeezed to a word a line)."""
    window.splitter.setSizes([310, 560, 530])
    window.resize(930, 600)
    qtbot.waitUntil(lambda: window.splitter.width() <= 930)
    documents, reader, right = window.splitter.sizes()
    assert reader >= 360 and documents > 0 and right > 0, window.splitter.sizes()
