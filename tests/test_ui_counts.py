"""The document list's counts per kind are kept between edits (adjusted,
not re-counted on every key press) and always equal a fresh count."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.ui.app import start_window
from tests.ui_helpers import open_copy_of_seed, select_and_tag


def fresh(window):
    repo = window.ctl.repo
    return {d.id: d.counts for d in type(repo).document_summaries(repo)}  # past any spy


def kept(window):
    return {d.id: d.counts for d in window.ctl.document_summaries()}


def seed_window(qtbot, tmp_path):
    """A desk on a new database with the seed article's text open."""
    window = start_window(tmp_path / "counts.db")
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    open_copy_of_seed(qtbot, window, tmp_path)
    return window


def test_counts_follow_adds_deletes_undo_redo_and_label_changes(qtbot, tmp_path):
    window = seed_window(qtbot, tmp_path)
    text = window.reader.text
    assert kept(window) == fresh(window)
    calls = []
    real = window.ctl.repo.document_summaries
    window.ctl.repo.document_summaries = lambda: calls.append(1) or real()

    start = text.index("Syria")
    select_and_tag(qtbot, window, start, start + 5, Qt.Key.Key_A)
    select_and_tag(qtbot, window, text.index("Iraq"), text.index("Iraq") + 4, Qt.Key.Key_L)
    sentence = text.index("Syria has sent")
    select_and_tag(qtbot, window, sentence, sentence + 40, Qt.Key.Key_C)
    assert kept(window) == fresh(window) and not calls  # three key presses, no re-count
    counts = kept(window)[window.ctl.document.id]
    assert (counts["actor"], counts["location"], counts["claim"]) == (1, 1, 1)

    window.act_undo.trigger()
    window.act_undo.trigger()
    assert kept(window) == fresh(window)
    window.act_redo.trigger()
    assert kept(window) == fresh(window)

    actor = next(a for a in window.ctl.annotations() if window.ctl.label(a.label_id).kind.value == "actor")
    window.ctl.delete([actor.id])
    assert kept(window) == fresh(window)
    window.act_undo.trigger()
    assert kept(window) == fresh(window)

    location = next(lb.id for lb in window.ctl.labels() if lb.kind.value == "location")
    window.ctl.set_label(actor.id, location)  # an update: counted again
    assert kept(window) == fresh(window) and calls
    window.act_undo.trigger()
    assert kept(window) == fresh(window)
    window.close()


def test_a_tag_redraws_its_documents_row_without_resetting_the_list(qtbot, tmp_path):
    window = seed_window(qtbot, tmp_path)
    model = window.documents.model
    changed, resets = [], []
    model.dataChanged.connect(lambda first, last, *_: changed.append((first.row(), last.row())))
    model.modelReset.connect(lambda: resets.append(1))
    text = window.reader.text
    select_and_tag(qtbot, window, text.index("Syria"), text.index("Syria") + 5, Qt.Key.Key_A)
    row = model.row_of(window.ctl.document.id)
    assert changed == [(row, row)] and not resets, "one row redrawn, the list (and its selection) kept"
    col = model.HEADERS.index("A")
    assert model.index(row, col).data() == 1
