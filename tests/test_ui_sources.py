"""The register of sources in the desk (Ctrl+Shift+O): the seed's sources
with their claims, gradings and checks; Enter on a claim opens it in the
desk; the register follows an edit while it is open."""

from __future__ import annotations

from PySide6.QtCore import Qt

from annotator.core.services import Desk
from annotator.io.seeds import import_seeds
from annotator.store.database import open_database

CLAIM_ROLE = Qt.ItemDataRole.UserRole + 1


def _rows(dialog) -> dict[str, list[str]]:
    tree = dialog.tree
    return {tree.topLevelItem(i).text(0): [tree.topLevelItem(i).text(c) for c in range(tree.columnCount())]
            for i in range(tree.topLevelItemCount())}  # fmt: skip


def test_the_register_of_the_seed_opens_claims_and_follows_edits(qtbot, tmp_path):
    db = open_database(tmp_path / "desk.db")
    import_seeds(Desk(db.repo, "ana"))  # the seed with its sample annotations: claims with sources
    db.close()
    from annotator.ui.app import start_window

    win = start_window(tmp_path / "desk.db")
    qtbot.addWidget(win)
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    qtbot.keyClick(win, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    dialog = win.sources.dialog
    qtbot.waitUntil(dialog.isVisible)
    rows = _rows(dialog)
    first = dialog.tree.topLevelItem(0)
    assert first.text(0) == "Iraqi security source" and first.text(1) == "9 in 1 doc"
    assert "3 claims corroborated only by the same source" in first.toolTip(0)
    assert first.childCount() == 10 and first.child(0).text(0) == "Check: 3 claims corroborated only by the same source"
    assert first.child(0).isFirstColumnSpanned() and first.child(0).data(0, CLAIM_ROLE) is None
    total = sum(int(r[1].split()[0]) for r in rows.values())
    assert dialog.status.text().startswith(f"{len(rows)} sources of {total} claims; ")
    # only the sources to check; a filter by name (case and marks folded)
    dialog.to_check.setChecked(True)
    checked = _rows(dialog)
    assert set(checked) == {"Iraqi security source", "two security officials in Damascus"} < set(rows)
    dialog.to_check.setChecked(False)
    dialog.filter.setText("IRAQI")
    assert list(_rows(dialog)) == [n for n in rows if "iraqi" in n.lower()]
    dialog.filter.clear()
    # Enter on a claim: its document opens with the claim selected
    win.open_document(None)
    first = dialog.tree.topLevelItem(0)
    first.setExpanded(True)
    claim = first.child(1)
    doc_id, ann_id = claim.data(0, CLAIM_ROLE)
    dialog.tree.setCurrentItem(claim)
    dialog.tree.setFocus()
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.details.ann is not None and win.details.ann.id == ann_id)
    assert win.ctl.document.id == doc_id
    # an edit while it is open: regraded A1, and the register reads again
    assert "A1" not in first.text(2)
    assert win.ctl.set_claim_fields(ann_id, {"reliability": "A", "credibility": "1"})
    qtbot.waitUntil(lambda: any(dialog.tree.topLevelItem(0).child(i).text(2).startswith("A1")
                                for i in range(dialog.tree.topLevelItem(0).childCount())))  # fmt: skip
    top = dialog.tree.topLevelItem(0)
    assert top.isExpanded() and dialog.tree.currentItem().data(0, CLAIM_ROLE) == (doc_id, ann_id)  # where the analyst was
    assert "A1" in top.text(2)
    # Enter on a source shows its entity
    dialog.tree.setCurrentItem(top)
    qtbot.keyClick(dialog.tree, Qt.Key.Key_Return)
    assert win.tabs.currentWidget() is win.entities
    assert win.entities.view.currentIndex().data() == "Iraqi security source"
