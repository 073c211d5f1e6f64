"""Test setup: Qt runs offscreen; settings and data go to temporary folders."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ANNOTATOR_USER", "tester")

import pytest


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path, monkeypatch):
    """Keep QSettings, the default database and the user's data out of $HOME."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "data" / "annotator.db"))
    monkeypatch.setenv("ANNOTATOR_NO_SEED", "1")  # the GUI tests bring their own documents
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    yield
