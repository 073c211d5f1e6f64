"""Entities, claims and tag-all-occurrences, driven through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer

from annotator.core.model import LabelKind
from annotator.store.database import open_database
from annotator.ui.app import start_window
from tests.ui_helpers import select_and_tag

TEXT = (
    "Syria has sent troops, two security officials in Damascus said.\n"
    "An Iraqi source dismissed any militia movements between Iraq and Syria.\n"
    "The Popular Mobilisation Forces, or Hashd Al Shaabi, clashed near Palmyra. "
    "Later the PMF withdrew and SYRIA stayed; الحشد الشعبي denied it.\n"
)


@pytest.fixture
def window(qtbot, tmp_path):
    db = tmp_path / "desk.db"
    win = start_window(db)
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    path = tmp_path / "report.txt"
    path.write_text(TEXT, "utf-8")
    win.import_files([path], wait=True)
    qtbot.waitUntil(lambda: win.ctl.document is not None and win.ctl.document.filename == "report.txt")
    win.db_path = db
    return win


def db_state(path: Path):
    db = open_database(path, create=False)
    try:
        return db
    finally:
        pass


def tag(qtbot, window, phrase: str, key, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(phrase, start + 1)
    select_and_tag(qtbot, window, start, start + len(phrase), key, Qt.KeyboardModifier.AltModifier)
    [ann_id] = window.annotations.selected_ids()
    return ann_id


def claim_row(window, ann_id):
    return window.ctl.claims.details(ann_id).claim


def test_claim_editor_source_grading_stance_likelihood(qtbot, window):
    claim_id = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    editor = window.details.claim
    assert editor.isVisible()
    # Source from the completer's list of actors (here a new name: a new actor entity).
    editor.source.setFocus()
    editor.source.setText("two security officials in Damascus")
    editor.source.editingFinished.emit()
    claim = claim_row(window, claim_id)
    source = window.ctl.entity(claim.source_entity_id)
    assert source.name == "two security officials in Damascus" and source.kind is LabelKind.ACTOR
    # Grading: one key each.
    editor.grading.setFocus()
    qtbot.keyClick(editor.grading, Qt.Key.Key_B)
    qtbot.keyClick(editor.grading, Qt.Key.Key_2)
    claim = claim_row(window, claim_id)
    assert (claim.reliability, claim.credibility) == ("B", "2")
    col = window.annotations.model.HEADERS.index("Grading")
    row = window.annotations.model.row_of(claim_id)
    assert window.annotations.model.index(row, col).data() == "B2"
    # Stance and likelihood.
    editor.stance.setCurrentIndex(editor.stance.findData("reported"))
    editor.stance.activated.emit(editor.stance.currentIndex())
    editor.likelihood.setCurrentIndex(editor.likelihood.findData("likely"))
    editor.likelihood.activated.emit(editor.likelihood.currentIndex())
    editor.likelihood_note.setText("Officials speaking to a reputable outlet; consistent with later reports.")
    editor.likelihood_note.editingFinished.emit()
    claim = claim_row(window, claim_id)
    assert (claim.stance, claim.likelihood) == ("reported", "likely")
    assert claim.likelihood_note.startswith("Officials speaking")
    # Undo walks back one edit at a time.
    window.act_undo.trigger()
    assert claim_row(window, claim_id).likelihood_note == ""
    window.act_undo.trigger()
    window.act_undo.trigger()
    window.act_undo.trigger()  # grading
    assert claim_row(window, claim_id).reliability == "F"


def test_claim_subjects_and_contradiction_link(qtbot, window):
    syria = tag(qtbot, window, "Syria", Qt.Key.Key_A)
    first = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    second = tag(qtbot, window, "An Iraqi source dismissed any militia movements", Qt.Key.Key_C)
    window.select_annotation(first)
    editor = window.details.claim
    # About: tick Syria.
    items = [editor.about.item(i) for i in range(editor.about.count())]
    [syria_item] = [it for it in items if it.text() == "Syria"]
    syria_item.setCheckState(Qt.CheckState.Checked)
    details = window.ctl.claims.details(first)
    assert [e.name for e in details.subjects] == ["Syria"]
    assert window.ctl.annotation(syria).entity_id == details.subjects[0].id
    # Link: the second claim contradicts the first.
    window.select_annotation(second)
    menu = editor.link_menu()
    [contradicts] = [a for a in menu.actions() if a.text() == "Contradicts"]
    contradicts.menu().actions()[0].trigger()
    links = window.ctl.claims.details(second).links
    assert [(ln.relation, ln.other_annotation_id, ln.direction) for ln in links] == [("contradicts", first, "out")]
    assert editor.links.count() == 1
    back = window.ctl.claims.details(first).links
    assert [(ln.relation, ln.direction) for ln in back] == [("contradicts", "in")]
    window.act_undo.trigger()
    assert window.ctl.claims.details(second).links == []


def test_tag_all_occurrences_through_the_dialog(qtbot, window):
    pmf = tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)
    entity_id = window.ctl.annotation(pmf).entity_id
    window.ctl.edit_entity(entity_id, {"aliases": ["Hashd Al Shaabi", "PMF", "الحشد الشعبي"]})

    def accept_some():
        dialog = window._dialog
        texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        assert len(texts) == 3, texts  # Hashd Al Shaabi, PMF, the Arabic name; not the tagged one
        dialog.list.item(0).setCheckState(Qt.CheckState.Unchecked)
        dialog.accept()

    QTimer.singleShot(0, accept_some)
    window.details.tag_all.click()
    mentions = window.ctl.entities.mentions(entity_id)
    assert sorted(m.exact for m in mentions) == sorted(["Popular Mobilisation Forces", "PMF", "الحشد الشعبي"])
    # A second pass finds only the one left out: tagged spans are not duplicated.
    found = window.ctl.entities.find_occurrences(entity_id, [window.ctl.document.id])
    assert [o.exact for o in found] == ["Hashd Al Shaabi"]
    window.act_undo.trigger()
    assert [m.exact for m in window.ctl.entities.mentions(entity_id)] == ["Popular Mobilisation Forces"]


def test_entities_view_counts_mentions_and_merges(qtbot, window):
    a = tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)
    b = tag(qtbot, window, "PMF", Qt.Key.Key_A)
    pmf_long = window.ctl.annotation(a).entity_id
    pmf_short = window.ctl.annotation(b).entity_id
    assert pmf_long != pmf_short
    window.tabs.setCurrentWidget(window.entities)
    panel = window.entities
    assert panel.model.rowCount() == 2
    panel.select(pmf_long)
    panel.select(pmf_short, add=True)
    panel.view.selectionModel().setCurrentIndex(
        panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(pmf_long), 0)),
        panel.view.selectionModel().SelectionFlag.NoUpdate,
    )
    assert panel.selected_ids()[0] == pmf_long
    panel.merge_button.click()
    assert window.ctl.annotation(b).entity_id == pmf_long
    assert "PMF" in window.ctl.entity(pmf_long).aliases
    assert panel.model.rowCount() == 1
    panel.select(pmf_long)
    assert panel.mentions.count() == 2
    # Activating a mention jumps to it.
    item = panel.mentions.item(1)
    panel.mentions.itemActivated.emit(item)
    assert window.annotations.selected_ids() == [item.data(Qt.ItemDataRole.UserRole + 1)[1]]
    window.act_undo.trigger()
    assert window.ctl.annotation(b).entity_id == pmf_short
    assert panel.model.rowCount() == 2


def test_entity_dialog_edits_and_gazetteer(qtbot, window):
    ann = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    entity_id = window.ctl.annotation(ann).entity_id

    def edit():
        dialog = window._dialog
        qtbot.waitUntil(lambda: dialog.suggestions.count() > 0)
        first = dialog.suggestions.item(0)
        assert "SY" in first.text()
        dialog.suggestions.itemClicked.emit(first)
        dialog.aliases.setPlainText("Tadmur\nتدمر")
        dialog.type.setCurrentIndex(dialog.type.findData("city"))
        dialog.accept()

    QTimer.singleShot(0, edit)
    window.details.entity_edit.click()
    entity = window.ctl.entity(entity_id)
    assert entity.country_code == "SY" and entity.type == "city"
    assert 34.0 < entity.latitude < 35.0 and 38.0 < entity.longitude < 38.7
    assert entity.aliases == ["Tadmur", "تدمر"]
    window.act_undo.trigger()
    assert window.ctl.entity(entity_id).aliases == []


def test_export_brief_from_the_file_menu(qtbot, window, tmp_path):
    import docx

    tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)
    claim = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    window.ctl.set_claim_fields(claim, {"reliability": "B", "credibility": "2"})
    out = tmp_path / "brief.docx"

    def fill():
        dialog = window._dialog
        assert dialog.document_ids() == [window.ctl.document.id]
        dialog.tlp.setCurrentIndex(dialog.tlp.findData("red"))
        dialog.path.setText(str(out))
        dialog.accept()

    QTimer.singleShot(0, fill)
    window.act_brief.trigger()
    qtbot.waitUntil(lambda: getattr(window, "last_brief", None) == out, timeout=30_000)
    brief = docx.Document(str(out))
    body = "\n".join(p.text for p in brief.paragraphs)
    assert "Popular Mobilisation Forces" in body and "Syria has sent troops" in body
    header = "\n".join(p.text for s in brief.sections for p in s.header.paragraphs)
    footer = "\n".join(p.text for s in brief.sections for p in s.footer.paragraphs)
    assert "TLP:RED" in header + footer
    assert window.settings.value("brief/tlp") == "red"


def test_details_show_the_annotations_own_label(qtbot, window):
    actor = tag(qtbot, window, "Syria", Qt.Key.Key_A)
    claim = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    place = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    for ann_id, name in ((claim, "Claim"), (place, "Location"), (actor, "Actor")):
        window.select_annotation(ann_id)  # row objects come fresh from the database each time
        assert window.details.label.currentText() == name
