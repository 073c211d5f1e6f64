"""Entities, claims and tag-all-occurrences, driven through the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from annotator.core.model import LabelKind
from annotator.store.database import open_database
from tests.ui_helpers import modal_dialog, name_source, select_and_tag, tag_phrase, window_on_text

TEXT = (
    "Syria has sent troops, two security officials in Damascus said.\n"
    "An Iraqi source dismissed any militia movements between Iraq and Syria.\n"
    "The Popular Mobilisation Forces, or Hashd Al Shaabi, clashed near Palmyra. "
    "Later the PMF withdrew and SYRIA stayed; الحشد الشعبي denied it.\n"
)


@pytest.fixture
def window(qtbot, tmp_path):
    return window_on_text(qtbot, tmp_path, TEXT)


def db_state(path: Path):
    db = open_database(path, create=False)
    try:
        return db
    finally:
        pass


def tag(qtbot, window, phrase: str, key, nth: int = 0):
    return tag_phrase(qtbot, window, TEXT, phrase, key, nth)


def claim_row(window, ann_id):
    return window.ctl.claims.details(ann_id).claim


def test_claim_editor_source_grading_stance_likelihood(qtbot, window):
    claim_id = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    editor = window.details.claim
    assert editor.isVisible()
    # Source from the completer's list of actors (here a new name: a new actor entity).
    name_source(qtbot, editor, "two security officials in Damascus")
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
    # The rationale is a few lines, saved on Ctrl+Enter (like the note).
    note = editor.likelihood_note
    assert isinstance(note, QPlainTextEdit) and note.height() >= 3 * note.fontMetrics().lineSpacing()
    note.setFocus()
    note.setPlainText("Officials speaking to a reputable outlet;\nconsistent with later reports.")
    qtbot.keyClick(note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    claim = claim_row(window, claim_id)
    assert (claim.stance, claim.likelihood) == ("reported", "likely")
    assert claim.likelihood_note == "Officials speaking to a reputable outlet;\nconsistent with later reports."
    assert note.toPlainText() == claim.likelihood_note  # Ctrl+Enter saved, it did not add a line
    # Undo walks back one edit at a time.
    window.act_undo.trigger()
    assert claim_row(window, claim_id).likelihood_note == ""
    assert note.toPlainText() == ""
    window.act_undo.trigger()
    window.act_undo.trigger()
    window.act_undo.trigger()  # grading
    assert claim_row(window, claim_id).reliability == "F"


def test_rationale_is_saved_when_the_focus_leaves_or_another_annotation_is_shown(qtbot, window):
    first = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    second = tag(qtbot, window, "An Iraqi source dismissed any militia movements", Qt.Key.Key_C)
    window.selection.select(first)
    note = window.details.claim.likelihood_note
    note.setFocus()
    qtbot.keyClicks(note, "Two officials")
    window.reader.setFocus()  # leaving the field saves it
    qtbot.waitUntil(lambda: claim_row(window, first).likelihood_note == "Two officials")
    note.setFocus()
    qtbot.keyClicks(note, ", unnamed")
    window.selection.select(second)  # showing another claim saves the first one's text, to the first one
    assert claim_row(window, first).likelihood_note == "Two officials, unnamed"
    assert claim_row(window, second).likelihood_note == "" and note.toPlainText() == ""


def test_claim_subjects_and_contradiction_link(qtbot, window):
    syria = tag(qtbot, window, "Syria", Qt.Key.Key_A)
    first = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    second = tag(qtbot, window, "An Iraqi source dismissed any militia movements", Qt.Key.Key_C)
    window.selection.select(first)
    editor = window.details.claim
    # About: tick Syria.
    items = [editor.about.item(i) for i in range(editor.about.count())]
    [syria_item] = [it for it in items if it.text() == "Syria"]
    syria_item.setCheckState(Qt.CheckState.Checked)
    details = window.ctl.claims.details(first)
    assert [e.name for e in details.subjects] == ["Syria"]
    assert window.ctl.annotation(syria).entity_id == details.subjects[0].id
    # Link: the second claim contradicts the first.
    window.selection.select(second)
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
        dialog = modal_dialog()
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
    QTimer.singleShot(0, lambda: modal_dialog().accept())  # keep the current one, as the dialog proposes
    panel.merge_button.click()
    assert window.ctl.annotation(b).entity_id == pmf_long
    assert "PMF" in window.ctl.entity(pmf_long).aliases
    assert panel.model.rowCount() == 1
    panel.select(pmf_long)
    assert len(panel.mention_items()) == 2 and panel.mentions.count() == 3  # one document: its header, two mentions
    # Activating a mention jumps to it.
    item = panel.mention_items()[1]
    panel.mentions.itemActivated.emit(item)
    assert window.annotations.selected_ids() == [item.data(Qt.ItemDataRole.UserRole + 1)[1]]
    window.act_undo.trigger()
    assert window.ctl.annotation(b).entity_id == pmf_short
    assert panel.model.rowCount() == 2


def test_entity_dialog_edits_and_gazetteer(qtbot, window):
    ann = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    entity_id = window.ctl.annotation(ann).entity_id

    def edit():
        dialog = modal_dialog()
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
        dialog = modal_dialog()
        assert dialog.document_ids() == [window.ctl.document.id]
        dialog.tlp.setCurrentIndex(dialog.tlp.findData("red"))
        dialog.path.setText(str(out))
        dialog.accept()

    QTimer.singleShot(0, fill)
    window.act_brief.trigger()
    qtbot.waitUntil(lambda: out in window.prompter.written_files, timeout=30_000)
    brief = docx.Document(str(out))
    body = "\n".join(p.text for p in brief.paragraphs)
    assert "Popular Mobilisation Forces" in body and "Syria has sent troops" in body
    header = "\n".join(p.text for s in brief.sections for p in s.header.paragraphs)
    footer = "\n".join(p.text for s in brief.sections for p in s.footer.paragraphs)
    assert "TLP:RED" in header + footer
    assert window.settings.value("brief/tlp") == "red"


def test_brief_dialog_sets_the_cover_analyst_and_date(qtbot, window, tmp_path):
    import datetime as dt

    import docx
    from PySide6.QtCore import QDate

    out = tmp_path / "cover.docx"
    seen = {}

    def fill(analyst="", date=None):
        def go():
            dialog = modal_dialog()
            seen["analyst"], seen["date"] = dialog.analyst.text(), dialog.date.date()
            if analyst:
                dialog.analyst.setText(analyst)
            if date is not None:
                dialog.date.setDate(QDate(date.year, date.month, date.day))
            dialog.path.setText(str(out))
            dialog.accept()

        return go

    QTimer.singleShot(0, fill("Rana Haddad", dt.date(2025, 6, 21)))
    window.act_brief.trigger()
    qtbot.waitUntil(lambda: out in window.prompter.written_files, timeout=30_000)
    assert seen["analyst"] == window.ctl.user == "tester"  # defaults: the user, today
    assert seen["date"] == QDate.currentDate()
    brief = docx.Document(str(out))
    cover = "\n".join(c.text for t in brief.tables[:1] for r in t.rows for c in r.cells)
    assert "Rana Haddad" in cover and "21 June 2025" in cover
    assert "Rana Haddad · 21 June 2025" in brief.sections[0].footer.paragraphs[0].text
    assert brief.core_properties.author == "Rana Haddad"
    # the analyst is remembered, the date is not
    window.prompter.written_files.clear()
    QTimer.singleShot(0, fill())
    window.act_brief.trigger()
    qtbot.waitUntil(lambda: out in window.prompter.written_files, timeout=30_000)
    assert seen["analyst"] == "Rana Haddad" and seen["date"] == QDate.currentDate()


def test_the_brief_progress_dialog_cancels(qtbot, window, tmp_path, monkeypatch):
    """The progress dialog has Cancel; pressing it stops write_brief at its next
    progress call (write_brief then writes nothing) and says so."""
    import time

    from PySide6.QtWidgets import QPushButton

    from annotator.export import brief as brief_module
    from annotator.export.brief import BriefOptions

    out = tmp_path / "never.docx"
    calls = []

    def slow_brief(repo, options, path, progress):  # write_brief's contract: progress may raise
        for i in range(2000):
            progress(i, 2000, "Writing")
            calls.append(i)
            time.sleep(0.005)
        path.write_bytes(b"finished")
        return path

    monkeypatch.setattr(brief_module, "write_brief", slow_brief)
    window.files.write_brief(BriefOptions([window.ctl.document.id]), out)
    task = window.files.brief_task
    [cancel] = [b for b in task.dialog.findChildren(QPushButton) if b.text() == "Cancel"]
    qtbot.waitUntil(lambda: len(calls) > 3, timeout=10_000)
    cancel.click()
    qtbot.waitUntil(lambda: task.ended, timeout=10_000)
    assert not out.exists() and len(calls) < 2000
    assert "cancelled" in window.statusBar().currentMessage()
    assert not window.prompter.errors


def test_details_show_the_annotations_own_label(qtbot, window):
    actor = tag(qtbot, window, "Syria", Qt.Key.Key_A)
    claim = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    place = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    for ann_id, name in ((claim, "Claim"), (place, "Location"), (actor, "Actor")):
        window.selection.select(ann_id)  # row objects come fresh from the database each time
        assert window.details.label.currentText() == name


# --- a new location: gazetteer suggestions at once, without a dialog ---------------------------


def test_tagging_a_new_location_offers_gazetteer_places_without_stopping(qtbot, window):
    stack = window.ctl.undo_stack
    before = stack.count()
    ann_id = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    # The tag is committed and shown at once, as one undoable edit; nothing modal, the focus stays in the reader.
    entity_id = window.ctl.annotation(ann_id).entity_id
    assert stack.count() == before + 1 and window.annotations.model.row_of(ann_id) >= 0
    strip = window.place_strip
    assert strip.isVisible() and strip.is_offering(entity_id)
    assert QApplication.activeModalWidget() is None and window.reader.hasFocus()
    qtbot.waitUntil(lambda: bool(strip.buttons), timeout=30_000)  # the gazetteer answers from a thread
    assert strip.buttons[0].text().lstrip("▸ ").startswith("Tadmur, Syria (SY) · city · pop.")
    assert "alternate name “Palmyra”" in strip.buttons[0].text()
    assert len(strip.buttons) <= strip.MAX
    # One key from the reader applies the first: coordinates, country (and the type, empty so far).
    qtbot.keyClick(window.reader, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    entity = window.ctl.entity(entity_id)
    assert entity.country_code == "SY" and entity.type == "city"
    assert 34.0 < entity.latitude < 35.0 and 38.0 < entity.longitude < 38.7
    assert stack.count() == before + 2 and not strip.isVisible()
    window.act_undo.trigger()  # undoes the coordinates only
    entity = window.ctl.entity(entity_id)
    assert (entity.latitude, entity.longitude, entity.country_code, entity.type) == (None, None, "", "")
    assert not window.ctl.annotation(ann_id).deleted


def test_the_gazetteer_lookup_does_not_slow_the_tagging_key(qtbot, window, monkeypatch):
    import time

    from annotator.core import gazetteer

    real = gazetteer.suggest_names

    def slow(*args, **kwargs):
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(gazetteer, "suggest_names", slow)
    start = time.perf_counter()
    ann_id = tag(qtbot, window, "Palmyra", Qt.Key.Key_L)
    assert time.perf_counter() - start < 1.0  # the tag did not wait for the gazetteer
    strip = window.place_strip
    assert "looking it up" in strip.title.text() and not strip.buttons
    assert window.ctl.annotation(ann_id).entity_id is not None
    tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)  # tagging goes on meanwhile
    qtbot.waitUntil(lambda: bool(strip.buttons), timeout=30_000)
    strip.buttons[1].click()  # a click applies any of them
    assert window.ctl.entity(window.ctl.annotation(ann_id).entity_id).country_code != ""


def test_escape_leaves_the_location_empty_and_known_locations_are_not_offered(qtbot, window):
    strip = window.place_strip
    first = tag(qtbot, window, "Syria", Qt.Key.Key_L)
    assert strip.is_offering(window.ctl.annotation(first).entity_id)
    qtbot.keyClick(window.reader, Qt.Key.Key_Escape)
    assert not strip.isVisible()
    entity = window.ctl.entity(window.ctl.annotation(first).entity_id)
    assert entity.latitude is None and entity.country_code == ""
    tag(qtbot, window, "Syria", Qt.Key.Key_L, nth=1)  # the same location again: nothing new to locate
    assert not strip.isVisible()
    # Undoing the tag that created a location withdraws its offer.
    tag(qtbot, window, "Damascus", Qt.Key.Key_L)
    assert strip.isVisible()
    window.act_undo.trigger()
    assert not strip.isVisible()
    # Actors are never offered places.
    tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)
    assert not strip.isVisible()


def test_no_gazetteer_match_says_so(qtbot, window, monkeypatch):
    from annotator.core import gazetteer

    monkeypatch.setattr(gazetteer, "suggest_names", lambda *a, **k: [])
    tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_L)
    strip = window.place_strip
    qtbot.waitUntil(lambda: "no match" in strip.title.text(), timeout=10_000)
    assert strip.buttons == [] and strip.apply(0) is None


def test_entity_dialog_searches_the_aliases_and_explains_matches(qtbot, window):
    entity, _ = window.ctl.entities.create(LabelKind.LOCATION, "Al Bukamal border crossing", aliases=["Al Bukamal"])
    window.ctl.apply(__import__("annotator.core.services", fromlist=["Change"]).Change(entities_changed=True))
    seen = {}

    def look():
        dialog = modal_dialog()
        qtbot.waitUntil(lambda: dialog.suggestions.count() > 0)
        first = dialog.suggestions.item(0)
        seen["alias"] = first.text()
        dialog.aliases.setPlainText("")  # the name alone finds nothing
        qtbot.waitUntil(lambda: "No match" in dialog.suggestions.item(0).text(), timeout=5_000)
        no_match = dialog.suggestions.item(0)
        seen["none"] = (no_match.text(), no_match.flags())
        dialog.suggestions.itemClicked.emit(no_match)  # nothing to use
        seen["fields"] = dialog.fields()
        dialog.reject()

    QTimer.singleShot(0, look)
    window.entity_tools.edit_entity(entity.id)
    assert seen["alias"].startswith("Ālbū Kamāl, Syria (SY) · city · pop. ")
    assert "for the alias “Al Bukamal”" in seen["alias"]
    text, flags = seen["none"]
    assert "“Al Bukamal border crossing”" in text and flags == Qt.ItemFlag.NoItemFlags
    assert "latitude" not in seen["fields"]


# --- tag all occurrences: what matched, and proposals inside other mentions ---------------------


def test_tag_all_flags_proposals_inside_tagged_mentions_and_says_what_matched(qtbot, window):
    tag(qtbot, window, "Hashd Al Shaabi", Qt.Key.Key_A)  # a mention of another actor, for now
    pmf = tag(qtbot, window, "Popular Mobilisation Forces", Qt.Key.Key_A)
    entity_id = window.ctl.annotation(pmf).entity_id
    window.ctl.edit_entity(entity_id, {"aliases": ["Hashd", "PMF", "الحشد الشعبي"]})
    seen = {}

    def look():
        dialog = modal_dialog()
        items = [dialog.list.item(i) for i in range(dialog.list.count())]
        seen["rows"] = [(it.text(), it.checkState()) for it in items]
        seen["summary"] = dialog.summary.text()
        dialog.accept()

    QTimer.singleShot(0, look)
    window.details.tag_all.click()
    (hashd, hashd_state), (short, short_state), (arabic, arabic_state) = seen["rows"]
    assert "«Hashd»" in hashd and "inside an existing Actor: ‘Hashd Al Shaabi’" in hashd
    assert hashd_state == Qt.CheckState.Unchecked and "matched the alias “Hashd”" in hashd
    assert "«PMF»" in short and "matched the alias “PMF”" in short and short_state == Qt.CheckState.Checked
    assert "matched the alias “الحشد الشعبي”" in arabic and arabic_state == Qt.CheckState.Checked
    assert "1 overlap" in seen["summary"]
    assert sorted(m.exact for m in window.ctl.entities.mentions(entity_id)) == sorted(
        ["Popular Mobilisation Forces", "PMF", "الحشد الشعبي"]
    )


# --- the claim editor ----------------------------------------------------------------------------


def test_claim_editor_lists_ticked_subjects_first_and_names_linked_claims(qtbot, window):
    for phrase, key in (("Syria", Qt.Key.Key_A), ("Popular Mobilisation Forces", Qt.Key.Key_A), ("Palmyra", Qt.Key.Key_L),
                        ("Damascus", Qt.Key.Key_L), ("Iraq", Qt.Key.Key_L)):  # fmt: skip
        tag(qtbot, window, phrase, key)
    first = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    second = tag(qtbot, window, "An Iraqi source dismissed any militia movements between Iraq and Syria", Qt.Key.Key_C)
    editor = window.details.claim
    details = window.details
    assert not details._entity_row[0].isRowVisible(details._entity_row[1])  # no "Entity —" for a claim
    names = lambda: [editor.about.item(i).text() for i in range(editor.about.count())]  # noqa: E731
    assert names() == ["Damascus", "Iraq", "Palmyra", "Popular Mobilisation Forces", "Syria"]
    [palmyra] = [editor.about.item(i) for i in range(editor.about.count()) if editor.about.item(i).text() == "Palmyra"]
    palmyra.setCheckState(Qt.CheckState.Checked)
    assert names()[0] == "Palmyra"  # ticked first
    [syria] = [editor.about.item(i) for i in range(editor.about.count()) if editor.about.item(i).text() == "Syria"]
    syria.setCheckState(Qt.CheckState.Checked)
    assert names()[:2] == ["Palmyra", "Syria"]
    editor.about_filter.setText("dam")  # the filter keeps the ticked ones in view
    visible = [editor.about.item(i).text() for i in range(editor.about.count()) if not editor.about.item(i).isHidden()]
    assert visible == ["Palmyra", "Syria", "Damascus"]
    # A link line names the other claim by its number, as the brief does (never "C3", a grading),
    # its quote, shortened, and its grading, said to be one; the tooltip has it all.
    window.ctl.set_claim_fields(second, {"reliability": "C", "credibility": "3"})
    window.selection.select(first)
    window.ctl.link_claims(first, second, "contradicts")
    [line] = [editor.links.item(i) for i in range(editor.links.count())]
    full = line.data(editor.links.FULL_ROLE)
    number = editor._numbers[second]
    assert full.startswith(f"→ contradicts claim {number} “An Iraqi source dismissed") and full.endswith("…” (graded C3)")
    assert editor.title.text() == f"<b>Claim {editor._numbers[first]}</b>"
    assert "between Iraq and Syria" in line.toolTip()
    assert editor.links.fontMetrics().horizontalAdvance(line.text()) <= editor.links.viewport().width()
    syria_actor = next(a for a in window.ctl.annotations() if a.exact == "Syria")
    window.selection.select(syria_actor.id)
    assert details._entity_row[0].isRowVisible(details._entity_row[1])  # an actor shows its entity


def test_claim_source_by_name_is_one_transaction_and_undo_removes_the_new_actor(qtbot, window, monkeypatch):
    from tests.test_claims import count_transactions

    claim_id = tag(qtbot, window, "Syria has sent troops", Qt.Key.Key_C)
    editor = window.details.claim
    opened = count_transactions(window.ctl.repo, monkeypatch)
    name_source(qtbot, editor, "two security officials in Damascus")
    assert len(opened) == 1
    source_id = claim_row(window, claim_id).source_entity_id
    assert window.ctl.entity(source_id).name == "two security officials in Damascus"
    window.act_undo.trigger()
    assert claim_row(window, claim_id).source_entity_id is None
    assert window.ctl.entity(source_id) is None and window.ctl.repo.get_entity(source_id).deleted
    assert "two security officials in Damascus" not in [e.name for e in window.ctl.entity_list()]
    window.act_redo.trigger()
    assert claim_row(window, claim_id).source_entity_id == source_id and window.ctl.entity(source_id) is not None


# --- the Entities view ---------------------------------------------------------------------------


def test_entities_view_groups_mentions_by_document_on_one_line(qtbot, window, tmp_path):
    from annotator.ui.entities_panel import CONTEXT_ROLE, HEADER_ROLE

    tag(qtbot, window, "Syria", Qt.Key.Key_A)
    tag(qtbot, window, "SYRIA", Qt.Key.Key_A)
    first_doc = window.ctl.document.id
    other = tmp_path / "other.txt"
    other.write_text("Later Syria said nothing.\n", "utf-8")
    window.files.import_files([other], wait=True)
    qtbot.waitUntil(lambda: window.ctl.document.filename == "other.txt")
    select_and_tag(qtbot, window, 6, 11, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    annotations_sizes = window.right.sizes()
    window.tabs.setCurrentWidget(window.entities)
    sizes = window.right.sizes()
    assert sizes[0] >= 0.74 * sum(sizes) and sizes[0] > annotations_sizes[0]  # the list and mentions get the room
    panel = window.entities
    entity_id = window.ctl.annotation(window.annotations.selected_ids()[0]).entity_id
    panel.select(entity_id)
    rows = [panel.mentions.item(i) for i in range(panel.mentions.count())]
    headers = [r.text() for r in rows if r.data(HEADER_ROLE)]
    titles = [d.title for d in window.ctl.document_summaries()]
    assert len(headers) == 2 and headers[0] == f"{titles[0]} (2)" and headers[1].endswith("(1)"), (headers, titles)
    assert not rows[0].flags() & Qt.ItemFlag.ItemIsSelectable
    mentions = panel.mention_items()
    assert len(mentions) == 3 and all("\n" not in m.text() for m in mentions)
    _before, exact, after = mentions[0].data(CONTEXT_ROLE)
    assert exact == "Syria" and after.startswith(" has sent troops")
    height = panel.mentions.sizeHintForRow(1)
    assert height <= panel.mentions.fontMetrics().height() + 8  # one line
    panel.mentions.itemClicked.emit(rows[0])  # a header goes nowhere
    assert window.ctl.document.filename == "other.txt"
    panel.mentions.itemClicked.emit(mentions[0])
    assert window.ctl.document.id == first_doc
    window.tabs.setCurrentWidget(window.annotations)
    assert window.right.sizes() == annotations_sizes
