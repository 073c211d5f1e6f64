"""The claim editor at 1366x768: the fields used on every claim (source,
stance, likelihood, grading, rationale) are in view without scrolling, and in
the same place whichever claim is shown."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QScrollArea

from tests.ui_helpers import tag_phrase, window_on_text

TEXT = (
    "Syria has sent troops to the border, two security officials in Damascus said.\n"
    "An Iraqi source dismissed any militia movements between Iraq and Syria, a long sentence that wraps.\n"
)


def test_the_claim_fields_are_in_view_and_stay_in_place(qtbot, tmp_path):
    window = window_on_text(qtbot, tmp_path, TEXT)
    window.resize(1366, 768)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    first = tag_phrase(qtbot, window, TEXT, "Syria has sent troops to the border", Qt.Key.Key_C)
    window.ctl.set_note(first, "A note\nof several\nlines\nand more\nand more", None)
    second = tag_phrase(qtbot, window, TEXT, "An Iraqi source dismissed any militia movements", Qt.Key.Key_C)
    editor = window.details.claim
    scroll = next(w for w in _ancestors(window.details) if isinstance(w, QScrollArea))
    places = []
    for ann_id in (first, second, first):
        window.selection.select(ann_id)
        qtbot.wait(10)
        view = scroll.viewport().rect()
        where = {}
        for name, widget in (("source", editor.source_field), ("stance", editor.stance), ("likelihood", editor.likelihood),
                             ("grading", editor.grading), ("rationale", editor.likelihood_note)):  # fmt: skip
            top_left = widget.mapTo(scroll.viewport(), QPoint(0, 0))
            rect = QRect(top_left, widget.size())
            assert view.contains(rect), f"{name} needs scrolling: {rect} outside {view}"
            where[name] = top_left.y()
        places.append(where)
    assert places[0] == places[1] == places[2], "the fields stay in one place from claim to claim"


def _ancestors(widget):
    while widget is not None:
        yield widget
        widget = widget.parentWidget()
