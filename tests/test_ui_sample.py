"""The sample through the real window: a new database starts with it, its
actors are not offered as an analyst's claim source, Edit ▸ Remove the
sample annotations removes it whole (Ctrl+Z brings it back), and the brief
leaves it out unless the analyst ticks it in."""

from __future__ import annotations

import sqlite3

import docx
import pytest
from PySide6.QtCore import Qt, QTimer

from annotator.core.sample import SAMPLE_CREATOR
from annotator.ui.app import start_window
from tests.ui_helpers import modal_dialog, name_source, select_and_tag

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATOR_NO_SEED")  # a new database, as on a first start
    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.waitUntil(lambda: win.ctl.document is not None)
    return win


def live_sample(db_path) -> tuple[int, int]:
    """Live annotations and entities the sample wrote."""
    con = sqlite3.connect(db_path)
    try:
        return tuple(
            con.execute(f'SELECT count(*) FROM "{t}" WHERE creator = ? AND deleted = 0', (SAMPLE_CREATOR,)).fetchone()[0]
            for t in ("annotation", "entity")
        )
    finally:
        con.close()


def tag(qtbot, window, phrase: str, key) -> None:
    start = window.ctl.document.text.index(phrase)
    select_and_tag(qtbot, window, start, start + len(phrase), key, Qt.KeyboardModifier.AltModifier)


def test_remove_the_sample_from_the_edit_menu_and_bring_it_back_with_ctrl_z(qtbot, window, tmp_path):
    db = tmp_path / "desk.db"
    assert live_sample(db) == (146, 37) and window.annotations.model.rowCount() == 146
    assert "Remove the sample annotations" in window.statusBar().currentMessage()  # the desk says it is the sample
    tag(qtbot, window, "Hashd Al Shaabi", Qt.Key.Key_A)
    window.act_remove_sample.trigger()
    assert window.prompter.asked[-1] == "Remove the sample"
    assert live_sample(db) == (0, 0)
    assert window.annotations.model.rowCount() == 1, "the analyst's own tag stays"
    assert "Removed the sample's 146 annotations" in window.statusBar().currentMessage()
    window.reader.setFocus()
    qtbot.keyClick(window.reader, Qt.Key.Key_Z, CTRL)
    assert live_sample(db) == (146, 37) and window.annotations.model.rowCount() == 147


def test_an_analysts_claim_is_not_offered_the_samples_actors_as_its_source(qtbot, window):
    tag(qtbot, window, "We are asserting our control over the border", Qt.Key.Key_C)
    names = set(window.details.claim._names.stringList())
    assert "Iraqi security source" not in names and "Syrian government" not in names
    sample_claim = next(a for a in window.ctl.annotations() if a.creator == SAMPLE_CREATOR
                        and window.ctl.label(a.label_id).name == "Claim")  # fmt: skip
    window.selection.select(sample_claim.id)
    assert "Iraqi security source" in set(window.details.claim._names.stringList())  # the sample's own claims keep theirs


def test_the_brief_leaves_the_sample_out_unless_ticked_in(qtbot, window, tmp_path):
    tag(qtbot, window, "Hashd Al Shaabi", Qt.Key.Key_A)
    out = tmp_path / "brief.docx"
    seen = {}

    def fill():
        dialog = modal_dialog()
        seen["ticked"] = dialog.include["sample"].isChecked()
        dialog.path.setText(str(out))
        dialog.accept()

    QTimer.singleShot(0, fill)
    window.act_brief.trigger()
    qtbot.waitUntil(lambda: out in window.prompter.written_files, timeout=30_000)
    body = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert seen["ticked"] is False
    assert "Hashd Al Shaabi" in body and "Key claims" not in body


def test_the_claims_read_with_the_document_show_their_source(qtbot, window):
    model = window.annotations.model
    col = model.HEADERS.index("Entity")  # a claim's source, as it has no entity of its own
    claim = next(a for a in window.ctl.annotations() if a.exact.startswith("militias have no foothold"))
    assert model.index(model.row_of(claim.id), col).data() == "Iraqi security source"


def test_a_sample_claim_takes_a_sample_actor_as_its_source_without_a_new_one(qtbot, window):
    claim = next(a for a in window.ctl.annotations() if a.exact.startswith("militias have no foothold"))
    window.selection.select(claim.id)
    actors_before = {e.id for e in window.ctl.entity_list()}
    name_source(qtbot, window.details.claim, "Syrian government")
    source = window.ctl.entity(window.ctl.claims.details(claim.id).claim.source_entity_id)
    assert source.name == "Syrian government" and source.creator == SAMPLE_CREATOR
    assert {e.id for e in window.ctl.entity_list()} == actors_before
