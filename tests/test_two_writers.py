"""Two writers on one database: no corruption, no "database is locked" for
the user, and each window shows the other's changes on coming back."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from annotator.core.model import LabelKind
from annotator.store.database import open_database
from annotator.ui.app import start_window
from tests.ui_helpers import open_copy_of_seed

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "syria-troops-iraq-border.txt").read_text("utf-8")


def test_two_windows_see_each_others_changes(qtbot, tmp_path):
    db = tmp_path / "shared.db"
    a = start_window(db)
    qtbot.addWidget(a)
    open_copy_of_seed(qtbot, a, tmp_path)
    b = start_window(db)
    qtbot.addWidget(b)
    assert a.ctl.document.id == b.ctl.document.id
    a.activateWindow()
    qtbot.waitUntil(a.isActiveWindow)
    i = SEED.index("Palmyra")
    a.reader.select_span(i, i + 7)
    ann_id = a.tag_selection(a.ctl.label_for_kind(LabelKind.LOCATION).id)
    assert b.annotations.model.row_of(ann_id) < 0
    b.activateWindow()  # the analyst comes back to b: it shows a's tag
    qtbot.waitUntil(lambda: b.annotations.model.row_of(ann_id) >= 0)
    assert "changes made elsewhere" in b.statusBar().currentMessage()
    assert b.reader.highlighter.span(ann_id) is not None
    assert not a.databases.check_external_changes()  # a's own tag is not news to a
    # b edits; a sees it.
    b.ctl.set_note(ann_id, "seen by b")
    assert a.databases.check_external_changes()
    assert a.ctl.annotation(ann_id).note == "seen by b"
    assert not a.databases.check_external_changes()  # nothing new


def test_window_and_cli_import_write_at_once(qtbot, tmp_path):
    db = tmp_path / "busy.db"
    win = start_window(db)
    qtbot.addWidget(win)
    open_copy_of_seed(qtbot, win, tmp_path)
    doc = win.ctl.document
    words = [(m, m + 4) for m in range(0, len(SEED) - 4, 7)]
    payload = [
        {
            "id": f"urn:uuid:{uuid.uuid4()}",
            "type": "Annotation",
            "body": {"type": "TextualBody", "purpose": "tagging", "value": "Actor"},
            "target": {"selector": {"type": "TextPositionSelector", "start": s, "end": e}},
        }
        for _copy in range(12)  # distinct ids: a long write on the CLI's side
        for s, e in words
    ]
    w3c = tmp_path / "many.json"
    w3c.write_text(json.dumps(payload), "utf-8")
    cli = subprocess.Popen(
        [sys.executable, "-m", "annotator.cli", "--db", str(db), "annotations", "import", str(doc.id), str(w3c)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    stack = win.ctl.undo_stack
    actor = win.ctl.label_for_kind(LabelKind.ACTOR).id
    starts = list(range(0, len(SEED) - 8, 11))
    while cli.poll() is None:  # the analyst keeps tagging while the CLI writes
        i = starts[stack.count() % len(starts)]
        win.reader.select_span(i, i + 3)
        win.tag_selection(actor)
    tagged = stack.count()
    out, err = cli.communicate(timeout=120)
    assert "locked" not in err.lower() and not win.prompter.errors
    assert cli.returncode in (0, 3), err
    assert tagged >= 5, f"only {tagged} edits while the CLI wrote: they did not overlap"
    store = open_database(db, create=False)
    try:
        assert store.integrity_problems() == []
        live = list(store.repo.annotations(doc.id))
        assert len(live) == 12 * len(words) + tagged  # every write of both made it
    finally:
        store.close()
