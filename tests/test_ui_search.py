"""Search the corpus from the desk (Ctrl+Shift+F): hits grouped by document,
Enter opens the document at the hit with the span flashed, an annotation's
hit selects it, filters narrow, and what was just tagged is found at once."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui_helpers import active_window_on_seed, import_and_open, tag_phrase


def _search(qtbot, win, query: str):
    qtbot.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = win.corpus_search.dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.query.setFocus()
    dialog.query.selectAll()
    qtbot.keyClicks(dialog.query, query)
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)  # searches at once, then moves to the first hit
    return dialog


def _groups(dialog) -> list[tuple[str, list]]:
    tree = dialog.results
    return [
        (tree.topLevelItem(i).text(0), [tree.topLevelItem(i).child(j).data(0, Qt.ItemDataRole.UserRole + 1) for j in range(tree.topLevelItem(i).childCount())])
        for i in range(tree.topLevelItemCount())
    ]


def test_a_phrase_across_documents_opens_at_the_hit(qtbot, tmp_path):
    win = active_window_on_seed(qtbot, tmp_path / "desk.db", tmp_path)
    report = tmp_path / "arabic.txt"
    report.write_text("قالت مصادر إن وللحشدِ الشعبي دوراً في بَغْدَادَ\nSecurity officials said nothing.", "utf-8")
    import_and_open(qtbot, win, report)
    dialog = _search(qtbot, win, '"security officials"')
    groups = _groups(dialog)
    titles = [t.rsplit("  (", 1)[0] for t, _hits in groups]
    assert titles == ["Syria troops iraq border", "Arabic"]
    assert dialog.status.text().startswith("2 hits in 2 documents")
    # Enter on a text hit of the seed's copy: that document opens, the span flashes.
    seed_title = titles[0]
    tree = dialog.results
    top = tree.topLevelItem(titles.index(seed_title))
    item = next(top.child(j) for j in range(top.childCount()) if top.child(j).data(0, Qt.ItemDataRole.UserRole + 1).where == "text")
    hit = item.data(0, Qt.ItemDataRole.UserRole + 1)
    tree.setCurrentItem(item)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.ctl.document is not None and win.ctl.document.id == hit.document_id)
    flashed = win.reader._flash[0].cursor
    assert win.reader.text_map.span_from_utf16(flashed.selectionStart(), flashed.selectionEnd()) == (hit.start, hit.end)
    assert win.reader.text[hit.start : hit.end].lower() == "security officials"


def test_an_annotation_found_by_its_note_is_selected_and_filters_narrow(qtbot, tmp_path):
    win = active_window_on_seed(qtbot, tmp_path / "desk.db", tmp_path)
    text = win.reader.text
    ann_id = tag_phrase(qtbot, win, text, "Bashar Al Assad", Qt.Key.Key_A)
    win.details.note.setPlainText("ousted in December; fled to Moscow")
    win.details.commit_pending()
    dialog = _search(qtbot, win, "moscow")
    [(_title, [hit])] = _groups(dialog)
    assert hit.annotation_id == ann_id and hit.where == "note"
    win.open_document(None)
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.details.ann is not None and win.details.ann.id == ann_id)
    # Filters: actors only, then claims graded A–C only (a new claim is graded F6).
    claim_id = tag_phrase(qtbot, win, text, "We are asserting our control over the border", Qt.Key.Key_C)
    dialog.query.setText("border")
    dialog.run()
    everything = [h for _t, hs in _groups(dialog) for h in hs]
    dialog.kind.setCurrentIndex(dialog.kind.findData("actor"))
    assert [h for _t, hs in _groups(dialog) for h in hs] == []  # no actor is called "border"
    dialog.kind.setCurrentIndex(dialog.kind.findData("claim"))
    assert [h.annotation_id for _t, hs in _groups(dialog) for h in hs] == [claim_id]
    dialog.reliability.setCurrentIndex(dialog.reliability.findData("ABC"))
    assert _groups(dialog) == [] and dialog.status.text() == "No hits."
    dialog.kind.setCurrentIndex(0)
    dialog.reliability.setCurrentIndex(0)
    assert len(everything) > 1 and "text" in {h.where for h in everything}
