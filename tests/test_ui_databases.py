"""Opening, creating and picking a recent database shows a document; Qt's
own command-line options reach Qt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from annotator import cli
from annotator.core.services import Desk
from annotator.store.database import open_database
from annotator.ui.app import start_window

ROOT = Path(__file__).resolve().parents[1]
SEED_TITLE = "Syria sends 3,000 troops to Iraq border to deter pro-Iran militias"


def import_text(qtbot, window, tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    window.files.import_files([path], wait=True)
    qtbot.waitUntil(lambda: window.ctl.document is not None and window.ctl.document.filename == name)
    return window.ctl.document


@pytest.fixture
def window(qtbot, tmp_path):
    win = start_window(tmp_path / "first.db")
    assert win is not None
    qtbot.addWidget(win)
    return win


def shown(window) -> str:
    doc = window.ctl.document
    assert doc is not None, "a document is open"
    assert window.reader.toPlainText() == doc.text
    assert doc.title in window.pane.header.text() and doc.title in window.windowTitle()
    return doc.title


def test_a_new_database_shows_the_seed(qtbot, window, tmp_path, monkeypatch):
    import_text(qtbot, window, tmp_path, "mine.txt", "My own report about Mosul.")
    monkeypatch.delenv("ANNOTATOR_NO_SEED")  # as an analyst runs it
    new = tmp_path / "new.db"
    assert window.databases.new_database(new)
    assert window.ctl.db.path == new
    assert shown(window) == SEED_TITLE
    assert window.annotations.model.rowCount() > 20, "the seed's demonstration annotations are drawn"
    assert "sample article and its demonstration annotations" in window.statusBar().currentMessage()
    # "New" never opens or replaces an existing file.
    assert not window.databases.new_database(new)
    assert "already exists" in window.prompter.last_error
    assert window.ctl.db.path == new


def test_opening_a_database_shows_its_last_document_else_its_first(qtbot, window, tmp_path):
    first_a = import_text(qtbot, window, tmp_path, "a1.txt", "First report in A.")
    second_a = import_text(qtbot, window, tmp_path, "a2.txt", "Second report in A.")
    window.open_document(first_a.id)
    window.open_document(second_a.id)  # the last one read in A

    other = tmp_path / "other.db"
    assert window.databases.new_database(other)  # ANNOTATOR_NO_SEED: a new database is empty here
    assert window.ctl.document is None
    assert "No document open" in window.pane.header.text()
    first_b = import_text(qtbot, window, tmp_path, "b1.txt", "Only report in B.")
    import_text(qtbot, window, tmp_path, "b2.txt", "Another report in B.")
    window.open_document(first_b.id)

    assert window.databases.choose_database(tmp_path / "first.db")  # File > Open database, with the path chosen
    assert window.ctl.document.id == second_a.id and shown(window) == second_a.title
    assert window.databases.choose_database(other)
    assert window.ctl.document.id == first_b.id and shown(window) == first_b.title

    # A database never opened in this window before: its first document.
    fresh = tmp_path / "fresh.db"
    db = open_database(fresh)
    desk = Desk(db.repo, "colleague")
    desk.ensure_tagset()
    desk.import_document("Fresh report, imported first.", "Fresh one")
    desk.import_document("Fresh report, imported second.", "Fresh two")
    db.close()
    assert window.databases.choose_database(fresh)
    first = window.ctl.document_summaries()[0]
    assert window.ctl.document.id == first.id and shown(window) == first.title


def test_a_recent_database_opens_its_document(qtbot, window, tmp_path):
    doc = import_text(qtbot, window, tmp_path, "recent.txt", "A report to come back to.")
    window.databases.new_database(tmp_path / "elsewhere.db")
    assert window.ctl.document is None
    [act] = [a for a in window.databases.recent_menu.actions() if a.text() == str(tmp_path / "first.db")]
    act.trigger()
    assert window.ctl.db.path == tmp_path / "first.db"
    assert window.ctl.document.id == doc.id


def test_menu_actions_with_a_path_argument_are_called_without_one(qtbot, window, tmp_path, monkeypatch):
    """triggered(bool) must not arrive as the path (File > Merge database… used to get False)."""
    window.act_merge.trigger()
    window.act_open_db.trigger()
    window.act_new_db.trigger()
    assert window.prompter.asked == ["Merge a colleague's database", "Open database", "New database"]
    assert not window.prompter.errors


# --- Qt's own options ----------------------------------------------------------------------------------


def test_qt_options_are_split_from_ours(monkeypatch, tmp_path):
    assert cli.split_qt_args(["--db", "x.db", "-style", "fusion", "report.txt", "-reverse", "-platform=xcb"]) == (
        ["--db", "x.db", "report.txt"], ["-style", "fusion", "-reverse", "-platform=xcb"])  # fmt: skip
    assert cli.split_qt_args(["--", "-style"]) == (["--", "-style"], [])
    calls = []
    fake = type(sys)("annotator.ui.app")
    fake.run_gui = lambda db_path, files, qt_args=None: calls.append((db_path, files, qt_args)) or 0
    monkeypatch.setitem(sys.modules, "annotator.ui.app", fake)
    report = tmp_path / "r.txt"
    report.write_text("x", "utf-8")
    assert cli.main(["-style", "Windows", "--db", "x.db", str(report), "-platform", "offscreen"]) == 0
    assert calls == [(Path("x.db"), [report], ["-style", "Windows", "-platform", "offscreen"])]


def test_qt_options_reach_the_application():
    code = (
        "from annotator.ui.app import ensure_app\n"
        "app = ensure_app(['-style', 'Windows', '-reverse'])\n"
        "print(app.style().name(), app.layoutDirection().name)\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["windows", "RightToLeft"]
