"""Test setup: Qt runs offscreen; settings and data go to temporary folders."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ANNOTATOR_USER", "tester")

import pytest


_CACHE = Path(tempfile.mkdtemp(prefix="annotator-test-cache-"))  # the place index: built once per run


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Keep QSettings, the default database and the user's data out of $HOME."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "data" / "annotator.db"))
    monkeypatch.setenv("ANNOTATOR_NO_SEED", "1")  # the GUI tests bring their own documents
    monkeypatch.setenv("ANNOTATOR_CACHE", str(_CACHE))  # never in the user's ~/.cache
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield


@pytest.fixture(autouse=True)
def prompter(request, monkeypatch):
    """In a test that drives windows, every main window asks and tells a
    :class:`tests.prompts.RecordingPrompter` (this one, for the first
    window; each window has its own as ``window.prompter``)."""
    if "qtbot" not in request.fixturenames:
        yield None
        return
    from annotator.ui import main_window
    from tests.prompts import RecordingPrompter

    first = RecordingPrompter()
    made = []

    def make():
        made.append(first if not made else RecordingPrompter())
        return made[-1]

    monkeypatch.setattr(main_window, "Prompter", make)
    yield first


@pytest.fixture
def pair(tmp_path):
    """Two analysts' databases for merging: ana's (tests.merge_helpers.base_database)
    and bo's copy of it, both open, and the ids of its rows."""
    from tests.merge_helpers import Analyst, base_database, hand_over

    ids = base_database(tmp_path / "ana.db", "ana")
    hand_over(tmp_path / "ana.db", tmp_path / "bo.db")
    ana, bo = Analyst(tmp_path / "ana.db", "ana"), Analyst(tmp_path / "bo.db", "bo")
    yield ana, bo, ids
    ana.close()
    bo.close()
