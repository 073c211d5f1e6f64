"""Every item model in the desk passes Qt's model tester with real data
(the seed article, its annotations and entities); one edit re-highlights
only the blocks it touches."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt

from annotator.core.model import LabelKind
from annotator.ui.app import start_window
from tests.ui_helpers import is_filled, select_and_tag


def test_every_item_model_passes_the_model_tester(qtmodeltester, qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_NO_SEED")  # the seed: real documents, annotations, entities, claims
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    assert win.ctl.document is not None and win.annotations.model.rowCount() > 20
    # The Entities tab, filled, with an entity chosen (its mentions listed).
    win.tabs.setCurrentWidget(win.entities)
    ent = win.entities
    assert ent.model.rowCount() > 10
    ent.view.selectRow(0)
    assert ent.mentions.count() > 0
    # A claim with a source: the claim editor's completer holds the actor names.
    claim_label = next(lb for lb in win.ctl.labels() if lb.kind is LabelKind.CLAIM)
    claim = next(a for a in win.ctl.annotations() if a.label_id == claim_label.id)
    win.selection.select(claim.id)
    editor = win.details.claim
    assert editor.isVisible() and editor._names.rowCount() > 5
    completer = editor.source.completer()
    completer.setCompletionPrefix("Syria")
    models = {
        "annotations": win.annotations.model,
        "annotations by kind": win.annotations.kind_proxy,
        "annotations filtered": win.annotations.proxy,
        "documents": win.documents.model,
        "documents filtered": win.documents.proxy,
        "entities": ent.model,
        "entities filtered": ent.proxy,
        "actor names (completer)": editor._names,
        "completions": completer.completionModel(),
        "mentions": ent.mentions.model(),
        "claim subjects": editor.about.model(),
        "claim links": editor.links.model(),
        "claim source mentions": editor.mention.model(),
        "label choice": win.details.label.model(),
    }
    # Every model the desk's own code makes is in the list above.
    own = {type(m).__name__ for m in win.findChildren(QAbstractItemModel) if type(m).__module__.startswith("annotator")}
    assert own <= {type(m).__name__ for m in models.values()}, own
    for name, model in models.items():
        assert model.rowCount() > 0, name
        qtmodeltester.check(model)
    # Filtered and sorted, too.
    win.annotations.tabs.setCurrentIndex(1)  # Actors
    win.annotations.filter.setText("syria")
    ent.filter.setText("iraq")
    win.documents.filter.setText("troops")
    win.annotations.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    ent.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    for model in (win.annotations.kind_proxy, win.annotations.proxy, ent.proxy, win.documents.proxy):
        assert model.rowCount() > 0
        qtmodeltester.check(model)


# --- 2. one edit, its blocks only --------------------------------------------------------------------------


@pytest.fixture
def twenty(qtbot, tmp_path):
    """A document of 20 paragraphs, open in the window, nothing tagged yet."""
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    text = "\n".join(f"Paragraph {i}: troops reached the border near Al Bukamal on day {i}." for i in range(20))
    path = tmp_path / "twenty.txt"
    path.write_text(text, "utf-8")
    win.files.import_files([path], wait=True)
    qtbot.waitUntil(lambda: win.ctl.document is not None and win.ctl.document.filename == "twenty.txt")
    assert win.reader.document().blockCount() == 20
    return win, text


def spy_on_highlighting(window) -> list[int]:
    """The numbers of the blocks the highlighter draws from now on (every
    pass, Qt's own included: the override on the instance is what Qt calls)."""
    hl = window.reader.highlighter
    seen: list[int] = []
    draw = type(hl).highlightBlock

    def counting(text):
        seen.append(hl.currentBlock().blockNumber())
        draw(hl, text)

    hl.highlightBlock = counting
    return seen


def test_one_edit_rehighlights_only_its_blocks(qtbot, twenty):
    win, text = twenty
    seen = spy_on_highlighting(win)
    s = text.index("Al Bukamal on day 7")
    select_and_tag(qtbot, win, s, s + len("Al Bukamal"), Qt.Key.Key_L)
    assert is_filled(win.reader, s)
    assert set(seen) == {7}, seen
    [ann_id] = win.annotations.selected_ids()

    seen.clear()
    win.act_delete.trigger()
    assert not is_filled(win.reader, s) and set(seen) == {7}, seen

    seen.clear()
    win.act_undo.trigger()
    assert is_filled(win.reader, s) and set(seen) == {7}, seen
    assert win.ctl.annotation(ann_id).deleted is False

    seen.clear()
    win.act_undo.trigger()  # the tag itself
    assert not is_filled(win.reader, s) and set(seen) == {7}, seen

    # A span across two paragraphs redraws those two.
    seen.clear()
    a = text.index("day 11.")
    b = text.index("Paragraph 12:") + len("Paragraph 12")
    select_and_tag(qtbot, win, a, b, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert set(seen) == {11, 12}, seen

    # A label change redraws the span's block; a note changes nothing drawn.
    seen.clear()
    p = text.index("troops", text.index("Paragraph 3:"))
    select_and_tag(qtbot, win, p, p + 6, Qt.Key.Key_A)
    [actor] = win.annotations.selected_ids()
    assert set(seen) == {3}, seen
    seen.clear()
    location = next(lb.id for lb in win.ctl.labels() if lb.kind is LabelKind.LOCATION)
    win.ctl.set_label(actor, location)
    assert set(seen) == {3}, seen
    seen.clear()
    win.ctl.set_note(actor, "seen from the road")
    assert set(seen) <= {3}, seen
