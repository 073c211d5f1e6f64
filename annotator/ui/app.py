"""Starting the GUI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from ..core.tagset import resource_path
from .main_window import MainWindow, app_settings


def ensure_app(qt_args: list[str] | None = None) -> QApplication:
    """The application, made on first call with ``qt_args``: Qt's own
    options (``-style``, ``-platform``…) that the command line passed on
    (see :func:`annotator.cli.split_qt_args`), after the program's name."""
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "annotator", *(qt_args or [])])
    app.setApplicationName("Annotator")
    app.setOrganizationName("Annotator")
    app.setApplicationDisplayName("Annotator")
    icon = resource_path("icon.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def start_window(db_path: Path | None, files: list[Path] | None = None) -> MainWindow | None:
    """Open the main window on ``db_path`` (else the last database, else the
    default one). Returns None if no database could be opened."""
    settings: QSettings = app_settings()
    if db_path is None and not os.environ.get("ANNOTATOR_DB"):
        last = settings.value("last_db", "")
        db_path = Path(last) if last and Path(last).exists() else None
    window = MainWindow()
    if not window.open_database(db_path):  # shows its last document (or its first)
        return None
    if files:
        window.import_files(list(files))
    window.show()
    # The gazetteer's index takes seconds to build: build it while the analyst reads.
    QTimer.singleShot(3000, window, window.ctl.preload_gazetteer)  # cancelled if the window goes
    return window


def run_gui(db_path: Path | None, files: list[Path], qt_args: list[str] | None = None) -> int:
    app = ensure_app(qt_args)
    window = start_window(db_path, files)
    if window is None:
        return 2  # the window has shown why
    return app.exec()
