"""How the desk looks, as an analyst sees it: fills and text readable in a
light and a dark palette (also switched while the desk runs), claims easy to
see, the lists' columns fitted, the details pane's empty state, the legend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication

from annotator.core.model import LabelKind
from annotator.ui.app import start_window
from annotator.ui.colours import READABLE, contrast, luminance
from annotator.ui.legend import LegendDialog
from tests.ui_helpers import format_at, is_filled, is_underlined, open_copy_of_seed, select_and_tag, when_dialog

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "syria-troops-iraq-border.txt").read_text("utf-8").replace("\r\n", "\n")
ROLE = QPalette.ColorRole


def dark_palette() -> QPalette:
    """A dark palette as an OS dark mode gives one: light text on dark grey."""
    p = QPalette()
    for role, rgb in (
        (ROLE.Window, (45, 45, 48)), (ROLE.WindowText, (230, 230, 230)), (ROLE.Base, (30, 30, 32)),
        (ROLE.AlternateBase, (40, 40, 44)), (ROLE.Text, (230, 230, 230)), (ROLE.Button, (55, 55, 58)),
        (ROLE.ButtonText, (230, 230, 230)), (ROLE.Highlight, (42, 130, 218)), (ROLE.HighlightedText, (255, 255, 255)),
        (ROLE.PlaceholderText, (150, 150, 150)), (ROLE.Mid, (80, 80, 80)), (ROLE.Light, (70, 70, 70)),
        (ROLE.Midlight, (60, 60, 60)), (ROLE.Dark, (25, 25, 25)), (ROLE.Shadow, (10, 10, 10)),
    ):  # fmt: skip
        p.setColor(role, QColor(*rgb))
    return p


@pytest.fixture
def palettes(qapp):
    """The light palette the tests start with and the dark one; the
    application's palette is put back afterwards."""
    before = QPalette(qapp.palette())
    light = QPalette(qapp.style().standardPalette())
    qapp.setPalette(light)
    yield light, dark_palette()
    qapp.setPalette(before)


@pytest.fixture
def window(qtbot, tmp_path, palettes):
    win = start_window(tmp_path / "desk.db")
    assert win is not None
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    return win


def tag(qtbot, window, phrase: str, key, start_at: int = 0) -> int:
    s = SEED.index(phrase, start_at)
    select_and_tag(qtbot, window, s, s + len(phrase), key, Qt.KeyboardModifier.AltModifier)
    return s


def fill(window, cp: int) -> QColor:
    fmt = format_at(window.reader, cp)
    assert fmt is not None and fmt.background().style() != Qt.BrushStyle.NoBrush
    return fmt.background().color()


def text_colour(window) -> QColor:
    return window.reader.palette().color(ROLE.Text)


# --- 1. a dark palette at run time ------------------------------------------------------------


def test_switching_to_a_dark_palette_rederives_the_fills(qtbot, qapp, window, palettes):
    light, dark = palettes
    actor = tag(qtbot, window, "two security officials in Damascus", Qt.Key.Key_A)
    nested = tag(qtbot, window, "Damascus", Qt.Key.Key_L, actor)
    single, double = fill(window, actor), fill(window, nested)
    assert luminance(single) > 0.4, "a pastel fill on the light palette"
    for colour in (single, double):
        assert contrast(colour, text_colour(window)) >= READABLE

    qapp.setPalette(dark)  # the OS switched to dark mode while the desk runs
    qtbot.waitUntil(lambda: fill(window, actor) != single)
    assert window.reader.palette().color(ROLE.Base) == dark.color(ROLE.Base)
    assert text_colour(window) == dark.color(ROLE.Text)
    for cp in (actor, nested):
        colour = fill(window, cp)
        assert luminance(colour) < 0.2, f"{colour.name()} is not a fill for a dark background"
        assert contrast(colour, text_colour(window)) >= READABLE, colour.name()
    assert fill(window, nested) != fill(window, actor), "a nested span still shows"

    qapp.setPalette(light)  # and back
    qtbot.waitUntil(lambda: fill(window, actor) == single)
    assert fill(window, nested) == double


def test_an_os_colour_scheme_change_rereads_the_palette(qtbot, qapp, window, palettes):
    """The colour scheme signal alone (the palette may follow it later) makes the reader look again."""
    _light, dark = palettes
    actor = tag(qtbot, window, "Bashar Al Assad", Qt.Key.Key_A)
    qapp.setPalette(dark)
    qtbot.waitUntil(lambda: luminance(fill(window, actor)) < 0.2)
    window.reader.highlighter.set_palette(QPalette(qapp.style().standardPalette()))  # as if drawn before the switch
    assert luminance(fill(window, actor)) > 0.4
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    qtbot.waitUntil(lambda: luminance(fill(window, actor)) < 0.2)


def test_secondary_text_reads_in_light_and_dark(qtbot, qapp, window, palettes):
    doc = window.ctl.document
    window.ctl.edit_document(doc.id, {"description": "Troops sent to the Iraqi border."})
    ann = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    assert window.details.ann is not None and window.ctl.annotation(window.details.ann.id).start == ann
    for palette in palettes:
        qapp.setPalette(palette)
        qapp.processEvents()
        header = window.pane.header.text()
        assert "Troops sent to the Iraqi border." in header
        [colour] = re.findall(r"color:(#[0-9a-fA-F]{6})", header)
        window_bg = window.pane.palette().color(ROLE.Window)
        assert contrast(QColor(colour), window_bg) >= READABLE, (colour, window_bg.name())
        meta = window.details.meta
        assert meta.isVisible() and "By tester" in meta.text()
        assert contrast(meta.palette().color(ROLE.WindowText), meta.palette().color(ROLE.Window)) >= READABLE
        meaning = window.details.claim.grading.meaning
        assert contrast(meaning.palette().color(ROLE.WindowText), meaning.palette().color(ROLE.Window)) >= READABLE


# --- claims: a wave where two overlap, a bar in the margin ------------------------------------


def test_overlapping_claims_draw_a_wave(qtbot, window):
    first = "On Saturday, Syrian fighters skirmished with the Iranian-backed Iraqi Popular Mobilisation Forces"
    s = tag(qtbot, window, first, Qt.Key.Key_C)
    t = tag(qtbot, window, "Popular Mobilisation Forces – Hashd Al Shaabi", Qt.Key.Key_C)
    style = QTextCharFormat.UnderlineStyle
    assert format_at(window.reader, s).underlineStyle() == style.SingleUnderline
    assert format_at(window.reader, t + 2).underlineStyle() == style.WaveUnderline  # inside both
    assert is_underlined(window.reader, t + len("Popular Mobilisation Forces – Hashd")) and not is_filled(window.reader, t)


def claim_colour(window) -> QColor:
    return QColor(next(lb.color for lb in window.ctl.labels() if lb.kind is LabelKind.CLAIM))


def test_a_bar_in_the_margin_marks_each_line_with_a_claim(qtbot, window):
    window.resize(1300, 860)
    sentence = "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria."
    s = tag(qtbot, window, sentence, Qt.Key.Key_C)
    reader = window.reader
    reader.scroll_to_cp(s)
    qtbot.waitUntil(lambda: bool(reader.claim_bars()))
    bars = reader.claim_bars()
    [(rect, colour)] = bars
    assert colour == claim_colour(window)
    margin = reader.document().documentMargin()
    assert rect.right() < reader.contentOffset().x() + margin, "the bar is in the margin, left of the text"
    # It spans the claim's lines and no others: the line before is another paragraph.
    cur = reader.textCursor()
    cur.setPosition(reader.text_map.to_utf16(s))
    top = reader.cursorRect(cur)
    assert rect.top() <= top.center().y() <= rect.bottom()
    cur.setPosition(reader.text_map.to_utf16(s - 2))
    assert reader.cursorRect(cur).center().y() < rect.top()
    # And it is painted.
    image = reader.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    pixel = image.pixelColor(int(rect.center().x() * ratio), int(rect.center().y() * ratio))
    assert pixel.name() == claim_colour(window).name()
    above = image.pixelColor(int(rect.center().x() * ratio), int((rect.top() - 6) * ratio))
    assert above.name() == reader.palette().color(ROLE.Base).name()


def test_the_bar_is_on_the_right_in_a_right_to_left_document(qtbot, window, tmp_path):
    text = "قالت مصادر أمنية إن القوات وصلت إلى الحدود.\nسطر آخر بلا ادعاء."
    path = tmp_path / "ar.txt"
    path.write_text(text, "utf-8")
    window.files.import_files([path], wait=True)
    qtbot.waitUntil(lambda: window.ctl.document is not None and window.ctl.document.filename == "ar.txt")
    select_and_tag(qtbot, window, 0, text.index("."), Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    reader = window.reader
    qtbot.waitUntil(lambda: bool(reader.claim_bars()))
    [(rect, _colour)] = reader.claim_bars()
    assert rect.left() > reader.viewport().width() - reader.document().documentMargin()


# --- 9e. the legend ---------------------------------------------------------------------------------


def test_legend_explains_overlaps_on_a_drawn_sample(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    seen = {}

    def look(dialog):
        seen["overlaps"] = dialog.overlaps.text()
        sample = dialog.sample
        text = sample.text
        actor, nested = text.index("Officials"), text.index("Damascus")
        both_claims = text.index("army")
        seen["single"] = format_at(sample, actor).background().color()
        seen["nested"] = format_at(sample, nested).background().color()
        seen["wave"] = format_at(sample, both_claims).underlineStyle()
        seen["bars"] = sample.claim_bars()
        dialog.reject()

    when_dialog(window, LegendDialog, look)
    qtbot.keyClick(window.reader, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: "overlaps" in seen)
    assert "darker fill" in seen["overlaps"] and "nested" in seen["overlaps"]
    assert "wavy underline" in seen["overlaps"] and "bar in the margin" in seen["overlaps"]
    assert luminance(seen["nested"]) < luminance(seen["single"]), "nested spans show darker"
    assert seen["wave"] == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert seen["bars"]


# --- 9a, 9b. the lists' columns ------------------------------------------------------------------------


def test_document_list_gives_the_title_the_width(qtbot, window):
    window.resize(1400, 860)
    qapp = QApplication.instance()
    qapp.processEvents()
    view = window.documents.view
    header = view.horizontalHeader()
    names = window.documents.columns.names()
    assert window.documents.columns.hidden() == ["Source", "Date"], "source and date are under the title"
    shown = [c for c in range(len(names)) if not header.isSectionHidden(c)]
    assert header.sectionSize(0) >= 0.6 * sum(header.sectionSize(c) for c in shown)
    assert all(header.sectionSize(c) <= 44 for c in (3, 4, 5)), "counts are narrow"
    assert not view.horizontalScrollBar().isVisible()
    model = window.documents.model
    title = model.index(0, 0)
    tip = title.data(Qt.ItemDataRole.ToolTipRole)
    summary = window.ctl.document_summaries()[0]
    assert summary.title in tip and summary.source in tip
    # The title wraps onto two lines, then its source and date: all in the row's height.
    from annotator.ui.models import SUBTITLE_ROLE
    from annotator.ui.panels import wrapped_lines

    assert title.data(SUBTITLE_ROLE) == " · ".join(m for m in (summary.source, summary.published) if m)
    fm = view.fontMetrics()
    lines = wrapped_lines(summary.title, fm, header.sectionSize(0) - 12, 2)
    assert lines[0] and summary.title.startswith(lines[0])
    assert view.verticalHeader().defaultSectionSize() >= 3 * fm.lineSpacing()


def test_annotation_table_fits_its_columns_and_hides_rare_ones(qtbot, window, tmp_path):
    window.resize(1400, 860)
    tag(qtbot, window, "Euphrates River Valley", Qt.Key.Key_L)
    tag(qtbot, window, "Hayat Tahrir Al Sham", Qt.Key.Key_A)
    panel = window.annotations
    view, header = panel.view, panel.view.horizontalHeader()
    QApplication.processEvents()
    assert panel.columns.hidden() == ["Creator", "Note", "Position"]
    assert header.sectionResizeMode(0) == header.ResizeMode.Stretch
    fm = view.fontMetrics()
    assert header.sectionSize(1) >= fm.horizontalAdvance("Location") + 16, "the label is not cut"
    assert header.sectionSize(2) >= fm.horizontalAdvance("Hayat Tahrir Al Sham") or header.sectionSize(2) >= 150
    assert header.sectionSize(0) > max(header.sectionSize(c) for c in range(1, 7)), "the quote takes the rest"
    assert not view.horizontalScrollBar().isVisible(), "no sideways scrolling"
    rows_shown = view.viewport().height() // view.verticalHeader().defaultSectionSize()
    assert rows_shown >= 8  # was 6 at this size

    # The header's menu shows a hidden column; the choice is remembered.
    menu = panel.columns.menu()
    [note] = [a for a in menu.actions() if a.text().startswith("Note")]
    assert not note.isChecked()
    note.trigger()
    assert not header.isSectionHidden(5)
    [quote] = [a for a in menu.actions() if a.text().startswith("Quote")]
    assert not quote.isEnabled(), "the quote always shows"
    menu.close()
    window.close()
    again = start_window(tmp_path / "desk.db")
    qtbot.addWidget(again)
    assert again.annotations.columns.hidden() == ["Creator", "Position"]
    again.close()


# --- 9c. the details pane with nothing selected --------------------------------------------------------


def test_details_pane_shows_an_empty_state(qtbot, window):
    details = window.details
    assert details.empty.isVisible() and details.empty.text().startswith("Select an annotation")
    assert not details.body.isVisible() and not details.label.isVisible() and not details.claim.isVisible()
    tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    assert details.body.isVisible() and details.label.isVisible() and not details.empty.isVisible()
    assert details.label.currentText() == "Location"
    window.act_delete.trigger()
    assert details.empty.isVisible() and not details.body.isVisible()
    # A claim shows the claim editor; back to nothing selected hides it with the rest.
    tag(qtbot, window, "Saturday's fight, he said, was brief", Qt.Key.Key_C)
    assert details.claim.isVisible()
    window.open_document(None)
    window.open_document(window.ctl.document_summaries()[0].id)
    assert details.empty.isVisible() and not details.claim.isVisible()
