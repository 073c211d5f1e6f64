"""No silent duplicates, through the real window: Enter in the claim's
Source field takes the highlighted completion, a new actor is made only
with the New actor button, a near-duplicate name is pointed out first, and
the mention list offers the chosen source's own mentions in context."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from annotator.core.model import LabelKind
from tests.ui_helpers import tag_phrase, window_on_text

TEXT = (
    "Syria has sent troops to the border, two security officials in Damascus said on Friday.\n"
    "Later two security officials in Damascus denied it; an Iraqi security source disagreed.\n"
)


@pytest.fixture
def window(qtbot, tmp_path):
    win = window_on_text(qtbot, tmp_path, TEXT)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def tag(qtbot, window, phrase: str, key, nth: int = 0):
    return tag_phrase(qtbot, window, TEXT, phrase, key, nth)


def actors(window) -> list[str]:
    return sorted(e.name for e in window.ctl.entity_list() if e.kind is LabelKind.ACTOR)


def source_of(window, claim_id):
    claim = window.ctl.claims.details(claim_id).claim
    entity = window.ctl.entity(claim.source_entity_id)
    return entity.name if entity else None


def type_source(qtbot, window, name: str):
    """Type ``name`` into the claim's Source field, as the analyst does; the field."""
    field = window.details.claim.source_field
    field.edit.setFocus()
    qtbot.keyClicks(field.edit, name)
    return field


@pytest.fixture
def claim(qtbot, window):
    tag(qtbot, window, "two security officials in Damascus", Qt.Key.Key_A)
    tag(qtbot, window, "two security officials in Damascus", Qt.Key.Key_A, nth=1)
    tag(qtbot, window, "an Iraqi security source", Qt.Key.Key_A)
    return tag(qtbot, window, "Syria has sent troops to the border", Qt.Key.Key_C)


def test_enter_takes_the_highlighted_completion_not_a_new_actor(qtbot, window, claim):
    field = type_source(qtbot, window, "two security officials")
    qtbot.waitUntil(lambda: field.completer.popup().isVisible() and field.completer.popup().currentIndex().isValid())
    assert field.new_button.isVisible()  # not an actor's name: a new one only on request
    qtbot.keyClick(field.completer.popup(), Qt.Key.Key_Return)
    assert source_of(window, claim) == "two security officials in Damascus"
    assert actors(window) == ["an Iraqi security source", "two security officials in Damascus"]


def test_a_name_left_in_the_field_makes_no_actor(qtbot, window, claim):
    field = type_source(qtbot, window, "a Kurdish commander")
    field.completer.popup().hide()
    window.details.claim.stance.setFocus()  # the analyst moves on
    assert source_of(window, claim) is None and "a Kurdish commander" not in actors(window)
    assert field.new_button.isVisible() and field.new_button.text().startswith("New actor “a Kurdish")
    assert "“a Kurdish commander”" in field.new_button.toolTip()
    qtbot.mouseClick(field.new_button, Qt.MouseButton.LeftButton)
    assert source_of(window, claim) == "a Kurdish commander"
    assert "New actor" not in window.prompter.asked  # no actor close to it: nothing to point out


def test_a_near_duplicate_is_pointed_out_before_it_is_made(qtbot, window, claim):
    window.prompter.answers["New actor"] = False  # No: use the existing actor
    field = type_source(qtbot, window, "Iraqi security source")
    field.completer.popup().hide()
    qtbot.mouseClick(field.new_button, Qt.MouseButton.LeftButton)
    assert window.prompter.asked[-1] == "New actor"
    assert source_of(window, claim) == "an Iraqi security source"
    assert actors(window) == ["an Iraqi security source", "two security officials in Damascus"]


def test_the_mention_list_offers_the_sources_own_mentions_in_context(qtbot, window, claim):
    field = type_source(qtbot, window, "two security officials in Damascus")
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)
    mention = window.details.claim.mention
    texts = [mention.itemText(i) for i in range(1, mention.count())]
    assert texts == ["…to the border, [two security officials in Damascus] said on Friday. Later…",
                     "…on Friday. Later [two security officials in Damascus] denied it; an Iraqi…"]  # fmt: skip


def test_the_annotation_table_shows_a_claims_source(qtbot, window, claim):
    """A claim has no entity of its own: its Entity cell shows its source,
    and on the Claims tab that column is headed Source."""
    panel = window.annotations
    model, col = panel.model, panel.model.HEADERS.index("Entity")
    row = model.row_of(claim)
    assert model.index(row, col).data() == ""
    type_source(qtbot, window, "two security officials in Damascus")
    qtbot.keyClick(window.details.claim.source_field.edit, Qt.Key.Key_Return)
    assert model.index(row, col).data() == "two security officials in Damascus"
    header = panel.view.model()
    assert header.headerData(col, Qt.Orientation.Horizontal) == "Entity"
    panel.tabs.setCurrentIndex([name for name, _k in panel.TABS].index("Claims"))
    assert header.headerData(col, Qt.Orientation.Horizontal) == "Source"
    assert panel.view.model().rowCount() == 1
